// The public map: stations searched by name or service, the nearest to me on foot with the
// route drawn, and the area a 15-minute walk really reaches along paths and through compound
// gates (a straight-line circle only where the point is off the walking network).
import { t } from '/i18n.js';
import { api } from '/api.js';
import { EMPTY, boundsOf, showDetails, status } from '/shell.js';
import { setupResidentReports } from '/resident_report.js';

/// Straight-line reach of a 15-minute walk (GB 50180-2018: 800–1,000 m), drawn only where
/// the walking network does not reach.
const WALK_15_MIN_M = 1000;
/// The walk drawn round a point, in minutes.
const AREA_MINUTES = 15;
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
    const p = f.properties;
    const far = p.walking_m != null
      ? t('walkMinutes', { min: p.walking_min, m: p.walking_m })
      : (f.distance ? t('straightMetres', { m: Math.round(f.distance) }) : '');
    li.textContent = `${p.name} · ${t(p.kind)}${far ? ` · ${far}` : ''}`;
    li.addEventListener('click', () => {
      map.flyTo({ center: f.geometry.coordinates, zoom: 16 });
      if (p.route) map.getSource('walk-route').setData({ type: 'Feature', properties: {}, geometry: p.route });
      showDetails('stations', p);
    });
    ul.append(li);
  }
}

function boundsOfGeometry(maplibregl, geometry) {
  return boundsOf(maplibregl, { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry }] });
}

/// Straight lines where the network does not reach: the stations by distance and a circle.
function nearestInStraightLines(ctx, here) {
  const { map } = ctx;
  const ranked = stations.features.map((f) => ({ ...f, distance: distanceM(here, f.geometry.coordinates) }))
    .sort((a, b) => a.distance - b.distance);
  map.getSource('walk').setData(circle(here, WALK_15_MIN_M));
  map.getSource('walk-route').setData(EMPTY);
  showResults(map, ranked);
  if (ranked.length) map.fitBounds(boundsOf(ctx.maplibregl, circle(here, WALK_15_MIN_M)), { padding: 40 });
}

/// The nearest stations on foot, the route to the nearest and the 15-minute walking area.
async function nearestTo(ctx, here) {
  const { map } = ctx;
  const at = `lon=${here[0]}&lat=${here[1]}`;
  try {
    const [near, area] = await Promise.all([
      api(`/api/stations/nearest?${at}&k=10&mode=walk`, { withToken: false }),
      api(`/api/walk/area?${at}&minutes=${AREA_MINUTES}`, { withToken: false }),
    ]);
    map.getSource('walk').setData(area);
    const first = near.features[0];
    map.getSource('walk-route').setData(first?.properties.route
      ? { type: 'Feature', properties: {}, geometry: first.properties.route } : EMPTY);
    showResults(map, near.features);
    status(t('walkAreaShown', { min: AREA_MINUTES }));
    document.getElementById('results').dataset.mode = 'walk';
    map.fitBounds(boundsOfGeometry(ctx.maplibregl, area.geometry), { padding: 40 });
  } catch (error) {
    // Off the network (or none imported): straight lines, said so.
    status(t('walkUnavailable'));
    document.getElementById('results').dataset.mode = 'straight';
    nearestInStraightLines(ctx, here);
  }
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
