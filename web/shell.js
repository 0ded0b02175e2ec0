// What every view shares: the side panel (language, layer toggles, summary, details,
// status line) and small helpers. The views fill in what is theirs.
import { t, toggleLanguage, currentLanguage } from '/i18n.js';
import { api } from '/api.js';

export const EMPTY = { type: 'FeatureCollection', features: [] };

// Toggles: each names the source it shows and the views that list it.
export const LAYERS = [
  { id: 'communities', colour: '#f5b7b1', views: ['public', 'planner', 'dispatch', 'dashboard'] },
  { id: 'grids', colour: '#a9cce3', views: ['planner', 'dispatch', 'dashboard'] },
  { id: 'basemap', colour: '#999999', views: ['public', 'planner', 'dispatch', 'dashboard'] },
  { id: 'buildings', colour: '#d5a26c', views: ['planner', 'dispatch'] },
  { id: 'stations', colour: '#c0392b', views: ['public', 'planner', 'dispatch'] },
  { id: 'walking', colour: '#58d68d', views: ['public', 'planner'] },
  { id: 'incidents', colour: '#e67e22', views: ['dispatch'] },
  { id: 'workers', colour: '#16a085', views: ['dispatch'] },
];

export function status(text) { document.getElementById('status').textContent = text; }

export function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/// Puts the page's fixed texts in the current language and marks the active view.
export function applyLanguage(view) {
  document.documentElement.lang = currentLanguage() === 'zh' ? 'zh-CN' : 'en';
  document.getElementById('title').textContent = t('title');
  document.title = `${t('title')} · gridmap`;
  document.getElementById('lang').textContent = t('language');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of document.querySelectorAll('#views a')) {
    el.textContent = t(`view_${el.dataset.view}`);
    el.classList.toggle('active', el.dataset.view === view);
  }
}

/// The language button: switches and redraws what depends on the language.
export function setupLanguage(view, redraw) {
  document.getElementById('lang').addEventListener('click', () => { toggleLanguage(); applyLanguage(view); redraw(); });
  applyLanguage(view);
}

/// The ids of the style layers drawing a source.
function layerIds(map, id) {
  return map.getStyle().layers.filter((l) => l.source === id || l.source === `${id}-clusters`).map((l) => l.id);
}

