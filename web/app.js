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

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (INTERNAL && token()) headers.Authorization = `Bearer ${token()}`;
  if (options.body) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method: options.method || 'GET', headers, body: options.body && JSON.stringify(options.body) });
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

// Toggles: each names the source it shows.
const LAYERS = [
  { id: 'communities', colour: '#f5b7b1', views: ['public', 'planner', 'dispatch'] },
  { id: 'grids', colour: '#a9cce3', views: ['planner', 'dispatch'] },
  { id: 'basemap', colour: '#999999', views: ['public', 'planner', 'dispatch'] },
  { id: 'buildings', colour: '#d5a26c', views: ['planner', 'dispatch'] },
  { id: 'stations', colour: '#c0392b', views: ['public', 'planner', 'dispatch'] },
  { id: 'incidents', colour: '#e67e22', views: ['dispatch'] },
  { id: 'workers', colour: '#16a085', views: ['dispatch'] },
];

// Internal tile layers are in the style only when the view may show them (a token is set),
// so the public map never asks for them.
const style = await (await fetch('/styles/gridmap.json')).json();
const SHOW_INTERNAL = INTERNAL && Boolean(token());
const internalSources = new Set(style.metadata['gridmap:internal-sources']);
const shown = new Set(LAYERS.filter((l) => l.views.includes(VIEW)).map((l) => l.id));
for (const id of Object.keys(style.sources)) {
  const hidden = (internalSources.has(id) && !SHOW_INTERNAL) || (LAYERS.some((l) => l.id === id) && !shown.has(id));
  if (hidden) delete style.sources[id];
}
style.layers = style.layers.filter((l) => !l.source || style.sources[l.source]);

const map = new maplibregl.Map({
  container: 'map',
  center: [109.98, 39.81],
  zoom: 12,
  hash: true,
  localIdeographFontFamily: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
  // Tile and TileJSON requests carry the token in internal views.
  transformRequest: (url) => {
    if (SHOW_INTERNAL && new URL(url, location.href).pathname.startsWith('/tiles/')) {
      return { url, headers: { Authorization: `Bearer ${token()}` } };
    }
    return { url };
  },
  style,
});
map.addControl(new maplibregl.NavigationControl(), 'top-right');
window.gridmapMap = map; // for browser tests and the console
map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
map.on('error', (e) => console.error('map:', e.error?.message || e));

const visible = new Set(shown);

function layerIds(id) {
  return map.getStyle().layers.filter((l) => l.source === id).map((l) => l.id);
}

/// Makes the map fetch a tile source again (after a commit changed what is under it).
function reloadSource(id) {
  const source = map.getSource(id);
  if (source && source.setUrl) source.setUrl(`/tiles/${id}.json`);
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
    label.textContent = t(layer.id);
    li.append(box, swatch, label);
    list.append(li);
  }
}

