// gridmap web app: one page, three views (public, planner, dispatch) chosen by the path.
import * as maplibregl from '/vendor/maplibre-gl/maplibre-gl.mjs';
import { t, toggleLanguage, currentLanguage } from '/i18n.js';
import { busy, setupRebalance } from '/rebalance.js';

const VIEW = location.pathname.startsWith('/planner') ? 'planner'
  : location.pathname.startsWith('/dispatch') ? 'dispatch' : 'public';
const INTERNAL = VIEW !== 'public';
const EMPTY = { type: 'FeatureCollection', features: [] };
const WALK_15_MIN_M = 1000;


function token() { return localStorage.getItem('gridmap.token') || ''; }

async function api(path) {
  const headers = {};
  if (INTERNAL && token()) headers.Authorization = `Bearer ${token()}`;
  const response = await fetch(path, { headers });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    const error = new Error(problem.detail || response.statusText);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

function status(text) { document.getElementById('status').textContent = text; }

function applyLanguage() {
  document.documentElement.lang = currentLanguage() === 'zh' ? 'zh-CN' : 'en';
  document.getElementById('title').textContent = t('title');
  document.title = `${t('title')} · gridmap`;
  document.getElementById('lang').textContent = t('language');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll('#views a')) {
    el.textContent = t(`view_${el.dataset.view}`);
    el.classList.toggle('active', el.dataset.view === VIEW);
  }
}

const LAYERS = [
  { id: 'communities', colour: '#f5b7b1', views: ['public', 'planner', 'dispatch'] },
  { id: 'grids', colour: '#a9cce3', views: ['planner', 'dispatch'] },
  { id: 'roads', colour: '#999999', views: ['public', 'planner', 'dispatch'] },
  { id: 'buildings', colour: '#d5a26c', views: ['planner', 'dispatch'] },
  { id: 'stations', colour: '#c0392b', views: ['public', 'planner', 'dispatch'] },
  { id: 'incidents', colour: '#e67e22', views: ['dispatch'] },
  { id: 'workers', colour: '#16a085', views: ['dispatch'] },
];

const style = await (await fetch('/styles/gridmap.json')).json();
const map = new maplibregl.Map({
  container: 'map',
  center: [109.98, 39.81],
  zoom: 12,
  hash: true,
  localIdeographFontFamily: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
  style,
});
map.addControl(new maplibregl.NavigationControl(), 'top-right');
window.gridmapMap = map; // for browser tests and the console
map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');

const visible = new Set(LAYERS.filter((l) => l.views.includes(VIEW)).map((l) => l.id));
const loaded = {};

function layerIds(id) {
  return map.getStyle().layers.filter((l) => l.source === id).map((l) => l.id);
}

function renderLayerList() {
  const list = document.getElementById('layer-list');
  list.innerHTML = '';
  for (const layer of LAYERS.filter((l) => l.views.includes(VIEW))) {
    const li = document.createElement('li');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = visible.has(layer.id);
    box.id = `layer-${layer.id}`;
    box.addEventListener('change', () => {
      if (box.checked) visible.add(layer.id); else visible.delete(layer.id);
      for (const id of layerIds(layer.id)) map.setLayoutProperty(id, 'visibility', box.checked ? 'visible' : 'none');
    });
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = layer.colour;
    const label = document.createElement('label');
    label.htmlFor = box.id;
    label.textContent = `${t(layer.id)}${loaded[layer.id] !== undefined ? ` (${loaded[layer.id]})` : ''}`;
    li.append(box, swatch, label);
    list.append(li);
  }
}

async function loadLayer(id, query = '') {
  try {
    const fc = await api(`/api/${id}${query}`);
    map.getSource(id).setData(fc);
    loaded[id] = fc.features.length;
    return fc;
  } catch (error) {
    loaded[id] = 0;
    if (error.status === 401) status(t('noToken'));
    else status(`${t(id)}: ${error.message}`);
    return EMPTY;
  } finally {
    renderLayerList();
  }
}

function boundsOf(fc) {
  const b = new maplibregl.LngLatBounds();
  const visit = (c) => (typeof c[0] === 'number' ? b.extend(c) : c.forEach(visit));
  for (const f of fc.features) if (f.geometry) visit(f.geometry.coordinates);
  return b;
}

async function loadBuildingsInView() {
  if (!INTERNAL || !token() || map.getZoom() < 14) return;
  const b = map.getBounds();
  await loadLayer('buildings', `?bbox=${[b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(',')}&limit=10000`);
}

async function loadSummary() {
  try {
    const health = await api('/api/health');
    const dl = document.getElementById('summary');
    dl.innerHTML = '';
    for (const key of ['streets', 'communities', 'grids', 'buildings', 'stations', 'workers', 'incidents']) {
      const dt = document.createElement('dt');
      dt.textContent = t(key);
      const dd = document.createElement('dd');
      dd.textContent = (health.counts[key] ?? 0).toLocaleString();
      dl.append(dt, dd);
    }
  } catch (error) {
    status(error.message);
  }
}

