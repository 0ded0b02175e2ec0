// The dispatcher's workbench: the incident queue (filtered by status, overdue, category,
// community and source, searchable by id, soonest deadline first), an incident's detail with
// its timeline and every legal step as a button, hotline incidents created by a map click or
// a building search, and everything kept current by the incident stream. On-duty workers
// are aggregated below zoom 14.
import { t } from '/i18n.js';
import { api, photoUrl } from '/api.js';
import { categoryLabel, describeError, escapeHtml, formatDue, formatWhen, reloadSource, renderLegend, status } from '/shell.js';
import { followIncidents } from '/event_stream.js';

/// What the workbench shows: the filter, the page of the queue and the incident open.
const board = {
  filter: { status: 'open', overdue: false, category: '', source: '', area: '', q: '' },
  page: null,
  selected: null,
  categories: [],
  hotline: null,
};

/// Steps each status allows (the closed loop of IncidentStatus::after).
const STEPS = {
  reported: ['assign'],
  returned: ['assign'],
  assigned: ['assign', 'start', 'return'],
  in_progress: ['resolve', 'return'],
  resolved: ['close', 'return'],
  closed: [],
};
const STATUS_TABS = ['open', 'reported', 'assigned', 'in_progress', 'resolved', 'returned', 'closed'];

/// Below this zoom workers are drawn as clusters, from it one by one.
const WORKER_POINTS_FROM_ZOOM = 14;

export function setup(ctx) {
  if (!ctx.showInternal) return;
  document.body.classList.add('workbench');
  document.getElementById('workbench').hidden = false;
  const f = board.filter;
  const reload = () => loadQueue();
  document.getElementById('filter-overdue').addEventListener('change', (e) => { f.overdue = e.target.checked; reload(); });
  for (const key of ['category', 'source', 'area']) {
    document.getElementById(`filter-${key}`).addEventListener('change', (e) => { f[key] = e.target.value; reload(); });
  }
  let typing;
  document.getElementById('filter-q').addEventListener('input', (e) => {
    clearTimeout(typing);
    typing = setTimeout(() => { f.q = e.target.value.trim(); reload(); }, 250);
  });
  setupHotline(ctx);
}

export async function onLoad(ctx) {
  if (!ctx.showInternal) return;
  ctx.map.setLayerZoomRange('workers-circle', WORKER_POINTS_FROM_ZOOM, 24);
  renderLegend(ctx.map, WORKER_CLUSTER_LEGEND);
  ctx.map.on('zoomend', () => renderLegend(ctx.map, WORKER_CLUSTER_LEGEND));
  try {
    board.categories = (await api('/api/incident-categories')).categories;
    fillCategories();
    await fillAreas();
  } catch (error) {
    status(describeError(error));
  }
  await loadQueue();
  loadWorkerClusters(ctx);
  setInterval(() => loadWorkerClusters(ctx), 30_000);
  let tilesDue = null;
  const refreshTiles = () => {
    if (tilesDue) return;
    tilesDue = setTimeout(() => { tilesDue = null; reloadSource(ctx.map, 'incidents'); }, 1500);
  };
  followIncidents({
    onIncident: (feature) => { onChanged(ctx, feature); refreshTiles(); },
    onReload: () => { loadQueue(); refreshTiles(); },
    onState: (state) => { document.getElementById('workbench').dataset.stream = state; },
  });
}

/// Texts that depend on the language.
export function onLanguage() {
  fillCategories();
  renderQueue();
}

/// A click on an incident opens it; a click anywhere while creating a hotline incident
/// places it.
export function onFeature(ctx, layer, properties, at) {
  if (!ctx.showInternal) return;
  if (board.hotline) return; // the map's own click handler places it
  if (layer === 'incidents' && properties.id) openIncident(ctx, properties.id);
}

// ---- the queue ----------------------------------------------------------------------

function categoryName(name) {
  return categoryLabel(board.categories, name);
}

