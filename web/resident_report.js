// Residents' reports on the public map (随手拍): a place (a tap on the map or the phone's
// position), a category residents may report, a description and an optional photo, no
// sign-in; answered with a tracking code to read out over the phone. The code's status page
// (times only) takes a satisfaction rating once the report is closed.
import { t } from '/i18n.js';
import { request, problemError } from '/api.js';
import { categoryLabel, describeError, escapeHtml, formatWhen, phonePosition } from '/shell.js';

/// Largest photo sent (the server takes 10 MB; base64 adds a third).
const MAX_PHOTO_BYTES = 7 * 1024 * 1024;

const form = { at: null, crs: 'wgs84', photo: null, categories: [], picking: false };

function section() { return document.getElementById('report'); }

/// The resident's report and tracking tools; a `?track=CODE` address opens the code's page.
export function setupResidentReports(map) {
  const box = section();
  box.hidden = false;
  box.innerHTML = `
    <div class="row"><button type="button" id="report-open" class="primary">${escapeHtml(t('reportOpen'))}</button>
    <button type="button" id="track-open">${escapeHtml(t('trackOpen'))}</button></div>
    <div id="report-form" hidden>
      <p class="hint">${escapeHtml(t('reportWhere'))}</p>
      <div class="row"><button type="button" id="report-here">${escapeHtml(t('reportUseMyPosition'))}</button></div>
      <p id="report-at" class="hint"></p>
      <select id="report-category" aria-label="category"></select>
      <textarea id="report-description" rows="3" maxlength="500" placeholder="${escapeHtml(t('reportDescribe'))}"></textarea>
      <label class="file">${escapeHtml(t('reportPhoto'))} <input id="report-photo" type="file" accept="image/jpeg,image/png,image/webp" capture="environment"></label>
      <p class="hint">${escapeHtml(t('reportPrivacy'))}</p>
      <div class="row"><button type="button" id="report-submit" class="primary">${escapeHtml(t('submitReport'))}</button>
      <button type="button" id="report-cancel">${escapeHtml(t('cancel'))}</button></div>
      <p id="report-status" class="hint" role="status"></p>
    </div>
    <div id="report-done" hidden></div>
    <div id="track" hidden>
      <div class="row"><input id="track-code" type="text" autocomplete="off" placeholder="${escapeHtml(t('trackPlaceholder'))}">
      <button type="button" id="track-go">${escapeHtml(t('trackGo'))}</button></div>
      <div id="track-result"></div>
    </div>`;
  document.getElementById('report-open').addEventListener('click', () => openForm(map));
  document.getElementById('report-cancel').addEventListener('click', () => closeForm(map));
  document.getElementById('report-here').addEventListener('click', () => useMyPosition(map));
  document.getElementById('report-photo').addEventListener('change', (e) => { form.photo = e.target.files[0] || null; });
  document.getElementById('report-submit').addEventListener('click', () => submit(map));
  document.getElementById('track-open').addEventListener('click', () => { document.getElementById('track').hidden = false; });
  document.getElementById('track-go').addEventListener('click', () => track(document.getElementById('track-code').value));
  map.on('click', (e) => { if (form.picking) place(map, e.lngLat.toArray(), 'wgs84'); });
  const asked = new URLSearchParams(location.search).get('track');
  if (asked) { document.getElementById('track').hidden = false; document.getElementById('track-code').value = asked; track(asked); }
}

/// Whether a map click now places a report (the view's own click handling waits).
export function pickingReportPlace() { return form.picking; }

async function openForm(map) {
  document.getElementById('report-form').hidden = false;
  document.getElementById('report-done').hidden = true;
  form.picking = true;
  map.getCanvas().style.cursor = 'crosshair';
  document.getElementById('report-at').textContent = t('reportTapMap');
  const { status, json } = await request('/api/public/categories', { withToken: false });
  if (status !== 200) { document.getElementById('report-status').textContent = describeError(problemError(status, json)); return; }
  form.categories = json.categories;
  document.getElementById('report-category').innerHTML = json.categories
    .map((c) => `<option value="${escapeHtml(c.name)}">${escapeHtml(categoryLabel(json.categories, c.name))}</option>`).join('');
}

function closeForm(map) {
  form.picking = false;
  form.at = null;
  map.getCanvas().style.cursor = '';
  document.getElementById('report-form').hidden = true;
  if (map.getSource('report-point')) map.getSource('report-point').setData({ type: 'FeatureCollection', features: [] });
}

/// The phone's position (WeChat's GCJ-02 or the browser's WGS84).
function useMyPosition(map) {
  phonePosition({ timeout: 8000, enableHighAccuracy: true })
    .then((p) => place(map, [p.lon, p.lat], p.crs))
    .catch(() => { document.getElementById('report-at').textContent = t('geolocationFailed'); });
}

