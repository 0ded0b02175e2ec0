// Planner tools: split a community along a drawn line or merge communities picked on the
// map; preview the change (new and changed grids, new boundaries, moved buildings) and
// commit it against the plan version it was previewed on (a stale one is refused: 409).
import { t } from '/i18n.js';
import { problemError, request as send } from '/api.js';
import { describeError, escapeHtml } from '/shell.js';

const EMPTY = { type: 'FeatureCollection', features: [] };
let mode = null; // 'split' | 'merge' | null
let picked = []; // community codes
let line = []; // [lon, lat] points of the split line
let preview = null; // the last preview and the request it answered

/// Whether map clicks belong to the rebalance tools right now.
export function busy() { return mode !== null; }

function el(id) { return document.getElementById(id); }

function say(text) { el('rebalance-status').textContent = text; }

/// A refusal in the user's language, naming the field.
function sayProblem(status, json) {
  say(status === 409 ? `${t('planConflict')}` : describeError(problemError(status, json)));
}

/// The pieces of a split as the preview gave them: each with the code and name it will get,
/// editable here and labelled on the map.
function renderPieces(map, features) {
  const box = el('rebalance-pieces');
  box.hidden = features.length === 0;
  box.innerHTML = features.map((f, i) => `<li data-piece="${i}"><span class="piece-no">${i + 1}</span>
    <input class="piece-code" type="text" inputmode="numeric" aria-label="${escapeHtml(t('pieceCode'))}" value="${escapeHtml(f.properties.code)}">
    <input class="piece-name" type="text" aria-label="${escapeHtml(t('pieceName'))}" value="${escapeHtml(f.properties.name || '')}"></li>`).join('');
  for (const input of box.querySelectorAll('input')) {
    input.addEventListener('change', () => runPreview(map));
  }
}

/// The codes and names the pieces' fields hold, in the pieces' order.
function pieceFields() {
  const rows = [...el('rebalance-pieces').querySelectorAll('li')];
  return {
    codes: rows.map((r) => r.querySelector('.piece-code').value.trim()),
    names: rows.map((r) => r.querySelector('.piece-name').value.trim()),
  };
}

function drawSketch(map) {
  map.getSource('rebalance-line').setData(line.length > 1
    ? { type: 'Feature', geometry: { type: 'LineString', coordinates: line }, properties: {} }
    : EMPTY);
  map.setFilter('rebalance-picked', ['in', ['get', 'code'], ['literal', picked]]);
}

function reset(map) {
  mode = null; picked = []; line = []; preview = null;
  for (const id of ['rebalance-grids', 'rebalance-communities']) map.getSource(id).setData(EMPTY);
  if (map.getLayer('buildings-moved')) map.setFilter('buildings-moved', ['in', ['get', 'id'], ['literal', []]]);
  el('rebalance-commit').disabled = true;
  el('rebalance-preview').disabled = true;
  renderPieces(map, []);
  map.getCanvas().style.cursor = '';
  drawSketch(map);
}

function request() {
  if (mode === 'split') {
    // After a preview the pieces' own fields say which piece gets which code and name.
    const fromPieces = preview && el('rebalance-pieces').querySelector('li') ? pieceFields() : null;
    return {
      operation: 'split', community: picked[0],
      line: { type: 'LineString', coordinates: line },
      codes: fromPieces ? fromPieces.codes : el('rebalance-codes').value.split(/[,，\s]+/).filter(Boolean),
      names: fromPieces ? fromPieces.names : el('rebalance-names').value.split(/[,，]+/).map((s) => s.trim()).filter(Boolean),
    };
  }
  return {
    operation: 'merge', communities: picked,
    name: el('rebalance-names').value.trim(),
  };
}

function post(body) {
  return send('/api/rebalance', { method: 'POST', body });
}

/// How many grids the change leaves outside the tolerance band, and how many of them no
/// plan can bring within it (flagged: building sizes, an oversized building, an enclave).
function outsideBand(outside) {
  if (outside.length === 0) return t('allWithinBand');
  const stuck = outside.filter((o) => o.flag !== 'normal').length;
  const codes = outside.map((o) => `${o.grid}（${t('householdsN', { n: o.households })}）`).join('、');
  return `${t('gridsOutsideBandN', { n: outside.length })}${stuck ? `（${t('unbalanceableGridsN', { n: stuck })}）` : ''}：${codes}`;
}

async function runPreview(map) {
  const body = request();
  say(t('loading'));
  const { status, json } = await post(body);
  if (status !== 200) { sayProblem(status, json); return; }
  preview = { body, result: json };
  map.getSource('rebalance-grids').setData(json.grids);
  map.getSource('rebalance-communities').setData(json.communities);
  if (mode === 'split') renderPieces(map, json.communities.features);
  // Counted for tests and screenshots: a preview answered and drawn.
  el('rebalance-status').dataset.previews = String(Number(el('rebalance-status').dataset.previews || 0) + 1);
  const moved = json.moved.map((m) => m.building);
  if (map.getLayer('buildings-moved')) map.setFilter('buildings-moved', ['in', ['get', 'id'], ['literal', moved]]);
  say(t('previewSummary', {
    version: json.base_version, moved: json.buildings_moved, buildings: json.buildings,
    changed: json.grids.features.length, retired: json.retired.length, workers: json.affected_workers.length,
    band: outsideBand(json.outside_band || []),
  }));
  el('rebalance-commit').disabled = false;
}