function fillCategories() {
  const options = [`<option value="">${escapeHtml(t('anyCategory'))}</option>`]
    .concat(board.categories.map((c) => `<option value="${escapeHtml(c.name)}">${escapeHtml(categoryName(c.name))}</option>`));
  document.getElementById('filter-category').innerHTML = options.join('');
  document.getElementById('hotline-category').innerHTML = board.categories
    .map((c) => `<option value="${escapeHtml(c.name)}">${escapeHtml(categoryName(c.name))}</option>`).join('');
}

async function fillAreas() {
  const communities = await api('/api/communities?limit=2000');
  const options = [`<option value="">${escapeHtml(t('anyCommunity'))}</option>`]
    .concat(communities.features
      .map((c) => c.properties)
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((c) => `<option value="${escapeHtml(c.code)}">${escapeHtml(c.name || c.code)}</option>`));
  document.getElementById('filter-area').innerHTML = options.join('');
}

function queuePath() {
  const f = board.filter;
  const params = new URLSearchParams({ limit: '200' });
  if (f.status) params.set('status', f.status);
  if (f.overdue) params.set('overdue', 'true');
  for (const key of ['category', 'source', 'area', 'q']) if (f[key]) params.set(key, f[key]);
  return `/api/incidents/queue?${params}`;
}

let queueRequest = 0;
async function loadQueue() {
  const mine = ++queueRequest;
  try {
    const page = await api(queuePath());
    if (mine !== queueRequest) return;
    board.page = page;
    renderQueue();
  } catch (error) {
    status(describeError(error));
  }
}

function renderTabs(page) {
  const open = STATUS_TABS.filter((s) => s !== 'open' && s !== 'closed').reduce((n, s) => n + (page.per_status[s] || 0), 0);
  const count = (s) => (s === 'open' ? open : page.per_status[s] || 0);
  const tabs = document.getElementById('status-tabs');
  tabs.innerHTML = STATUS_TABS.map((s) => `<button type="button" role="tab" data-status="${s}" class="${board.filter.status === s ? 'active' : ''}">${escapeHtml(t(s === 'open' ? 'allOpen' : s))} <span class="badge">${count(s)}</span></button>`).join('');
  for (const button of tabs.querySelectorAll('button')) {
    button.addEventListener('click', () => { board.filter.status = button.dataset.status; loadQueue(); });
  }
}

function renderQueue() {
  const page = board.page;
  if (!page) return;
  renderTabs(page);
  document.getElementById('queue-count').textContent = t('queueCount', { total: page.total, overdue: page.overdue });
  const now = Date.now();
  const list = document.getElementById('queue');
  list.innerHTML = page.incidents.map((f) => {
    const p = f.properties;
    const where = p.community_name || p.grid || t('outsideGrids');
    const who = p.assignee_name ? ` · ${escapeHtml(p.assignee_name)}` : '';
    const due = p.status === 'closed' ? t('closedAt', { when: formatWhen(p.closed_at) }) : formatDue(p.deadline_at, now, p.time_left);
    return `<li data-id="${escapeHtml(p.id)}" class="${p.overdue ? 'overdue' : ''} ${board.selected === p.id ? 'selected' : ''}">
      <div><span class="pill ${escapeHtml(p.status)}">${escapeHtml(t(p.status))}</span> <b>${escapeHtml(categoryName(p.category))}</b></div>
      <div class="hint">${escapeHtml(where)}${who} · ${escapeHtml(t(`source_${p.source}`))}</div>
      <div class="due">${escapeHtml(due)}</div></li>`;
  }).join('') || `<li class="hint">${escapeHtml(t('queueEmpty'))}</li>`;
  for (const li of list.querySelectorAll('li[data-id]')) {
    li.addEventListener('click', () => openIncident(currentCtx, li.dataset.id));
  }
}

