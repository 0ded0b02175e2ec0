// The public map: stations searched by name or service, the nearest to me, and the area a
// 15-minute walk reaches (today a circle of the walking distance; the walking network
// replaces it).
import { t } from '/i18n.js';
import { api } from '/api.js';
import { EMPTY, boundsOf, showDetails, status } from '/shell.js';
import { setupResidentReports } from '/resident_report.js';

/// Straight-line reach of a 15-minute walk (GB 50180-2018: 800–1,000 m).
const WALK_15_MIN_M = 1000;
/// Mean Earth radius (m) for distances on the sphere.
const EARTH_RADIUS_M = 6371008.8;

let stations = EMPTY;

/// The point `distanceM` from `[lon, lat]` along `bearing` (radians), on the sphere.
function destination([lon, lat], bearing, distanceM) {
  const rad = Math.PI / 180;
  const d = distanceM / EARTH_RADIUS_M;
  const φ1 = lat * rad;
  const λ1 = lon * rad;
  const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(bearing));
  const λ2 = λ1 + Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
  return [λ2 / rad, φ2 / rad];
}

function circle(centre, radiusM, steps = 64) {
  const coords = [];
  for (let i = 0; i <= steps; i += 1) coords.push(destination(centre, (i / steps) * 2 * Math.PI, radiusM));
  return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [coords] } }] };
}

/// Great-circle distance in metres (haversine).
function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(h));
}

function showResults(map, features) {
  const ul = document.getElementById('results');
  ul.innerHTML = '';
  for (const f of features.slice(0, 30)) {
    const li = document.createElement('li');
    li.textContent = `${f.properties.name} · ${t(f.properties.kind)}${f.distance ? ` · ${Math.round(f.distance)} m` : ''}`;
    li.addEventListener('click', () => {
      map.flyTo({ center: f.geometry.coordinates, zoom: 16 });
      showDetails('stations', f.properties);
    });
    ul.append(li);
  }
}

function nearestTo(ctx, here) {
  const { map } = ctx;
  const ranked = stations.features.map((f) => ({ ...f, distance: distanceM(here, f.geometry.coordinates) }))
    .sort((a, b) => a.distance - b.distance);
  map.getSource('walk').setData(circle(here, WALK_15_MIN_M));
  showResults(map, ranked);
  if (ranked.length) map.fitBounds(boundsOf(ctx.maplibregl, circle(here, WALK_15_MIN_M)), { padding: 40 });
}

/// Search, "nearest to me" (browser geolocation, else the map's centre) and residents'
/// reports.
export function setup(ctx) {
  const { map } = ctx;
  setupResidentReports(map);
  document.getElementById('search').addEventListener('input', (e) => {
    const q = e.target.value.trim();
    if (!q) { showResults(map, []); return; }
    showResults(map, stations.features.filter((f) => `${f.properties.name} ${(f.properties.services || []).join(' ')}`.includes(q)));
  });
  document.getElementById('nearest').addEventListener('click', () => {
    const useCentre = () => nearestTo(ctx, map.getCenter().toArray());
    if (!navigator.geolocation) { useCentre(); return; }
    navigator.geolocation.getCurrentPosition((p) => nearestTo(ctx, [p.coords.longitude, p.coords.latitude]), () => { status(t('geolocationFailed')); useCentre(); }, { timeout: 5000 });
  });
}

/// Loads the stations searched and ranked here.
export async function onLoad() {
  stations = await api('/api/stations', { withToken: false }).catch(() => EMPTY);
}

export function onFeature() {}