function boundsOf(fc) {
  const b = new maplibregl.LngLatBounds();
  const visit = (c) => (typeof c[0] === 'number' ? b.extend(c) : c.forEach(visit));
  for (const f of fc.features) if (f.geometry) visit(f.geometry.coordinates);
  return b;
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

function detailsTable(layer, properties) {
  const rows = [];
  const add = (key, value) => {
    if (value === null || value === undefined || value === '' || value === '[]') return;
    rows.push(`<tr><td>${t(key)}</td><td>${escapeHtml(String(value))}</td></tr>`);
  };
  add('name', properties.name);
  add('code', properties.code);
  add('kind', properties.kind && t(properties.kind));
  add('category', properties.category);
  add('status', properties.status && t(properties.status));
  add('households', properties.households);
  add('residents', properties.residents);
  if (layer === 'grids') {
    add('gridBuildings', properties.buildings);
    add('gridWorkers', properties.workers);
    if (properties.deviation !== undefined) add('deviation', `${(properties.deviation * 100).toFixed(1)}%`);
  }
  add('incidentCells', properties.count);
  add('floors', properties.floors);
  add('services', properties.services);
  add('hours', properties.opening_hours);
  add('address', properties.address);
  add('reportedAt', properties.reported_at && new Date(properties.reported_at).toLocaleString());
  add('assignedTo', properties.assignee);
  return `<h2>${t(layer)}</h2><table>${rows.join('')}</table>`;
}

function showDetails(layer, properties, at) {
  const box = document.getElementById('details');
  box.innerHTML = detailsTable(layer, properties);
  box.dataset.layer = layer;
  box.dataset.code = properties.code || properties.id || '';
  if (VIEW === 'dispatch' && layer === 'incidents' && properties.id && SHOW_INTERNAL) showNearestWorkers(properties, at);
  if (VIEW === 'planner' && layer === 'communities' && SHOW_INTERNAL) offerPartitionPreview(properties.code);
}

/// Dispatcher: the nearest on-duty workers to an incident, each with an assign button.
async function showNearestWorkers(incident, at) {
  const box = document.getElementById('details');
  try {
    const answer = await api(`/api/dispatch/nearest?lon=${at[0]}&lat=${at[1]}&k=5`);
    const items = answer.workers.map((w) => `<li><span>${escapeHtml(w.name)} · ${Math.round(w.distance_m)} ${t('metres')}${w.serves_grid ? ` · ${t('servesGrid')}` : ''}</span>`
      + `<button type="button" data-worker="${escapeHtml(w.worker)}">${t('assign')}</button></li>`);
    box.insertAdjacentHTML('beforeend', `<h2>${t('nearestWorkers')}</h2><ul id="nearest-workers">${items.join('')}</ul>`);
    for (const button of box.querySelectorAll('#nearest-workers button')) {
      button.addEventListener('click', async () => {
        try {
          await api(`/api/incidents/${encodeURIComponent(incident.id)}/steps`, { method: 'POST', body: { action: 'assign', worker: button.dataset.worker } });
          status(`${t('assignedTo')} ${button.dataset.worker}`);
          reloadSource('incidents');
        } catch (error) {
          status(`${error.status || ''} ${error.message}`);
        }
      });
    }
  } catch (error) {
    status(error.message);
  }
}

/// Planner: a partition preview of the clicked community (nothing is written).
function offerPartitionPreview(code) {
  const box = document.getElementById('details');
  box.insertAdjacentHTML('beforeend', `<div class="row"><button type="button" id="partition-preview">${t('partitionPreview')}</button></div><p class="hint" id="partition-result"></p>`);
  document.getElementById('partition-preview').addEventListener('click', async () => {
    try {
      const preview = await api('/api/partition', { method: 'POST', body: { community: code, dry_run: true } });
      map.getSource('partition-preview').setData(preview.grids);
      const m = preview.metrics;
      document.getElementById('partition-result').textContent = `${t('partitionOf')}${m.grids} ${t('grids')} · ${(m.within_10_percent * 100).toFixed(1)}% ${t('gridsWithin')}`;
    } catch (error) {
      status(`${error.status || ''} ${error.message}`);
    }
  });
}

/// Planner: households per base grid as a histogram (green: within ±10% of the target).
async function loadHistogram() {
  const section = document.getElementById('stats');
  section.hidden = false;
  try {
    const grids = await api('/api/grids');
    const values = grids.features.filter((f) => f.properties.kind !== 'dedicated').map((f) => f.properties.households);
    const svg = document.getElementById('histogram');
    const bins = 24; const hi = 600; const width = 296; const height = 100; const step = hi / bins;
    const counts = new Array(bins).fill(0);
    for (const v of values) counts[Math.min(bins - 1, Math.floor(v / step))] += 1;
    const top = Math.max(1, ...counts);
    const bar = width / bins;
    svg.innerHTML = counts.map((c, i) => {
      const from = i * step;
      const within = from >= 270 && from + step <= 330;
      const h = (c / top) * height;
      return `<rect class="${within ? 'within' : ''}" x="${i * bar + 1}" y="${height - h}" width="${bar - 2}" height="${h}"><title>${from}–${from + step}: ${c}</title></rect>`;
    }).join('') + `<text x="0" y="115">0</text><text x="${width / 2 - 8}" y="115">300</text><text x="${width - 20}" y="115">600</text>`;
    const within = values.filter((v) => v >= 270 && v <= 330).length;
    document.getElementById('histogram-caption').textContent = `${t('histogramTitle')} · ${values.length} ${t('grids')} · ${((within / Math.max(1, values.length)) * 100).toFixed(1)}% ${t('gridsWithin')}`;
    section.dataset.grids = String(values.length);
  } catch (error) {
    status(error.message);
  }
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
  const clickable = ['stations-circle', 'incidents-circle', 'incident-cells-fill', 'workers-circle', 'buildings-fill', 'grids-fill', 'communities-fill'];
  map.on('click', (e) => {
    if (busy()) return;
    const hits = map.queryRenderedFeatures(e.point, { layers: clickable.filter((id) => map.getLayer(id)) });
    if (!hits.length) return;
    const hit = hits[0];
    const at = hit.geometry.type === 'Point' ? hit.geometry.coordinates : e.lngLat.toArray();
    showDetails(hit.sourceLayer === 'incident_cells' ? 'incidents' : hit.source, hit.properties, at);
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
  status(t('loading'));
  const [communities] = await Promise.all([
    api('/api/communities').catch(() => EMPTY),
    api('/api/stations').then((fc) => { stations = fc; }).catch(() => {}),
    loadSummary(),
  ]);
  if (communities.features.length && !location.hash) map.fitBounds(boundsOf(communities), { padding: 20, duration: 0 });
  setupClicks();
  if (VIEW === 'planner' && SHOW_INTERNAL) {
    loadHistogram();
    setupRebalance(map, async () => {
      for (const id of ['communities', 'grids', 'buildings', 'basemap']) reloadSource(id);
      await Promise.all([loadSummary(), loadHistogram()]);
    });
  }
  status(INTERNAL && !token() ? t('noToken') : `${t('loaded')} · ${VIEW}`);
  // Ready for tests and screenshots once everything requested so far is drawn.
  map.once('idle', () => { document.body.dataset.ready = 'true'; });
  map.triggerRepaint();
});