/// The layer toggles of a view; `visible` holds the ids switched on.
export function renderLayerList(map, view, visible) {
  const list = document.getElementById('layer-list');
  list.innerHTML = '';
  for (const layer of LAYERS.filter((l) => l.views.includes(view))) {
    const li = document.createElement('li');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = visible.has(layer.id);
    box.id = `layer-${layer.id}`;
    box.addEventListener('change', () => {
      if (box.checked) visible.add(layer.id); else visible.delete(layer.id);
      for (const id of layerIds(map, layer.id)) map.setLayoutProperty(id, 'visibility', box.checked ? 'visible' : 'none');
      renderLegend(map);
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

/// Makes the map fetch a tile source again (after a commit changed what is under it).
export function reloadSource(map, id) {
  const source = map.getSource(id);
  if (source && source.setUrl) source.setUrl(`/tiles/${id}.json`);
}

/// The counts of the store (health) in the summary panel.
export async function loadSummary() {
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

/// The table of a clicked feature's properties.
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

/// On a phone the panel is a bottom sheet: peek (the default), full or low.
const SHEET_STATES = ['peek', 'full', 'low'];
export function setSheet(state) {
  for (const s of SHEET_STATES) document.body.classList.toggle(`sheet-${s}`, s === state && s !== 'peek');
  document.body.dataset.sheet = state;
}

/// The handle steps peek → full → low → peek; the map keeps its centre above the sheet.
export function setupSheet(map) {
  const phone = window.matchMedia('(max-width: 700px)');
  const panel = document.getElementById('panel');
  const pad = () => map.setPadding({ top: 0, left: 0, right: 0, bottom: phone.matches ? panel.offsetHeight : 0 });
  document.getElementById('sheet-handle').addEventListener('click', () => {
    const now = document.body.dataset.sheet || 'peek';
    setSheet(SHEET_STATES[(SHEET_STATES.indexOf(now) + 1) % SHEET_STATES.length]);
  });
  panel.addEventListener('transitionend', pad);
  phone.addEventListener('change', pad);
  setSheet('peek');
  pad();
}

/// Shows a feature in the details panel; the box is returned for the view to add to.
export function showDetails(layer, properties) {
  if (document.body.dataset.sheet === 'low') setSheet('peek');
  const box = document.getElementById('details');
  box.innerHTML = detailsTable(layer, properties);
  box.dataset.layer = layer;
  box.dataset.code = properties.code || properties.id || '';
  if (window.matchMedia('(max-width: 700px)').matches) box.scrollIntoView({ block: 'nearest' });
  return box;
}

/// The bounds of a feature collection.
export function boundsOf(maplibregl, fc) {
  const b = new maplibregl.LngLatBounds();
  const visit = (c) => (typeof c[0] === 'number' ? b.extend(c) : c.forEach(visit));
  for (const f of fc.features) if (f.geometry) visit(f.geometry.coordinates);
  return b;
}

/// A refusal or failure in the user's language: what went wrong and, for a field, which
/// (the server's English detail stays in the error for the console).
export function describeError(error) {
  if (error.status === undefined) return t('problem_network');
  const field = error.field ? t(`field_${error.field}`) : '';
  switch (error.kind) {
    case 'invalid-parameter': return t('problem_invalid', { field: field || error.field || '' });
    case 'unprocessable': return field ? t('problem_unfit', { field }) : t('problem_unprocessable');
    case 'conflict': return t('problem_conflict');
    case 'not-found': return t('problem_not_found');
    case 'forbidden': return t('problem_forbidden');
    case 'unauthorized': case 'bad-token': return t('problem_unauthorized');
    case 'too-large': return t('problem_too_large');
    case 'too-many-requests': return t('problem_too_many');
    default: return error.status >= 500 ? t('problem_internal') : t('problem_other', { status: error.status });
  }
}

/// A time as people write it: 12月2日 14:05 (this year), 2025年12月2日 14:05 (another year).
export function formatWhen(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (currentLanguage() === 'en') return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: d.getFullYear() === new Date().getFullYear() ? undefined : 'numeric', hour: '2-digit', minute: '2-digit' });
  const year = d.getFullYear() === new Date().getFullYear() ? '' : `${d.getFullYear()}年`;
  return `${year}${d.getMonth() + 1}月${d.getDate()}日 ${hm}`;
}

/// How a deadline stands: 剩余3小时 / 超时2小时 (minutes under an hour, days past two days);
/// with the server's `time_left` in working time, 剩余3工作时 / 超时1.5个工作日.
export function formatDue(iso, now = Date.now(), timeLeft = null) {
  if (!iso) return '';
  if (timeLeft && timeLeft.unit !== 'hours') {
    const n = Math.abs(timeLeft.amount);
    const shown = n >= 10 ? Math.round(n) : Math.round(n * 10) / 10;
    const amount = t(timeLeft.unit === 'working_days' ? 'workingDaysN' : 'workingHoursN', { n: shown });
    return timeLeft.amount >= 0 ? t('dueIn', { amount }) : t('overdueBy', { amount });
  }
  const minutes = Math.round((new Date(iso).getTime() - now) / 60000);
  const span = Math.abs(minutes);
  const amount = span < 60 ? t('minutesN', { n: span }) : span < 48 * 60 ? t('hoursN', { n: Math.round(span / 60) }) : t('daysN', { n: Math.round(span / 1440) });
  return minutes >= 0 ? t('dueIn', { amount }) : t('overdueBy', { amount });
}

/// The entries a style paint gives a legend: each value of a `match` with its colour, or the
/// stops of an `interpolate`.
function paintEntries(paint) {
  if (!Array.isArray(paint)) return typeof paint === 'string' ? [{ colour: paint }] : [];
  if (paint[0] === 'match') {
    const entries = [];
    for (let i = 2; i + 1 < paint.length; i += 2) {
      for (const value of [].concat(paint[i])) entries.push({ value, colour: paint[i + 1] });
    }
    return entries;
  }
  if (paint[0] === 'interpolate') {
    const entries = [];
    for (let i = 3; i + 1 < paint.length; i += 2) entries.push({ value: paint[i], colour: paint[i + 1], stop: true });
    return entries;
  }
  if (paint[0] === 'case') return paintEntries(paint[paint.length - 1]);
  return [];
}

/// The legend over the map: one block per drawn layer, its colours read from the style (so it
/// cannot drift from what is drawn); `extra` adds layers a view draws itself.
let legendExtra = [];
export function renderLegend(map, extra = legendExtra) {
  legendExtra = extra;
  const box = document.getElementById('legend');
  if (!box) return;
  if (box.parentElement !== map.getContainer()) map.getContainer().append(box); // over the map, not the panel
  const blocks = [];
  const kinds = { fill: 'fill-color', circle: 'circle-color', line: 'line-color' };
  for (const layer of [...map.getStyle().layers, ...extra]) {
    const property = kinds[layer.type];
    if (!property || (!layer.legend && !LEGEND_LAYERS[layer.id])) continue;
    if (map.getLayer(layer.id) && map.getLayoutProperty(layer.id, 'visibility') === 'none') continue;
    const { title, format = String } = layer.legend || LEGEND_LAYERS[layer.id];
    const entries = paintEntries(map.getLayer(layer.id) ? map.getPaintProperty(layer.id, property) : layer.paint[property]);
    const items = entries.map((e) => {
      const label = e.value === undefined ? '' : e.stop ? format(e.value) : t(String(e.value));
      return `<li><span class="key ${layer.type}" style="background:${escapeHtml(String(e.colour))}"></span>${escapeHtml(label)}</li>`;
    });
    blocks.push(`<div><b>${escapeHtml(t(title))}</b><ul>${items.join('')}</ul></div>`);
  }
  box.innerHTML = blocks.join('');
  box.hidden = blocks.length === 0;
}

/// The style layers with a legend entry and their titles.
const LEGEND_LAYERS = {
  'communities-line': { title: 'communities' },
  'grids-fill': { title: 'legendGrids', format: (v) => `${v > 0 ? '+' : ''}${Math.round(v * 100)}%` },
  'buildings-fill': { title: 'legendBuildings', format: (v) => t('householdsN', { n: v }) },
  'incident-cells-fill': { title: 'legendIncidentCells', format: (v) => t('incidentsN', { n: v }) },
  'incidents-circle': { title: 'incidents' },
  'workers-circle': { title: 'legendWorkers' },
  'stations-circle': { title: 'stations' },
  'walking-line': { title: 'walking', format: (v) => t('minutesN', { n: v }) },
};

/// A category's name in the current language (`categories` as /api/incident-categories
/// answers them); a name not among them stays as recorded.
export function categoryLabel(categories, name) {
  const c = categories.find((x) => x.name === name);
  return c && currentLanguage() === 'en' ? c.en : name;
}

/// The phone's position as `{ lon, lat, crs, accuracy? }`: inside WeChat its JS-SDK answers
/// GCJ-02 (the server converts it like every other GCJ-02 point), a browser WGS84.
export function phonePosition(options = { enableHighAccuracy: true, timeout: 10_000, maximumAge: 30_000 }) {
  return new Promise((resolve, reject) => {
    if (window.wx && typeof window.wx.getLocation === 'function') {
      window.wx.getLocation({ type: 'gcj02', success: (r) => resolve({ lon: r.longitude, lat: r.latitude, crs: 'gcj02' }), fail: reject });
      return;
    }
    if (!navigator.geolocation) { reject(new Error('no geolocation')); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude, crs: 'wgs84', accuracy: p.coords.accuracy }),
      reject, options);
  });
}
