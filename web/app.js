// gridmap web app: one page, four views (public, planner, dispatch, dashboard) chosen by the path.
// This file starts the map on the store's data and hands the view its part: each view is a
// module in views/ with setup (before the map loads), onLoad and onFeature (a click).
import * as maplibregl from '/vendor/maplibre-gl/maplibre-gl.mjs';
import { t } from '/i18n.js';
import { api, saveToken, token, useToken } from '/api.js';
import { LAYERS, loadSummary, renderLayerList, renderLegend, setupLanguage, setupSheet, showDetails, status } from '/shell.js';
import { busy } from '/rebalance.js';
import * as publicView from '/views/public.js';
import * as plannerView from '/views/planner.js';
import * as dispatchView from '/views/dispatch.js';
import * as dashboardView from '/views/dashboard.js';

const VIEW = location.pathname.startsWith('/planner') ? 'planner'
  : location.pathname.startsWith('/dispatch') ? 'dispatch'
    : location.pathname.startsWith('/dashboard') ? 'dashboard' : 'public';
const INTERNAL = VIEW !== 'public';
const view = { public: publicView, planner: plannerView, dispatch: dispatchView, dashboard: dashboardView }[VIEW];
useToken(INTERNAL);

// What the server says of itself: target, tolerance and the extent of its data.
const config = await api('/api/config', { withToken: false });

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

// The map opens on the store's data (a URL hash, when given, wins).
const extent = config.extent;
const map = new maplibregl.Map({
  container: 'map',
  ...(extent ? { bounds: [[extent[0], extent[1]], [extent[2], extent[3]]], fitBoundsOptions: { padding: 20 } } : { center: [0, 0], zoom: 1 }),
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
setupSheet(map);
window.gridmapMap = map; // for browser tests and the console
map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
map.on('error', (e) => console.error('map:', e.error?.message || e));

const ctx = { map, maplibregl, config, showInternal: SHOW_INTERNAL, view: VIEW };
const visible = new Set(shown);

/// Planner and dispatch: the token field.
function setupAuth() {
  if (!INTERNAL) return;
  document.getElementById('auth').hidden = false;
  document.getElementById('search-box').hidden = true;
  const input = document.getElementById('token');
  input.value = token();
  document.getElementById('save-token').addEventListener('click', () => {
    saveToken(input.value);
    location.reload();
  });
  showWhoIsSignedIn();
}

/// Who the saved token belongs to, once the server has said (`/api/me`).
let whoAmI = null;

/// Says who is signed in, with which role (or that the saved token is refused), in the
/// current language.
function renderWho() {
  const line = document.getElementById('auth-status');
  if (!whoAmI || !line) return;
  line.removeAttribute('data-i18n');
  line.textContent = whoAmI.signed_in
    ? t('signedInAs', { label: whoAmI.label, role: t(`role_${whoAmI.role}`) })
    : t(whoAmI.token === 'refused' ? 'badToken' : 'tokenHint');
  line.dataset.signedIn = String(whoAmI.signed_in);
}

async function showWhoIsSignedIn() {
  try {
    whoAmI = await api('/api/me');
    renderWho();
    setupDownloads();
  } catch {
    // The hint stays.
  }
}

/// Staff (dispatcher and up) download the grid ledger and the incident statistics as
/// Excel workbooks; the request carries the token, the file is saved under its Chinese name.
function setupDownloads() {
  const staff = whoAmI && whoAmI.signed_in && ['dispatcher', 'planner', 'admin'].includes(whoAmI.role);
  const box = document.getElementById('downloads');
  if (!box || !staff) return;
  box.hidden = false;
  const line = document.getElementById('download-status');
  const download = async (path, name) => {
    line.textContent = t('downloading');
    try {
      const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        throw new Error(problem.detail || String(response.status));
      }
      const url = URL.createObjectURL(await response.blob());
      const a = Object.assign(document.createElement('a'), { href: url, download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      line.textContent = t('downloaded', { name });
    } catch (e) {
      line.textContent = t('downloadFailed', { detail: e.message });
    }
  };
  document.getElementById('download-ledger').onclick = () => download('/api/exports/grid-ledger.xlsx', '网格台账.xlsx');
  document.getElementById('download-statistics').onclick = () => download('/api/exports/incident-statistics.xlsx', '事件统计.xlsx');
}

function setupClicks() {
  const clickable = ['stations-circle', 'incidents-circle', 'incident-cells-fill', 'workers-circle', 'buildings-fill', 'grids-fill', 'communities-fill'];
  map.on('click', (e) => {
    if (busy()) return;
    const hits = map.queryRenderedFeatures(e.point, { layers: clickable.filter((id) => map.getLayer(id)) });
    if (!hits.length) return;
    const hit = hits[0];
    const at = hit.geometry.type === 'Point' ? hit.geometry.coordinates : e.lngLat.toArray();
    const layer = hit.sourceLayer === 'incident_cells' ? 'incidents' : hit.source;
    // The community under the click, whatever is drawn above it (the planner acts on it).
    const community = hits.find((h) => h.source === 'communities')?.properties;
    const box = showDetails(layer, hit.properties);
    view.onFeature(ctx, layer, hit.properties, at, box, community);
  });
  for (const id of clickable) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }
}

setupLanguage(VIEW, () => { renderLayerList(map, VIEW, visible); loadSummary(); renderWho(); renderLegend(map); view.onLanguage?.(ctx); });
setupAuth();
view.setup(ctx);
renderLayerList(map, VIEW, visible);

map.on('load', async () => {
  status(t('loading'));
  renderLegend(map);
  await Promise.all([view.onLoad(ctx), loadSummary()]);
  setupClicks();
  status(INTERNAL && !token() ? t('noToken') : `${t('loaded')} · ${VIEW}`);
  // Ready for tests and screenshots once everything requested so far is drawn.
  map.once('idle', () => { document.body.dataset.ready = 'true'; });
  map.triggerRepaint();
});