/// An incident changed (a step here, by another dispatcher or by a worker): the list and
/// the open detail follow without a reload.
function onChanged(ctx, feature) {
  const id = feature.properties.id;
  if (board.page) {
    const index = board.page.incidents.findIndex((f) => f.properties.id === id);
    if (index >= 0) {
      const before = board.page.incidents[index].properties;
      board.page.incidents[index] = { ...feature, properties: { ...before, ...feature.properties } };
      renderQueue();
    }
  }
  loadQueueSoon();
  if (board.selected !== id) return;
  // A form being filled in stays while the status it was opened for holds.
  const box = document.getElementById('details');
  const filling = document.getElementById('step-form')?.childElementCount > 0;
  if (filling && box.dataset.status === feature.properties.status) return;
  openIncident(ctx, id, { keepScroll: true });
}

let queueDue = null;
function loadQueueSoon() {
  clearTimeout(queueDue);
  queueDue = setTimeout(loadQueue, 400);
}

// ---- one incident -------------------------------------------------------------------

let currentCtx = null;

async function openIncident(ctx, id, { keepScroll = false } = {}) {
  currentCtx = ctx;
  board.selected = id;
  for (const li of document.querySelectorAll('#queue li')) li.classList.toggle('selected', li.dataset.id === id);
  const box = document.getElementById('details');
  try {
    const incident = await api(`/api/incidents/${encodeURIComponent(id)}`);
    if (board.selected !== id) return;
    renderIncident(ctx, box, incident);
    box.dataset.layer = 'incidents';
    box.dataset.code = id;
    box.dataset.status = incident.properties.status;
    if (!keepScroll) box.scrollIntoView({ block: 'nearest' });
  } catch (error) {
    box.innerHTML = `<p class="error">${escapeHtml(describeError(error))}</p>`;
  }
}

function stepLine(step) {
  const who = step.worker_name ? ` → ${escapeHtml(step.worker_name)}` : '';
  const note = step.note ? `<div class="note">${escapeHtml(step.note)}</div>` : '';
  const photos = (step.photos || []).map((p) => `<img class="thumb" alt="" data-photo="${escapeHtml(p)}">`).join('');
  return `<li><span class="when">${escapeHtml(formatWhen(step.at))}</span> <b>${escapeHtml(t(`action_${step.action}`))}</b>${who}
    <div class="hint">${escapeHtml(step.actor)}</div>${note}${photos ? `<div class="photos">${photos}</div>` : ''}</li>`;
}

function renderIncident(ctx, box, incident) {
  const p = incident.properties;
  const rows = [
    ['status', `<span class="pill ${escapeHtml(p.status)}">${escapeHtml(t(p.status))}</span>${p.overdue ? ` <span class="pill overdue">${escapeHtml(t('overdue'))}</span>` : ''}`],
    ['category', escapeHtml(categoryName(p.category))],
    ['where', escapeHtml([p.community_name, p.grid].filter(Boolean).join(' · ') || t('outsideGrids'))],
    ['source', escapeHtml(t(`source_${p.source}`))],
    ['reportedAt', escapeHtml(formatWhen(p.reported_at))],
    ['deadline', escapeHtml(p.deadline_at ? `${formatWhen(p.deadline_at)}（${p.status === 'closed' ? t('closedAt', { when: formatWhen(p.closed_at) }) : formatDue(p.deadline_at, Date.now(), p.time_left)}）` : '')],
    ['assignedTo', escapeHtml(p.assignee_name || '—')],
    ['description', escapeHtml(p.description || '')],
  ].map(([k, v]) => `<tr><td>${escapeHtml(t(k))}</td><td>${v}</td></tr>`).join('');
  const actions = (STEPS[p.status] || []).map((a) => `<button type="button" data-action="${a}" class="${a === 'return' ? 'danger' : 'primary'}">${escapeHtml(t(a === 'assign' && p.assignee ? 'reassign' : `step_${a}`))}</button>`).join('');
  box.innerHTML = `<h2>${escapeHtml(t('incidents'))} <small class="hint">${escapeHtml(p.id)}</small></h2>
    <table>${rows}</table>
    <div class="row wrap" id="step-buttons">${actions}</div>
    <div id="step-form"></div>
    <p class="hint" id="step-status"></p>
    <h2>${escapeHtml(t('timeline'))}</h2><ol id="timeline">${(p.steps || []).map(stepLine).join('')}</ol>`;
  for (const img of box.querySelectorAll('img[data-photo]')) {
    photoUrl(img.dataset.photo).then((url) => { img.src = url; img.onclick = () => openPhoto(img.dataset.photo); }).catch(() => img.remove());
  }
  for (const button of box.querySelectorAll('#step-buttons button')) {
    button.addEventListener('click', () => stepForm(ctx, incident, button.dataset.action));
  }
}