function showDetails(layer, properties) {
  const box = document.getElementById('details');
  const rows = [];
  const add = (key, value) => {
    if (value === null || value === undefined || value === '' || value === '[]') return;
    rows.push(`<tr><td>${t(key)}</td><td>${escapeHtml(String(value))}</td></tr>`);
  };
  const list = (v) => (typeof v === 'string' && v.startsWith('[') ? JSON.parse(v).join('、') : v);
  add('name', properties.name);
  add('code', properties.code);
  add('kind', properties.kind && t(properties.kind));
  add('category', properties.category);
  add('status', properties.status && t(properties.status));
  add('households', properties.households);
  add('residents', properties.residents);
  add('floors', properties.floors);
  add('services', list(properties.services));
  add('hours', properties.opening_hours);
  add('address', properties.address);
  box.innerHTML = `<h2>${t(layer)}</h2><table>${rows.join('')}</table>`;
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function circle(centre, radiusM, steps = 64) {
  const [lon, lat] = centre;
  const coords = [];
  for (let i = 0; i <= steps; i += 1) {
    const a = (i / steps) * 2 * Math.PI;
    coords.push([lon + (radiusM * Math.cos(a)) / (111320 * Math.cos((lat * Math.PI) / 180)), lat + (radiusM * Math.sin(a)) / 110574]);
  }
  return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [coords] } }] };
}

function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

let stations = EMPTY;

function showResults(features) {
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

function setupSearch() {
  document.getElementById('search').addEventListener('input', (e) => {
    const q = e.target.value.trim();
    if (!q) { showResults([]); return; }
    showResults(stations.features.filter((f) => `${f.properties.name} ${(f.properties.services || []).join(' ')}`.includes(q)));
  });
  document.getElementById('nearest').addEventListener('click', () => {
    const useCentre = () => nearestTo(map.getCenter().toArray());
    if (!navigator.geolocation) { useCentre(); return; }
    navigator.geolocation.getCurrentPosition((p) => nearestTo([p.coords.longitude, p.coords.latitude]), () => { status(t('geolocationFailed')); useCentre(); }, { timeout: 5000 });
  });
}

function nearestTo(here) {
  const ranked = stations.features.map((f) => ({ ...f, distance: distanceM(here, f.geometry.coordinates) }))
    .sort((a, b) => a.distance - b.distance);
  map.getSource('walk').setData(circle(here, WALK_15_MIN_M));
  showResults(ranked);
  if (ranked.length) map.fitBounds(boundsOf(circle(here, WALK_15_MIN_M)), { padding: 40 });
}

function setupAuth() {
  if (!INTERNAL) return;
  const section = document.getElementById('auth');
  section.hidden = false;
  document.getElementById('search-box').hidden = VIEW !== 'public';
  const input = document.getElementById('token');
  input.value = token();
  document.getElementById('save-token').addEventListener('click', () => {
    localStorage.setItem('gridmap.token', input.value.trim());
    location.reload();
  });
}

function setupClicks() {
  const clickable = ['stations-circle', 'incidents-circle', 'workers-circle', 'buildings-fill', 'grids-fill', 'communities-fill'];
  map.on('click', (e) => {
    if (busy()) return;
    const hits = map.queryRenderedFeatures(e.point, { layers: clickable.filter((id) => map.getLayer(id)) });
    if (hits.length) showDetails(hits[0].source, hits[0].properties);
  });
  for (const id of clickable) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }
}

document.getElementById('lang').addEventListener('click', () => { toggleLanguage(); applyLanguage(); renderLayerList(); loadSummary(); });
applyLanguage();
setupAuth();
setupSearch();
renderLayerList();

map.on('load', async () => {
  for (const layer of LAYERS) {
    if (!layer.views.includes(VIEW)) for (const id of layerIds(layer.id)) map.setLayoutProperty(id, 'visibility', 'none');
  }
  status(t('loading'));
  const communities = await loadLayer('communities');
  if (communities.features.length && !location.hash) map.fitBounds(boundsOf(communities), { padding: 20, duration: 0 });
  const loads = [loadLayer('roads'), loadLayer('stations').then((fc) => { stations = fc; }), loadSummary()];
  if (INTERNAL && token()) loads.push(loadLayer('grids'));
  if (VIEW === 'dispatch' && token()) loads.push(loadLayer('incidents'), loadLayer('workers'));
  await Promise.all(loads);
  await loadBuildingsInView();
  map.on('moveend', loadBuildingsInView);
  setupClicks();
  if (VIEW === 'planner' && token()) {
    setupRebalance(map, async () => {
      await Promise.all([loadLayer('communities'), loadLayer('grids'), loadSummary()]);
      await loadBuildingsInView();
    });
  }
  status(`${t('loaded')} · ${VIEW}`);
  map.once('idle', () => { document.body.dataset.ready = 'true'; });
});
