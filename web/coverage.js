// The planner's life-circle coverage: for a station kind, each area's share of households
// within a 300 / 500 / 1,000 m walk beside the straight-line share, the buildings left
// uncovered on the map, and new-site suggestions previewed on the map and exported.
import { t } from '/i18n.js';
import { api, problemError, token } from '/api.js';
import { EMPTY, describeError, escapeHtml, status } from '/shell.js';

const TIERS = [300, 500, 1000];

const $ = (id) => document.getElementById(id);

function percent(share) {
  return share == null ? '–' : `${(share * 100).toFixed(1)}%`;
}

/// One row per area: households, then walk / straight per tier; the gap marked where the
/// walk covers a fifth fewer households than the line.
function renderTable(told, kind) {
  const rows = [...told.areas].sort((a, b) => {
    const walk = (x) => x.kinds[0].tiers[TIERS.length - 1].walk_share ?? 1;
    return walk(a) - walk(b);
  });
  const head = `<tr><th>${t('area')}</th><th>${t('households')}</th>${TIERS.map((m) => `<th>${t('withinM', { m })}<br><small>${t('walkOverStraight')}</small></th>`).join('')}</tr>`;
  const row = (a, cls = '') => {
    const tiers = a.kinds[0].tiers.map((x) => {
      const far = (x.straight_share ?? 0) - (x.walk_share ?? 0) >= 0.2;
      return `<td class="${far ? 'far' : ''}">${percent(x.walk_share)} / ${percent(x.straight_share)}</td>`;
    }).join('');
    return `<tr class="${cls}" data-code="${escapeHtml(a.code)}"><td>${escapeHtml(a.name || a.code || t('allDistrict'))}</td><td>${a.households.toLocaleString('zh-CN')}</td>${tiers}</tr>`;
  };
  $('coverage-table').innerHTML = head + row(told.total, 'total') + rows.map((a) => row(a)).join('');
  const off = told.stations_off_network.length;
  $('coverage-status').textContent = t('coverageCaption', {
    kind: t(kind), areas: told.areas.length, off, buildings: told.buildings_off_network,
  });
  $('coverage-table').dataset.areas = String(told.areas.length);
}

async function loadCoverage() {
  const kind = $('coverage-kind').value;
  const level = $('coverage-level').value;
  $('coverage-status').textContent = t('loading');
  try {
    const told = await api(`/api/coverage?level=${level}&kinds=${kind}&tiers=${TIERS.join(',')}`);
    renderTable(told, kind);
  } catch (error) {
    $('coverage-status').textContent = describeError(error);
  }
}

async function loadUncovered(map) {
  const source = map.getSource('coverage-uncovered');
  if (!$('coverage-show-uncovered').checked) {
    source.setData(EMPTY);
    return;
  }
  const kind = $('coverage-kind').value;
  const within = $('coverage-within').value;
  try {
    const found = await api(`/api/coverage/buildings?kind=${kind}&within_m=${within}&covered=no&limit=20000`);
    source.setData(found);
    const households = found.features.reduce((n, f) => n + f.properties.households, 0);
    status(t('uncoveredShown', { n: found.features.length, households, m: within, more: found.truncated ? t('truncated') : '' }));
  } catch (error) {
    status(describeError(error));
  }
}

/// The request the suggestion tools make, from the form.
function suggestionBody() {
  const from = $('suggest-from').value;
  const candidates = from === 'nodes' ? { from, spacing_m: 150 }
    : from === 'buildings' ? { from, kinds: ['public', 'market', 'other', 'enterprise'] }
      : { from: 'land', classes: ['park', 'grass', 'commercial', 'institutional', 'other'] };
  return {
    kind: $('coverage-kind').value,
    within_m: Number($('coverage-within').value),
    k: Number($('suggest-k').value),
    candidates,
  };
}

let lastSuggestion = null;

async function suggest(map) {
  const result = $('suggest-result');
  result.textContent = t('suggesting');
  $('suggest-list').innerHTML = '';
  try {
    const s = await api('/api/coverage/suggestions', { method: 'POST', body: suggestionBody() });
    lastSuggestion = s;
    map.getSource('site-suggestions').setData(s.sites);
    $('suggest-list').innerHTML = s.sites.features.map((f) => {
      const p = f.properties;
      return `<li>${escapeHtml(p.label)}：${t('addsHouseholds', { n: p.adds_households.toLocaleString('zh-CN'), r: p.adds_residents.toLocaleString('zh-CN') })}</li>`;
    }).join('');
    const exact = s.exact ? t('exactGap', { gap: (s.exact.gap * 100).toFixed(2) }) : t('boundGap', { gap: (s.gap_at_most * 100).toFixed(2) });
    result.textContent = t('suggestSummary', {
      k: s.sites.features.length, candidates: s.candidates.toLocaleString('zh-CN'),
      before: percent(s.share_before), after: percent(s.share_after), exact,
    });
    result.dataset.sites = String(s.sites.features.length);
    $('suggest-geojson').disabled = false;
    $('suggest-xlsx').disabled = false;
  } catch (error) {
    result.textContent = describeError(error);
  }
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function exportXlsx() {
  const response = await fetch('/api/coverage/suggestions?format=xlsx', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(suggestionBody()),
  });
  if (!response.ok) throw problemError(response.status, await response.json().catch(() => ({})));
  save(await response.blob(), '选址建议.xlsx');
}

/// Wires the coverage section (planner with a token only).
export function setupCoverage(map) {
  $('coverage').hidden = false;
  $('coverage-run').addEventListener('click', () => { loadCoverage(); loadUncovered(map); });
  $('coverage-show-uncovered').addEventListener('change', () => loadUncovered(map));
  $('coverage-within').addEventListener('change', () => loadUncovered(map));
  $('suggest-run').addEventListener('click', () => suggest(map));
  $('suggest-geojson').addEventListener('click', () => {
    if (lastSuggestion) save(new Blob([JSON.stringify(lastSuggestion.sites)], { type: 'application/geo+json' }), '选址建议.geojson');
  });
  $('suggest-xlsx').addEventListener('click', () => exportXlsx().catch((e) => status(describeError(e))));
}