function place(map, at, crs) {
  form.at = at;
  form.crs = crs;
  const data = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: at } }] };
  if (map.getSource('report-point')) map.getSource('report-point').setData(data);
  else {
    map.addSource('report-point', { type: 'geojson', data });
    map.addLayer({ id: 'report-point-circle', type: 'circle', source: 'report-point', paint: { 'circle-radius': 8, 'circle-color': '#e67e22', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
  }
  if (crs === 'wgs84') map.easeTo({ center: at, zoom: Math.max(map.getZoom(), 15) });
  document.getElementById('report-at').textContent = t('reportPlaced');
}

function asDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function submit(map) {
  const line = document.getElementById('report-status');
  const description = document.getElementById('report-description').value.trim();
  if (!form.at) { line.textContent = t('reportTapMap'); return; }
  if (!description) { line.textContent = t('descriptionRequired'); return; }
  if (form.photo && form.photo.size > MAX_PHOTO_BYTES) { line.textContent = t('problem_too_large'); return; }
  line.textContent = t('sending');
  const body = { lon: form.at[0], lat: form.at[1], crs: form.crs, category: document.getElementById('report-category').value, description };
  if (form.photo) body.photo = await asDataUrl(form.photo);
  const { status, json } = await request('/api/public/reports', { method: 'POST', body, withToken: false });
  if (status !== 201) {
    const error = problemError(status, json);
    line.textContent = error.field === 'lon' ? t('reportOutside') : describeError(error);
    return;
  }
  closeForm(map);
  const done = document.getElementById('report-done');
  done.hidden = false;
  done.innerHTML = `<p>${escapeHtml(t('reportThanks'))}</p><p class="tracking-code" id="tracking-code">${escapeHtml(json.code)}</p>
    <p class="hint">${escapeHtml(t('reportKeepCode', { when: formatWhen(json.deadline_at) }))}</p>
    <div class="row"><a id="tracking-link" href="/?track=${encodeURIComponent(json.code)}">${escapeHtml(t('trackGo'))}</a></div>`;
}

async function track(code) {
  const result = document.getElementById('track-result');
  const cleaned = code.trim();
  if (!cleaned) return;
  const { status, json } = await request(`/api/public/reports/${encodeURIComponent(cleaned)}`, { withToken: false });
  if (status !== 200) {
    result.innerHTML = `<p class="error">${escapeHtml(status === 404 ? t('trackUnknown') : describeError(problemError(status, json)))}</p>`;
    return;
  }
  const r = json.report;
  const steps = r.steps.map((s) => `<li><span class="when">${escapeHtml(formatWhen(s.at))}</span> ${escapeHtml(t(s.status))}</li>`).join('');
  result.innerHTML = `<p><span class="pill ${escapeHtml(r.status)}" id="track-status" data-status="${escapeHtml(r.status)}">${escapeHtml(t(r.status))}</span>
    ${r.deadline_at && r.status !== 'closed' ? `<span class="hint">${escapeHtml(t('trackDeadline', { when: formatWhen(r.deadline_at) }))}</span>` : ''}</p>
    <ol id="timeline">${steps}</ol><div id="rating"></div>`;
  const rating = document.getElementById('rating');
  if (r.rating) {
    rating.innerHTML = `<p id="rated">${escapeHtml(t('ratedAs', { rating: t(`rating_${r.rating}`) }))}</p>`;
  } else if (r.status === 'closed') {
    rating.innerHTML = `<p>${escapeHtml(t('rateAsk'))}</p><div class="row">${['satisfied', 'basically_satisfied', 'dissatisfied']
      .map((v) => `<label><input type="radio" name="rating" value="${v}"> ${escapeHtml(t(`rating_${v}`))}</label>`).join('')}</div>
      <textarea id="rating-comment" rows="2" maxlength="500" placeholder="${escapeHtml(t('ratingComment'))}"></textarea>
      <button type="button" id="rating-send" class="primary">${escapeHtml(t('ratingSend'))}</button><p class="hint" id="rating-status"></p>`;
    document.getElementById('rating-send').addEventListener('click', async () => {
      const picked = rating.querySelector('input[name=rating]:checked');
      const line = document.getElementById('rating-status');
      if (!picked) { line.textContent = t('ratingPick'); return; }
      const comment = document.getElementById('rating-comment').value.trim();
      const answer = await request(`/api/public/reports/${encodeURIComponent(cleaned)}/rating`, { method: 'POST', body: { rating: picked.value, ...(comment ? { comment } : {}) }, withToken: false });
      if (answer.status >= 300) { line.textContent = describeError(problemError(answer.status, answer.json)); return; }
      track(cleaned);
    });
  }
}
