// The grid worker's phone app (/worker): signed in by the QR code the planner prints, it lists
// the worker's tasks (start, resolve with a note and photos), reports incidents with the
// phone's position and photos (kept in the outbox when offline, sent once when back), records
// patrols (巡查) and visits (走访), and sends the position while on duty.
import { t, toggleLanguage, currentLanguage } from '/i18n.js';
import { api, saveToken, token, uploadPhoto, useToken } from '/api.js';
import { categoryLabel, describeError, escapeHtml, formatDue, formatWhen, phonePosition } from '/shell.js';
import { failureError, flush, forget, keep, pending } from '/outbox.js';
import { followIncidents } from '/event_stream.js';

useToken(true);

/// How often the position goes out while on duty, and patrol fixes are sent (ms).
const POSITION_EVERY_MS = 60_000;
const PATROL_SEND_EVERY_MS = 20_000;
/// Most photos a report or step carries.
const MAX_PHOTOS = 9;

const app = { me: null, categories: [], here: null, duty: 'off_duty', patrol: null, fixes: [], visitBuilding: null };

// ---- language, sign-in, tabs ------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = currentLanguage() === 'zh' ? 'zh-CN' : 'en';
  document.title = `${t('w_title')} · gridmap`;
  document.getElementById('lang').textContent = t('language');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  renderDuty();
  renderNet();
}

/// A `#token=…` in the address (the QR code's link) signs the app in and is removed.
function takeTokenFromAddress() {
  const match = location.hash.match(/token=([^&]+)/);
  if (!match) return;
  saveToken(decodeURIComponent(match[1]));
  history.replaceState(null, '', location.pathname);
}

async function signIn() {
  const me = await api('/api/me').catch((error) => ({ error }));
  if (me.error || !me.signed_in || me.role !== 'worker' || !me.worker) {
    document.getElementById('sign-in').hidden = false;
    document.getElementById('sign-in-status').textContent = token() ? (me.error ? describeError(me.error) : t('w_notWorker')) : '';
    return false;
  }
  app.me = me;
  document.getElementById('who').textContent = me.label;
  document.getElementById('app').hidden = false;
  document.getElementById('tabs').hidden = false;
  return true;
}

function setupTabs() {
  for (const button of document.querySelectorAll('#tabs button')) {
    button.addEventListener('click', () => showTab(button.dataset.tab));
  }
}

function showTab(name) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== `tab-${name}`;
  if (name === 'report') locate();
  if (name === 'tasks') loadTasks();
}

function renderNet() {
  const net = document.getElementById('net');
  net.textContent = navigator.onLine ? '' : t('w_offline');
  net.classList.toggle('off', !navigator.onLine);
}

// ---- position ----------------------------------------------------------------------------

async function locate() {
  const line = document.getElementById('report-position');
  line.textContent = t('w_locating');
  try {
    app.here = await phonePosition();
    line.textContent = t('w_locatedAt', { lat: app.here.lat.toFixed(5), lon: app.here.lon.toFixed(5) })
      + (app.here.accuracy ? ` ±${Math.round(app.here.accuracy)} ${t('metres')}` : '');
  } catch {
    line.textContent = t('geolocationFailed');
  }
}

// ---- duty --------------------------------------------------------------------------------

function renderDuty() {
  const button = document.getElementById('duty');
  button.textContent = t(app.duty === 'on_duty' ? 'w_goOffDuty' : 'w_goOnDuty');
  button.dataset.duty = app.duty;
  button.classList.toggle('on', app.duty === 'on_duty');
}

async function sendPosition(duty) {
  const here = await phonePosition();
  app.here = here;
  await api(`/api/workers/${encodeURIComponent(app.me.worker)}/position`, { method: 'POST', body: { lon: here.lon, lat: here.lat, crs: here.crs, duty } });
}

function setupDuty() {
  app.duty = localStorage.getItem('gridmap.duty') === 'on_duty' ? 'on_duty' : 'off_duty';
  renderDuty();
  document.getElementById('duty').addEventListener('click', async () => {
    const next = app.duty === 'on_duty' ? 'off_duty' : 'on_duty';
    try {
      await sendPosition(next);
      app.duty = next;
      localStorage.setItem('gridmap.duty', next);
      renderDuty();
    } catch (error) {
      alertLine(error.status ? describeError(error) : t('geolocationFailed'));
    }
  });
  setInterval(() => { if (app.duty === 'on_duty' && navigator.onLine) sendPosition('on_duty').catch(() => {}); }, POSITION_EVERY_MS);
}

