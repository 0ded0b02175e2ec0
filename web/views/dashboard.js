// The leaders' dashboard (考核): for a period and a level, every unit ranked by the chosen
// indicator (click a heading to rank by it, a row to go one level down), the trend of the
// area shown, the map coloured by the indicator with its legend, and the table as Excel.
import { t, currentLanguage } from '/i18n.js';
import { api, token } from '/api.js';
import { describeError, escapeHtml, renderLegend, status } from '/shell.js';

/// The indicators, how each is shown, and whether more is better (for colours and ranks).
const INDICATORS = [
  { key: 'reported', kind: 'count', word: 'incidentsN', better: null },
  { key: 'closure_rate', kind: 'rate', better: 'high' },
  { key: 'on_time_rate', kind: 'rate', better: 'high' },
  { key: 'median_hours_to_close', kind: 'hours', better: 'low' },
  { key: 'overdue_now', kind: 'count', word: 'incidentsN', better: 'low' },
  { key: 'returned_share', kind: 'rate', better: 'low' },
  { key: 'satisfaction_rate', kind: 'rate', better: 'high' },
  { key: 'patrol_coverage', kind: 'rate', better: 'high' },
  { key: 'grids_without_worker', kind: 'count', word: 'gridsN', better: 'low' },
  { key: 'workers_per_10k_residents', kind: 'ratio', better: 'high' },
];
const LEVELS = ['district', 'street', 'community', 'grid', 'worker'];
/// The next level down from each (a row's click).
const DOWN = { district: 'street', street: 'community', community: 'grid' };
const CODE_DIGITS = { district: 6, street: 9, community: 12, grid: 15 };
/// Colours from worst to best.
const RAMP = ['#c0392b', '#e67e22', '#f4d03f', '#82e0aa', '#1e8449'];
const NEUTRAL_RAMP = ['#fdebd0', '#f8c471', '#eb984e', '#ca6f1e', '#873600'];

const state = {
  level: 'street',
  within: [], // the codes drilled into, outermost first
  indicator: 'closure_rate',
  sortDescending: true,
  preset: 'last30',
  from: '',
  to: '',
  step: 'day',
  data: null,
  trend: null,
};

/// A local date as an input's value (YYYY-MM-DD).
function dateValue(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/// The preset periods, as first and last local days.
function presetDays(preset, now = new Date()) {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  switch (preset) {
    case 'thisMonth': return [new Date(today.getFullYear(), today.getMonth(), 1), today];
    case 'lastMonth': return [new Date(today.getFullYear(), today.getMonth() - 1, 1), new Date(today.getFullYear(), today.getMonth(), 0)];
    case 'thisYear': return [new Date(today.getFullYear(), 0, 1), today];
    default: return [new Date(today.getFullYear(), today.getMonth(), today.getDate() - 29), today];
  }
}

/// The period as the API takes it: from the first day's local midnight to the midnight after
/// the last day.
function periodQuery() {
  const [fy, fm, fd] = state.from.split('-').map(Number);
  const [ty, tm, td] = state.to.split('-').map(Number);
  const from = new Date(fy, fm - 1, fd).toISOString();
  const to = new Date(ty, tm - 1, td + 1).toISOString();
  return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
}

function within() {
  return state.within[state.within.length - 1] || '';
}

/// A figure as people read it, with its measure word.
export function formatFigure(indicator, value) {
  if (value === null || value === undefined) return '—';
  const spec = INDICATORS.find((i) => i.key === indicator);
  switch (spec?.kind) {
    case 'rate': return `${(value * 100).toFixed(1)}%`;
    case 'hours': return t('hoursN', { n: value.toFixed(1) });
    case 'ratio': return t('perTenK', { n: value.toFixed(1) });
    case 'count': return t(spec.word, { n: value });
    default: return String(value);
  }
}

export function setup(ctx) {
  document.body.classList.add('wide');
  document.getElementById('search-box').hidden = true;
  const box = document.getElementById('dashboard');
  document.getElementById('auth').after(box); // the figures first, the layers below
  box.hidden = !ctx.showInternal;
  if (!ctx.showInternal) return;
  [state.from, state.to] = presetDays(state.preset).map(dateValue);
  const $ = (id) => document.getElementById(id);
  $('dash-preset').addEventListener('change', (e) => {
    state.preset = e.target.value;
    if (state.preset !== 'custom') [state.from, state.to] = presetDays(state.preset).map(dateValue);
    load(ctx);
  });
  for (const [id, key] of [['dash-from', 'from'], ['dash-to', 'to']]) {
    $(id).addEventListener('change', (e) => { state[key] = e.target.value; state.preset = 'custom'; load(ctx); });
  }
  $('dash-level').addEventListener('change', (e) => { state.level = e.target.value; state.within = []; load(ctx); });
  $('dash-indicator').addEventListener('change', (e) => { state.indicator = e.target.value; render(ctx); });
  $('dash-step').addEventListener('change', (e) => { state.step = e.target.value; loadTrend(ctx); });
  $('dash-export').addEventListener('click', () => exportWorkbook());
  renderControls();
}

export async function onLoad(ctx) {
  if (!ctx.showInternal) return;
  const { map } = ctx;
  for (const id of ['communities-fill', 'grids-fill']) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', 'none');
  }
  for (const [id, source] of [['dashboard-communities', 'communities'], ['dashboard-grids', 'grids']]) {
    if (!map.getSource(source) || map.getLayer(id)) continue;
    map.addLayer({ id, type: 'fill', source, 'source-layer': source, paint: { 'fill-color': '#eeeeee', 'fill-opacity': 0.7 } }, `${source}-line`);
  }
  await load(ctx);
}