async function openPhoto(id) {
  const url = await photoUrl(id, 'original');
  window.open(url, '_blank');
}

/// How the nearest workers are ranked: walk, ebike (along the walking network) or straight.
let travelMode = 'walk';

/// The form a step needs: a worker for assign (nearest on-duty first, or any on-duty
/// worker), a reason for return, an optional note otherwise.
async function stepForm(ctx, incident, action) {
  const form = document.getElementById('step-form');
  const p = incident.properties;
  if (action === 'assign') {
    form.innerHTML = `<p class="hint">${escapeHtml(t('loading'))}</p>`;
    try {
      const [lon, lat] = incident.geometry.coordinates;
      const mode = travelMode;
      const nearestBy = (m) => api(`/api/dispatch/nearest?lon=${lon}&lat=${lat}&k=6&mode=${m}`);
      const [near, all] = await Promise.all([
        // Along the network; in straight lines where the incident is off it.
        nearestBy(mode).catch(() => nearestBy('straight')),
        api('/api/workers?limit=5000'),
      ]);
      const onDuty = all.features.map((f) => f.properties).filter((w) => w.duty === 'on_duty' && w.id !== p.assignee)
        .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
      const shown = near.workers.filter((w) => w.worker !== p.assignee);
      const far = (w) => (w.network_m != null
        ? t(near.mode === 'ebike' ? 'ebikeMinutes' : 'walkMinutes', { min: w.minutes, m: w.network_m })
        : `${Math.round(w.distance_m)} ${t('metres')}`);
      const nearest = shown.map((w, i) => `<li data-index="${i}"><span>${escapeHtml(w.name)} · ${far(w)}${w.serves_grid ? ` · ${t('servesGrid')}` : ''}</span>`
        + `<button type="button" class="primary" data-worker="${escapeHtml(w.worker)}" data-name="${escapeHtml(w.name)}">${t('assign')}</button></li>`);
      form.innerHTML = `<h2>${t('nearestWorkers')}</h2>
        <div class="row"><select id="travel-mode" aria-label="mode">${['walk', 'ebike', 'straight'].map((m) => `<option value="${m}"${m === mode ? ' selected' : ''}>${t(`travel_${m}`)}</option>`).join('')}</select></div>
        <ul id="nearest-workers" data-mode="${escapeHtml(near.mode || 'straight')}">${nearest.join('') || `<li class="hint">${t('noneOnDuty')}</li>`}</ul>
        <div class="row"><select id="any-worker" aria-label="worker">${onDuty.map((w) => `<option value="${escapeHtml(w.id)}">${escapeHtml(w.name)}</option>`).join('')}</select>
        <button type="button" id="assign-any">${t('assign')}</button></div>`;
      // The route of the nearest, and of any worker pointed at.
      const drawRoute = (w) => ctx.map.getSource('walk-route')?.setData(w?.route
        ? { type: 'Feature', properties: {}, geometry: w.route } : { type: 'FeatureCollection', features: [] });
      drawRoute(shown[0]);
      for (const li of form.querySelectorAll('#nearest-workers li[data-index]')) {
        li.addEventListener('mouseenter', () => drawRoute(shown[Number(li.dataset.index)]));
      }
      document.getElementById('travel-mode').addEventListener('change', (e) => {
        travelMode = e.target.value;
        stepForm(ctx, incident, action);
      });
      for (const button of form.querySelectorAll('#nearest-workers button')) {
        button.addEventListener('click', () => sendStep(ctx, p.id, { action: 'assign', worker: button.dataset.worker }, button.dataset.name));
      }
      document.getElementById('assign-any').addEventListener('click', () => {
        const select = document.getElementById('any-worker');
        if (select.value) sendStep(ctx, p.id, { action: 'assign', worker: select.value }, select.selectedOptions[0].textContent);
      });
    } catch (error) {
      form.innerHTML = `<p class="error">${escapeHtml(describeError(error))}</p>`;
    }
    return;
  }
  const needsReason = action === 'return';
  form.innerHTML = `<textarea id="step-note" rows="2" placeholder="${escapeHtml(t(needsReason ? 'returnReason' : 'noteOptional'))}"></textarea>
    <div class="row"><button type="button" id="step-confirm" class="${needsReason ? 'danger' : 'primary'}">${escapeHtml(t(`step_${action}`))}</button></div>`;
  document.getElementById('step-confirm').addEventListener('click', () => {
    const note = document.getElementById('step-note').value.trim();
    if (needsReason && !note) {
      document.getElementById('step-status').textContent = t('reasonRequired');
      return;
    }
    sendStep(ctx, p.id, { action, ...(note ? { note } : {}) });
  });
}