function alertLine(text) {
  const visible = [...document.querySelectorAll('.tab')].find((s) => !s.hidden);
  let line = visible.querySelector('.alert');
  if (!line) { line = document.createElement('p'); line.className = 'alert'; visible.prepend(line); }
  line.textContent = text;
}

// ---- tasks -------------------------------------------------------------------------------

function categoryName(name) {
  return categoryLabel(app.categories, name);
}

function taskCard(f, mine) {
  const p = f.properties;
  const buttons = [];
  if (mine && p.status === 'assigned') buttons.push(`<button type="button" class="primary" data-step="start">${escapeHtml(t('step_start'))}</button>`);
  if (mine && p.status === 'in_progress') buttons.push(`<button type="button" class="primary" data-step="resolve">${escapeHtml(t('step_resolve'))}</button>`);
  return `<li class="task ${p.overdue ? 'overdue' : ''}" data-id="${escapeHtml(p.id)}" data-status="${escapeHtml(p.status)}">
    <div><span class="pill ${escapeHtml(p.status)}">${escapeHtml(t(p.status))}</span> <b>${escapeHtml(categoryName(p.category))}</b></div>
    <div>${escapeHtml(p.description || '')}</div>
    <div class="hint">${escapeHtml([p.community_name, p.grid].filter(Boolean).join(' · '))} · ${escapeHtml(formatWhen(p.reported_at))}</div>
    <div class="due">${escapeHtml(formatDue(p.deadline_at, Date.now(), p.time_left))}</div>
    <div class="row">${buttons.join('')}</div><div class="step-form"></div></li>`;
}

/// Reads the task list again; while the worker fills in a resolve form the list waits (a
/// change elsewhere must not wipe what is being typed), unless `force`d after a step — and
/// not even then for a form opened while the list was loading.
async function loadTasks(force = false) {
  const box = document.getElementById('tab-tasks');
  const openForm = () => box.querySelector('.step-form:not(:empty)');
  if (!force && openForm()) return;
  const before = openForm();
  try {
    const tasks = await api('/api/me/tasks');
    // A form opened while the list was on its way stays (even after a step's forced reload).
    const now = openForm();
    if (now && (!force || now !== before)) return;
    box.innerHTML = `<h2>${escapeHtml(t('w_assignedToMe', { n: tasks.assigned.length }))}</h2>
      <ul class="tasks" id="tasks-assigned">${tasks.assigned.map((f) => taskCard(f, true)).join('') || `<li class="hint">${escapeHtml(t('w_noTasks'))}</li>`}</ul>
      <h2>${escapeHtml(t('w_inMyGrids', { n: tasks.in_my_grids.length }))}</h2>
      <ul class="tasks" id="tasks-grids">${tasks.in_my_grids.map((f) => taskCard(f, false)).join('') || `<li class="hint">${escapeHtml(t('w_noTasks'))}</li>`}</ul>`;
    box.dataset.loaded = String(Date.now());
    for (const button of box.querySelectorAll('button[data-step]')) {
      const li = button.closest('li');
      button.addEventListener('click', () => (button.dataset.step === 'start' ? step(li.dataset.id, { action: 'start' }) : resolveForm(li)));
    }
  } catch (error) {
    box.innerHTML = `<p class="alert">${escapeHtml(describeError(error))}</p>`;
  }
}

function resolveForm(li) {
  const form = li.querySelector('.step-form');
  li.querySelector('button[data-step=resolve]').hidden = true;
  form.innerHTML = `<textarea rows="3" maxlength="500" placeholder="${escapeHtml(t('w_resolveNote'))}"></textarea>
    <label class="photo-button"><span>${escapeHtml(t('w_addPhotos'))}</span><input type="file" accept="image/jpeg,image/png,image/webp" capture="environment" multiple></label>
    <button type="button" class="primary big">${escapeHtml(t('step_resolve'))}</button><p class="hint"></p>`;
  form.querySelector('button').addEventListener('click', async () => {
    const files = [...form.querySelector('input[type=file]').files].slice(0, MAX_PHOTOS);
    const note = form.querySelector('textarea').value.trim();
    const line = form.querySelector('p');
    if (!note) { line.textContent = t('w_noteRequired'); return; }
    line.textContent = t('sending');
    try {
      const photos = [];
      for (const f of files) photos.push(await uploadPhoto(f));
      await step(li.dataset.id, { action: 'resolve', note, photos });
    } catch (error) {
      line.textContent = describeError(error);
    }
  });
}