export function onFeature() {}

export function onLanguage(ctx) {
  renderControls();
  render(ctx);
  renderTrend();
}

function renderControls() {
  const $ = (id) => document.getElementById(id);
  const options = (values, label, chosen) => values.map((v) => `<option value="${v}"${v === chosen ? ' selected' : ''}>${escapeHtml(label(v))}</option>`).join('');
  $('dash-preset').innerHTML = options(['last30', 'thisMonth', 'lastMonth', 'thisYear', 'custom'], (v) => t(`period_${v}`), state.preset);
  $('dash-level').innerHTML = options(LEVELS, (v) => t('byLevel', { level: t(`level_${v}`) }), state.level);
  $('dash-indicator').innerHTML = options(INDICATORS.map((i) => i.key), (v) => t(`ind_${v}`), state.indicator);
  $('dash-step').innerHTML = options(['day', 'week', 'month'], (v) => t(`step_${v}`), state.step);
  $('dash-from').value = state.from;
  $('dash-to').value = state.to;
}

async function load(ctx) {
  renderControls();
  const line = document.getElementById('dash-status');
  line.textContent = t('loading');
  try {
    const area = within() ? `&within=${within()}` : '';
    state.data = await api(`/api/dashboard?level=${state.level}&${periodQuery()}${area}`);
    document.getElementById('dashboard').dataset.query = `level=${state.level}&${periodQuery()}${area}`;
    line.textContent = '';
    render(ctx);
    await loadTrend(ctx);
  } catch (error) {
    line.textContent = describeError(error);
    status(describeError(error));
  }
}

async function loadTrend(ctx) {
  const unit = within() ? `&unit=${within()}` : '';
  try {
    state.trend = await api(`/api/dashboard/trend?step=${state.step}&${periodQuery()}${unit}`);
    renderTrend();
  } catch (error) {
    document.getElementById('dash-status').textContent = describeError(error);
  }
  document.getElementById('dashboard').dataset.loaded = 'true';
  ctx.map.triggerRepaint();
}

/// Units ranked by the indicator: the better first where more or less is better.
function ranked(rows) {
  const spec = INDICATORS.find((i) => i.key === state.indicator);
  const key = state.indicator;
  const sign = spec.better === 'low' ? 1 : -1;
  const order = state.sortDescending ? sign : -sign;
  return [...rows].sort((a, b) => {
    const [x, y] = [a[key], b[key]];
    if (x === null && y === null) return a.key.localeCompare(b.key);
    if (x === null) return 1;
    if (y === null) return -1;
    return (x - y) * order || a.key.localeCompare(b.key);
  });
}

function render(ctx) {
  if (!state.data) return;
  renderBreadcrumb(ctx);
  renderTotals();
  renderTable(ctx);
  colourMap(ctx);
}