async function sendStep(ctx, id, body, workerName) {
  const line = document.getElementById('step-status');
  line.textContent = t('sending');
  try {
    await api(`/api/incidents/${encodeURIComponent(id)}/steps`, { method: 'POST', body });
    const done = body.action === 'assign' ? t('assignedToName', { name: workerName }) : t(`done_${body.action}`);
    status(done);
    await openIncident(ctx, id, { keepScroll: true });
    document.getElementById('step-status').textContent = done;
    loadQueue();
    reloadSource(ctx.map, 'incidents');
  } catch (error) {
    line.textContent = describeError(error);
    if (error.status === 409) {
      await openIncident(ctx, id, { keepScroll: true });
      document.getElementById('step-status').textContent = `${describeError(error)} ${t('refreshed')}`;
    }
  }
}

// ---- workers at low zoom ----------------------------------------------------------------

const WORKER_CLUSTER_LEGEND = [
  { id: 'worker-clusters-circle', type: 'circle', paint: { 'circle-color': '#117864' }, legend: { title: 'legendWorkerClusters' } },
];

async function loadWorkerClusters(ctx) {
  const { map } = ctx;
  try {
    const workers = await api('/api/workers?limit=20000');
    const data = { type: 'FeatureCollection', features: workers.features.filter((f) => f.geometry && f.properties.duty === 'on_duty') };
    const source = map.getSource('workers-clusters');
    if (source) { source.setData(data); return; }
    map.addSource('workers-clusters', { type: 'geojson', data, cluster: true, clusterMaxZoom: WORKER_POINTS_FROM_ZOOM - 1, clusterRadius: 40 });
    map.addLayer({ id: 'worker-clusters-circle', type: 'circle', source: 'workers-clusters', maxzoom: WORKER_POINTS_FROM_ZOOM,
      paint: { 'circle-color': '#117864', 'circle-opacity': 0.85, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5,
        'circle-radius': ['step', ['coalesce', ['get', 'point_count'], 1], 6, 10, 11, 50, 15, 200, 20] } });
    map.addLayer({ id: 'worker-clusters-count', type: 'symbol', source: 'workers-clusters', maxzoom: WORKER_POINTS_FROM_ZOOM,
      filter: ['has', 'point_count'], layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-size': 11 },
      paint: { 'text-color': '#fff' } });
  } catch (error) {
    status(describeError(error));
  }
}

// ---- hotline incidents ----------------------------------------------------------------