async function step(id, body) {
  try {
    await api(`/api/incidents/${encodeURIComponent(id)}/steps`, { method: 'POST', body });
    await loadTasks(true);
    alertLine(t(`done_${body.action}`));
  } catch (error) {
    alertLine(describeError(error));
    if (error.status === 409) loadTasks(true);
  }
}

// ---- reports and the outbox -------------------------------------------------------------

let reportFiles = [];

function setupReport() {
  document.getElementById('report-category').innerHTML = app.categories
    .map((c) => `<option value="${escapeHtml(c.name)}">${escapeHtml(categoryName(c.name))}</option>`).join('');
  document.getElementById('report-locate').addEventListener('click', locate);
  document.getElementById('report-photos').addEventListener('change', (e) => {
    reportFiles = [...reportFiles, ...e.target.files].slice(0, MAX_PHOTOS);
    e.target.value = '';
    document.getElementById('report-previews').innerHTML = reportFiles.map((f) => `<img class="thumb" alt="" src="${URL.createObjectURL(f)}">`).join('');
  });
  document.getElementById('report-submit').addEventListener('click', submitReport);
}

async function submitReport() {
  const line = document.getElementById('report-status');
  const description = document.getElementById('report-description').value.trim();
  if (!description) { line.textContent = t('descriptionRequired'); return; }
  if (!app.here) { line.textContent = t('geolocationFailed'); return; }
  const body = { lon: app.here.lon, lat: app.here.lat, crs: app.here.crs, category: document.getElementById('report-category').value, description, source: 'worker' };
  await keep(body, reportFiles);
  reportFiles = [];
  document.getElementById('report-description').value = '';
  document.getElementById('report-previews').innerHTML = '';
  const sent = await flush();
  line.textContent = sent > 0 ? t('w_reportSent') : t('w_reportQueued');
  renderOutbox();
}

async function renderOutbox() {
  const list = document.getElementById('outbox');
  const items = await pending();
  list.dataset.count = String(items.length);
  list.innerHTML = items.map((item) => `<li data-key="${escapeHtml(item.key)}"><b>${escapeHtml(categoryName(item.body.category))}</b> ${escapeHtml(item.body.description)}
    <div class="hint">${escapeHtml(formatWhen(new Date(item.created).toISOString()))} · ${escapeHtml(item.failure ? describeError(failureError(item)) : t('w_waiting'))}</div>
    ${item.failure ? `<button type="button" data-forget="${escapeHtml(item.key)}">${escapeHtml(t('w_discard'))}</button>` : ''}</li>`).join('')
    || `<li class="hint">${escapeHtml(t('w_outboxEmpty'))}</li>`;
  for (const b of list.querySelectorAll('button[data-forget]')) b.addEventListener('click', async () => { await forget(b.dataset.forget); renderOutbox(); });
}

async function sendOutbox() {
  const sent = await flush();
  if (sent > 0) {
    document.getElementById('report-status').textContent = t('w_outboxSent', { n: sent });
    loadTasks();
  }
  renderOutbox();
}

// ---- patrols -----------------------------------------------------------------------------

let patrolWatch = null;
let patrolTimer = null;

function setupPatrol() {
  document.getElementById('patrol-toggle').addEventListener('click', () => (app.patrol ? stopPatrol() : startPatrol()));
  renderPatrol();
}

function renderPatrol() {
  const button = document.getElementById('patrol-toggle');
  button.textContent = t(app.patrol ? 'w_patrolStop' : 'w_patrolStart');
  button.classList.toggle('danger', Boolean(app.patrol));
  document.getElementById('patrol-state').textContent = app.patrol
    ? t('w_patrolSince', { when: formatWhen(app.patrol.started_at), n: app.patrol.sent + app.fixes.length }) : t('w_patrolIdle');
}

async function startPatrol() {
  try {
    const patrol = await api('/api/patrols', { method: 'POST' });
    app.patrol = { ...patrol, sent: 0 };
    app.fixes = [];
    if (navigator.geolocation) {
      patrolWatch = navigator.geolocation.watchPosition((p) => {
        app.fixes.push({ lon: p.coords.longitude, lat: p.coords.latitude, at: new Date(p.timestamp).toISOString() });
        renderPatrol();
      }, () => {}, { enableHighAccuracy: true, maximumAge: 5_000 });
    }
    patrolTimer = setInterval(sendFixes, PATROL_SEND_EVERY_MS);
    document.getElementById('patrol-result').innerHTML = '';
    renderPatrol();
  } catch (error) {
    document.getElementById('patrol-state').textContent = describeError(error);
  }
}