function renderBreadcrumb(ctx) {
  const crumbs = [`<a href="#" data-depth="0">${escapeHtml(t('allDistrict'))}</a>`];
  state.within.forEach((code, i) => {
    const name = i === state.within.length - 1 ? (state.data.total.name || code) : code;
    crumbs.push(`<a href="#" data-depth="${i + 1}">${escapeHtml(name)}</a>`);
  });
  const nav = document.getElementById('dash-crumbs');
  nav.innerHTML = crumbs.join(' › ');
  for (const a of nav.querySelectorAll('a')) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const depth = Number(a.dataset.depth);
      state.within = state.within.slice(0, depth);
      state.level = depth === 0 ? 'street' : DOWN[levelOfCode(state.within[depth - 1])] || 'grid';
      load(ctx);
    });
  }
}

function levelOfCode(code) {
  return Object.keys(CODE_DIGITS).find((l) => CODE_DIGITS[l] === code.length) || 'district';
}

function renderTotals() {
  const total = state.data.total;
  const items = ['reported', 'closure_rate', 'on_time_rate', 'median_hours_to_close', 'overdue_now', 'satisfaction_rate', 'patrol_coverage', 'grids_without_worker', 'workers_per_10k_residents'];
  document.getElementById('dash-totals').innerHTML = items.map((k) => `<div class="tile" data-key="${k}"><span>${escapeHtml(t(`ind_${k}`))}</span><b>${escapeHtml(formatFigure(k, total[k]))}</b></div>`).join('')
    + `<p class="hint">${escapeHtml(t('normNote', { n: state.data.norm_workers_per_10k_residents }))}</p>`;
}

function renderTable(ctx) {
  const columns = INDICATORS.map((i) => i.key);
  const rows = ranked(state.data.rows);
  const head = `<tr><th>${escapeHtml(t('rank'))}</th><th>${escapeHtml(t(`level_${state.level}`))}</th>${columns.map((c) => `<th data-key="${c}" class="${c === state.indicator ? 'sorted' : ''}">${escapeHtml(t(`ind_${c}`))}</th>`).join('')}</tr>`;
  const body = rows.map((r, i) => `<tr data-key="${escapeHtml(r.key)}"><td>${i + 1}</td><td>${escapeHtml(r.name || r.key)}</td>${columns.map((c) => `<td data-key="${c}">${escapeHtml(formatFigure(c, r[c]))}</td>`).join('')}</tr>`).join('');
  const table = document.getElementById('dash-table');
  table.innerHTML = `<thead>${head}</thead><tbody>${body || `<tr><td colspan="${columns.length + 2}">${escapeHtml(t('dashEmpty'))}</td></tr>`}</tbody>`;
  for (const th of table.querySelectorAll('th[data-key]')) {
    th.addEventListener('click', () => {
      if (state.indicator === th.dataset.key) state.sortDescending = !state.sortDescending;
      state.indicator = th.dataset.key;
      renderControls();
      render(ctx);
    });
  }
  for (const tr of table.querySelectorAll('tbody tr[data-key]')) {
    tr.addEventListener('click', () => {
      const down = DOWN[state.level];
      if (!down) return;
      state.within.push(tr.dataset.key);
      state.level = down;
      load(ctx);
    });
  }
  document.getElementById('dash-hint').textContent = DOWN[state.level] ? t('drillHint') : '';
}

/// Communities (or grids) coloured by the indicator of the unit holding them.
function colourMap(ctx) {
  const { map } = ctx;
  const spec = INDICATORS.find((i) => i.key === state.indicator);
  const digits = CODE_DIGITS[state.level];
  const layerId = state.level === 'grid' ? 'dashboard-grids' : 'dashboard-communities';
  for (const id of ['dashboard-grids', 'dashboard-communities']) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', digits && id === layerId ? 'visible' : 'none');
  }
  if (!digits || !map.getLayer(layerId)) {
    renderLegend(map, []);
    return;
  }
  const values = state.data.rows.map((r) => r[state.indicator]).filter((v) => v !== null && v !== undefined);
  const ramp = spec.better === null ? NEUTRAL_RAMP : spec.better === 'high' ? RAMP : [...RAMP].reverse();
  const [low, high] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  const stops = ramp.map((colour, i) => [low + ((high - low) * i) / (ramp.length - 1 || 1), colour]);
  const colourOf = (v) => {
    if (v === null || v === undefined) return '#eeeeee';
    if (high === low) return ramp[ramp.length - 1];
    const i = Math.round(((v - low) / (high - low)) * (ramp.length - 1));
    return ramp[Math.max(0, Math.min(ramp.length - 1, i))];
  };
  const pairs = state.data.rows.flatMap((r) => [r.key, colourOf(r[state.indicator])]);
  const unitOf = ['slice', ['get', 'code'], 0, digits];
  map.setPaintProperty(layerId, 'fill-color', pairs.length ? ['match', unitOf, ...pairs, '#eeeeee'] : '#eeeeee');
  const legendPaint = high === low ? ramp[ramp.length - 1] : ['interpolate', ['linear'], ['get', 'v'], ...stops.flat()];
  renderLegend(map, [{ id: 'dashboard-legend', type: 'fill', paint: { 'fill-color': legendPaint }, legend: { title: `ind_${state.indicator}`, format: (v) => formatFigure(state.indicator, spec.kind === 'count' ? Math.round(v) : v) } }]);
}