function setupHotline(ctx) {
  const section = document.getElementById('hotline');
  const start = () => {
    board.hotline = { at: null };
    section.hidden = false;
    document.getElementById('hotline-where').textContent = t('hotlinePick');
    document.getElementById('hotline-status').textContent = '';
    document.getElementById('hotline-description').value = '';
    ctx.map.getCanvas().style.cursor = 'crosshair';
  };
  const stop = () => {
    board.hotline = null;
    section.hidden = true;
    ctx.map.getCanvas().style.cursor = '';
    if (ctx.map.getSource('hotline-point')) ctx.map.getSource('hotline-point').setData({ type: 'FeatureCollection', features: [] });
  };
  document.getElementById('hotline-new').addEventListener('click', start);
  document.getElementById('hotline-cancel').addEventListener('click', stop);
  ctx.map.on('click', (e) => { if (board.hotline) placeHotline(ctx, e.lngLat.toArray()); });
  let typing;
  document.getElementById('hotline-search').addEventListener('input', (e) => {
    clearTimeout(typing);
    const q = e.target.value.trim();
    typing = setTimeout(() => searchBuildings(ctx, q), 250);
  });
  document.getElementById('hotline-submit').addEventListener('click', async () => {
    const line = document.getElementById('hotline-status');
    const at = board.hotline?.at;
    const description = document.getElementById('hotline-description').value.trim();
    if (!at) { line.textContent = t('hotlinePick'); return; }
    if (!description) { line.textContent = t('descriptionRequired'); return; }
    line.textContent = t('sending');
    try {
      const incident = await api('/api/incidents', { method: 'POST', body: { lon: at[0], lat: at[1], category: document.getElementById('hotline-category').value, description, source: 'hotline' } });
      stop();
      status(t('hotlineCreated'));
      await loadQueue();
      reloadSource(ctx.map, 'incidents');
      openIncident(ctx, incident.properties.id);
    } catch (error) {
      line.textContent = describeError(error);
    }
  });
}

async function searchBuildings(ctx, q) {
  const list = document.getElementById('hotline-results');
  if (!q) { list.innerHTML = ''; return; }
  try {
    const found = await api(`/api/buildings?q=${encodeURIComponent(q)}&limit=10`);
    list.innerHTML = found.features.map((f, i) => `<li data-i="${i}">${escapeHtml(f.properties.name || f.properties.address || f.properties.id)}<span class="hint"> ${escapeHtml(f.properties.address || '')}</span></li>`).join('')
      || `<li class="hint">${escapeHtml(t('nothingFound'))}</li>`;
    for (const li of list.querySelectorAll('li[data-i]')) {
      li.addEventListener('click', () => {
        const f = found.features[Number(li.dataset.i)];
        const centre = centreOf(f.geometry);
        placeHotline(ctx, centre, f.properties.name || f.properties.address || f.properties.id);
        ctx.map.flyTo({ center: centre, zoom: Math.max(ctx.map.getZoom(), 16) });
        list.innerHTML = '';
      });
    }
  } catch (error) {
    list.innerHTML = `<li class="error">${escapeHtml(describeError(error))}</li>`;
  }
}

/// The middle of a geometry's bounding box.
function centreOf(geometry) {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c) => {
    if (typeof c[0] === 'number') { minX = Math.min(minX, c[0]); minY = Math.min(minY, c[1]); maxX = Math.max(maxX, c[0]); maxY = Math.max(maxY, c[1]); } else c.forEach(visit);
  };
  visit(geometry.coordinates);
  return [(minX + maxX) / 2, (minY + maxY) / 2];
}

async function placeHotline(ctx, at, label) {
  board.hotline = { at };
  const data = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: at } }] };
  const source = ctx.map.getSource('hotline-point');
  if (source) source.setData(data);
  else {
    ctx.map.addSource('hotline-point', { type: 'geojson', data });
    ctx.map.addLayer({ id: 'hotline-point-circle', type: 'circle', source: 'hotline-point', paint: { 'circle-radius': 8, 'circle-color': '#8e44ad', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  }
  const where = document.getElementById('hotline-where');
  where.textContent = label || `${at[1].toFixed(5)}, ${at[0].toFixed(5)}`;
  try {
    const { location } = await api(`/api/locate?lon=${at[0]}&lat=${at[1]}`);
    const names = [location.community_name, location.grid].filter(Boolean).join(' · ');
    where.textContent = `${label ? `${label} · ` : ''}${names || t('outsideGrids')}`;
  } catch {
    // The coordinates stay.
  }
}