async function sendFixes() {
  if (!app.patrol || app.fixes.length === 0) return;
  const points = app.fixes.splice(0, 1000);
  try {
    await api(`/api/patrols/${encodeURIComponent(app.patrol.id)}/points`, { method: 'POST', body: { points, crs: 'wgs84' } });
    app.patrol.sent += points.length;
  } catch {
    app.fixes.unshift(...points); // offline: sent with the next batch
  }
}

async function stopPatrol() {
  const line = document.getElementById('patrol-state');
  try {
    await sendFixes();
    const done = await api(`/api/patrols/${encodeURIComponent(app.patrol.id)}/stop`, { method: 'POST' });
    if (patrolWatch !== null) navigator.geolocation.clearWatch(patrolWatch);
    clearInterval(patrolTimer);
    app.patrol = null;
    renderPatrol();
    document.getElementById('patrol-result').innerHTML = `<p>${escapeHtml(t('w_patrolDone', {
      km: ((done.length_m || 0) / 1000).toFixed(2), grids: done.grids.length, buildings: done.buildings.length,
    }))}</p>`;
  } catch (error) {
    line.textContent = describeError(error);
  }
}

// ---- visits --------------------------------------------------------------------------------

function setupVisits() {
  document.getElementById('visit-find').addEventListener('click', findBuildings);
  document.getElementById('visit-submit').addEventListener('click', saveVisit);
}

async function findBuildings() {
  const list = document.getElementById('visit-buildings');
  const line = document.getElementById('visit-status');
  line.textContent = t('w_locating');
  try {
    const here = await phonePosition();
    const found = await api(`/api/me/buildings?lon=${here.lon}&lat=${here.lat}&crs=${here.crs}&radius_m=300`);
    line.textContent = found.buildings.length ? '' : t('w_noBuildings');
    list.innerHTML = found.buildings.map((b, i) => `<li><button type="button" data-i="${i}">${escapeHtml(b.name || b.id)}
      <span class="hint">${escapeHtml(t('householdsN', { n: b.households }))} · ${Math.round(b.distance_m)} ${escapeHtml(t('metres'))}</span></button></li>`).join('');
    for (const button of list.querySelectorAll('button')) {
      button.addEventListener('click', () => {
        app.visitBuilding = found.buildings[Number(button.dataset.i)];
        document.getElementById('visit-form').hidden = false;
        document.getElementById('visit-building').textContent = app.visitBuilding.name || app.visitBuilding.id;
      });
    }
  } catch (error) {
    line.textContent = error.status ? describeError(error) : t('geolocationFailed');
  }
}

async function saveVisit() {
  const line = document.getElementById('visit-status');
  const note = document.getElementById('visit-note').value.trim();
  if (!app.visitBuilding) return;
  if (!note) { line.textContent = t('w_noteRequired'); return; }
  line.textContent = t('sending');
  try {
    const photos = [];
    for (const f of [...document.getElementById('visit-photos').files].slice(0, MAX_PHOTOS)) photos.push(await uploadPhoto(f));
    const household = document.getElementById('visit-household').value.trim();
    await api('/api/visits', { method: 'POST', body: { building: app.visitBuilding.id, note, photos, ...(household ? { household } : {}) } });
    line.textContent = t('w_visitSaved');
    document.getElementById('visit-note').value = '';
    document.getElementById('visit-household').value = '';
    document.getElementById('visit-form').hidden = true;
  } catch (error) {
    line.textContent = describeError(error);
  }
}

// ---- start -------------------------------------------------------------------------------

async function main() {
  takeTokenFromAddress();
  document.getElementById('lang').addEventListener('click', () => { toggleLanguage(); applyLanguage(); loadTasks(true); renderOutbox(); renderPatrol(); });
  document.getElementById('token-save').addEventListener('click', () => {
    saveToken(document.getElementById('token-input').value);
    location.reload();
  });
  applyLanguage();
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/worker-sw.js', { scope: '/worker' }).catch(() => {});
  addEventListener('online', () => { renderNet(); sendOutbox(); });
  addEventListener('offline', renderNet);
  if (!(await signIn())) { document.body.dataset.ready = 'true'; return; }
  app.categories = (await api('/api/incident-categories').catch(() => ({ categories: [] }))).categories;
  setupTabs();
  setupDuty();
  setupReport();
  setupPatrol();
  setupVisits();
  await Promise.all([loadTasks(), renderOutbox()]);
  setInterval(sendOutbox, 30_000);
  sendOutbox();
  let due = null;
  followIncidents({
    onIncident: () => { clearTimeout(due); due = setTimeout(loadTasks, 300); },
    onReload: () => loadTasks(),
  });
  document.body.dataset.ready = 'true';
}

main();