/// Reported and closed per period as bars, the on-time rate as a line.
function renderTrend() {
  const svg = document.getElementById('dash-trend');
  const points = state.trend?.points || [];
  const width = 520;
  const height = 150;
  const pad = { left: 34, right: 34, top: 10, bottom: 22 };
  const max = Math.max(1, ...points.map((p) => p.reported));
  const w = (width - pad.left - pad.right) / Math.max(points.length, 1);
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  const yRate = (r) => pad.top + (height - pad.top - pad.bottom) * (1 - r);
  const bars = points.map((p, i) => {
    const x = pad.left + i * w;
    const title = `${p.start} · ${t('ind_reported')} ${formatFigure('reported', p.reported)} · ${t('closed')} ${p.closed}`;
    return `<g><title>${escapeHtml(title)}</title><rect class="reported" x="${x + w * 0.1}" y="${y(p.reported)}" width="${w * 0.8}" height="${y(0) - y(p.reported)}"></rect>`
      + `<rect class="closed" x="${x + w * 0.3}" y="${y(p.closed)}" width="${w * 0.4}" height="${y(0) - y(p.closed)}"></rect></g>`;
  }).join('');
  const line = points.map((p, i) => (p.on_time_rate === null ? null : `${pad.left + (i + 0.5) * w},${yRate(p.on_time_rate)}`)).filter(Boolean).join(' ');
  const label = (i) => {
    const [yy, mm, dd] = points[i].start.split('-').map(Number);
    return currentLanguage() === 'zh' ? (state.step === 'month' ? `${yy}年${mm}月` : `${mm}月${dd}日`) : points[i].start;
  };
  const ticks = points.length ? [0, Math.floor((points.length - 1) / 2), points.length - 1].filter((v, i, a) => a.indexOf(v) === i) : [];
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.innerHTML = `${bars}<polyline class="on-time" points="${line}"></polyline>`
    + `<text x="2" y="${pad.top + 8}">${max}</text><text x="${width - pad.right + 2}" y="${pad.top + 8}">100%</text>`
    + ticks.map((i) => `<text x="${pad.left + (i + 0.5) * w}" y="${height - 6}" text-anchor="middle">${escapeHtml(label(i))}</text>`).join('');
  document.getElementById('dash-trend-caption').innerHTML = `<span class="key reported"></span>${escapeHtml(t('ind_reported'))} <span class="key closed"></span>${escapeHtml(t('closed'))} <span class="key on-time"></span>${escapeHtml(t('ind_on_time_rate'))}`;
}

async function exportWorkbook() {
  const line = document.getElementById('dash-status');
  line.textContent = t('downloading');
  const area = within() ? `&within=${within()}` : '';
  try {
    const response = await fetch(`/api/dashboard/export.xlsx?level=${state.level}&step=${state.step}&${periodQuery()}${area}`, { headers: { Authorization: `Bearer ${token()}` } });
    if (!response.ok) throw new Error(String(response.status));
    const url = URL.createObjectURL(await response.blob());
    const a = Object.assign(document.createElement('a'), { href: url, download: '考核统计.xlsx' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    line.textContent = t('downloaded', { name: '考核统计.xlsx' });
  } catch (e) {
    line.textContent = t('downloadFailed', { detail: e.message });
  }
}