async function runCommit(map, reload) {
  if (!preview) return;
  const { status, json } = await post({ ...preview.body, commit: true, base_version: preview.result.base_version });
  if (status !== 200) { sayProblem(status, json); return; }
  say(t('committedVersion', { version: json.version }));
  reset(map);
  await reload();
}

/// Adds the tools to the planner view.
export function setupRebalance(map, reload) {
  el('rebalance').hidden = false;
  map.addSource('rebalance-line', { type: 'geojson', data: EMPTY });
  map.addSource('rebalance-grids', { type: 'geojson', data: EMPTY });
  map.addSource('rebalance-communities', { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'rebalance-picked', type: 'line', source: 'communities', 'source-layer': 'communities', filter: ['in', ['get', 'code'], ['literal', []]], paint: { 'line-color': '#8e44ad', 'line-width': 4 } });
  map.addLayer({ id: 'rebalance-grids-fill', type: 'fill', source: 'rebalance-grids', paint: { 'fill-color': ['case', ['==', ['get', 'within_band'], false], '#e74c3c', ['match', ['get', 'change'], 'new', '#f39c12', '#f7dc6f']], 'fill-opacity': 0.45 } });
  map.addLayer({ id: 'rebalance-grids-line', type: 'line', source: 'rebalance-grids', paint: { 'line-color': '#d35400', 'line-width': 1.5 } });
  map.addLayer({ id: 'rebalance-communities-line', type: 'line', source: 'rebalance-communities', paint: { 'line-color': '#1e8449', 'line-width': 3, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'rebalance-communities-fill', type: 'fill', source: 'rebalance-communities', paint: { 'fill-color': '#1e8449', 'fill-opacity': 0.04 } });
  // Each new community labelled with the code and name it will get.
  map.addLayer({ id: 'rebalance-communities-label', type: 'symbol', source: 'rebalance-communities', layout: { 'text-field': ['format', ['get', 'name'], { 'font-scale': 1.1 }, '\n', {}, ['get', 'code'], { 'font-scale': 0.8 }], 'text-font': ['Noto Sans Regular'], 'text-size': 14, 'text-allow-overlap': true }, paint: { 'text-color': '#145a32', 'text-halo-color': '#fff', 'text-halo-width': 2 } });
  map.addLayer({ id: 'rebalance-line-layer', type: 'line', source: 'rebalance-line', paint: { 'line-color': '#c0392b', 'line-width': 3 } });
  if (map.getSource('buildings')) {
    map.addLayer({ id: 'buildings-moved', type: 'fill', source: 'buildings', 'source-layer': 'buildings', filter: ['in', ['get', 'id'], ['literal', []]], paint: { 'fill-color': '#e74c3c', 'fill-opacity': 0.9 } });
  }

  el('rebalance-split').addEventListener('click', () => {
    reset(map); mode = 'split'; map.getCanvas().style.cursor = 'crosshair';
    say(t('splitHint'));
  });
  el('rebalance-merge').addEventListener('click', () => {
    reset(map); mode = 'merge'; map.getCanvas().style.cursor = 'crosshair';
    say(t('mergeHint'));
  });
  el('rebalance-cancel').addEventListener('click', () => { reset(map); say(''); });
  el('rebalance-preview').addEventListener('click', () => runPreview(map));
  el('rebalance-commit').addEventListener('click', () => runCommit(map, reload));

  map.on('click', (e) => {
    if (!mode) return;
    if (mode === 'split' && preview) {
      // A click on a previewed piece opens its name for editing.
      const piece = map.queryRenderedFeatures(e.point, { layers: ['rebalance-communities-fill'] })[0];
      const index = piece ? preview.result.communities.features.findIndex((f) => f.properties.code === piece.properties.code) : -1;
      const row = el('rebalance-pieces').querySelector(`li[data-piece="${index}"] .piece-name`);
      if (row) { row.focus(); row.select(); }
      return;
    }
    const hit = map.queryRenderedFeatures(e.point, { layers: ['communities-fill'] })[0];
    if (mode === 'split' && picked.length === 0) {
      if (!hit) return;
      picked = [hit.properties.code];
      const street = hit.properties.code.slice(0, 9);
      el('rebalance-codes').value = `${hit.properties.code},${street}990`;
      say(t('drawHint'));
    } else if (mode === 'split') {
      line.push(e.lngLat.toArray());
      el('rebalance-preview').disabled = line.length < 2;
    } else if (hit) {
      const code = hit.properties.code;
      picked = picked.includes(code) ? picked.filter((c) => c !== code) : [...picked, code];
      el('rebalance-preview').disabled = picked.length < 2;
      say(`${t('picked')}: ${picked.join(', ')}`);
    }
    drawSketch(map);
  });
}
