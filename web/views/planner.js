// The planner's view: grids coloured by deviation, households per grid as a histogram
// (the band from the server's target and tolerance), a partition preview of a clicked
// community, the split/merge tools and life-circle coverage with new-site suggestions.
import { t } from '/i18n.js';
import { api } from '/api.js';
import { describeError, escapeHtml, loadSummary, reloadSource, status } from '/shell.js';
import { setupRebalance } from '/rebalance.js';
import { setupSignInCodes } from '/sign_in_codes.js';
import { setupCoverage } from '/coverage.js';

export function setup() {}

/// Households per base grid as a histogram (green: within the tolerance band). The share
/// within the band counts balanced grids only, as the partitioner does: grids flagged for an
/// oversized building, a small enclave or building sizes no plan can balance are shown apart.
async function loadHistogram(config) {
  const section = document.getElementById('stats');
  section.hidden = false;
  try {
    const grids = await api('/api/grids');
    const base = grids.features.filter((f) => f.properties.kind !== 'dedicated');
    const values = base.map((f) => f.properties.households);
    const balanced = base.filter((f) => (f.properties.flag || 'normal') === 'normal').map((f) => f.properties.households);
    const { target_households: target } = config;
    const { low, high } = config.within_band;
    const svg = document.getElementById('histogram');
    const bins = 24; const hi = 2 * target; const width = 296; const height = 100; const step = hi / bins;
    const counts = new Array(bins).fill(0);
    for (const v of values) counts[Math.min(bins - 1, Math.floor(v / step))] += 1;
    const top = Math.max(1, ...counts);
    const bar = width / bins;
    svg.innerHTML = counts.map((c, i) => {
      const from = i * step;
      const within = from >= low && from + step <= high;
      const h = (c / top) * height;
      return `<rect class="${within ? 'within' : ''}" x="${i * bar + 1}" y="${height - h}" width="${bar - 2}" height="${h}"><title>${from}–${from + step}: ${t('gridsN', { n: c })}</title></rect>`;
    }).join('') + `<text x="0" y="115">0</text><text x="${width / 2 - 8}" y="115">${target}</text><text x="${width - 20}" y="115">${hi}</text>`;
    const within = balanced.filter((v) => v >= low && v <= high).length;
    const share = ((within / Math.max(1, balanced.length)) * 100).toFixed(1);
    const flagged = values.length - balanced.length;
    document.getElementById('histogram-caption').textContent = t('histogramCaption', {
      grids: values.length, share, pct: Math.round(config.tolerance * 100), flagged,
    });
    section.dataset.grids = String(values.length);
    section.dataset.withinShare = share;
  } catch (error) {
    status(describeError(error));
  }
}

let reloadAll = async () => {};

export async function onLoad(ctx) {
  if (!ctx.showInternal) return;
  loadHistogram(ctx.config);
  setupSignInCodes();
  reloadAll = async () => {
    for (const id of ['communities', 'grids', 'buildings', 'basemap']) reloadSource(ctx.map, id);
    await Promise.all([loadSummary(), loadHistogram(ctx.config)]);
  };
  setupRebalance(ctx.map, () => reloadAll());
  setupCoverage(ctx.map);
}

/// The community under a click (whatever layer was hit): a partition preview of it, drawn
/// over the map, and its commit.
export function onFeature(ctx, layer, properties, at, box, community) {
  const target = layer === 'communities' ? properties : community;
  if (!target || !ctx.showInternal) return;
  const label = `${target.name || ''} ${target.code}`.trim();
  box.insertAdjacentHTML('beforeend', `<h2>${escapeHtml(t('partitionOfCommunity', { name: label }))}</h2>
    <div class="row"><button type="button" id="partition-preview">${t('partitionPreview')}</button>
    <button type="button" id="partition-commit" class="primary" disabled>${t('partitionCommit')}</button></div>
    <p class="hint" id="partition-result"></p>`);
  const result = document.getElementById('partition-result');
  const body = { community: target.code };
  const summary = (m) => t('partitionSummary', { grids: m.grids, share: (m.within_10_percent * 100).toFixed(1), flagged: m.oversized_grids + m.small_enclaves + m.unbalanceable });
  document.getElementById('partition-preview').addEventListener('click', async () => {
    result.textContent = t('loading');
    try {
      const preview = await api('/api/partition', { method: 'POST', body: { ...body, dry_run: true } });
      ctx.map.getSource('partition-preview').setData(preview.grids);
      result.textContent = `${t('partitionOf')}${summary(preview.metrics)}`;
      document.getElementById('partition-commit').disabled = false;
    } catch (error) {
      result.textContent = describeError(error);
    }
  });
  document.getElementById('partition-commit').addEventListener('click', async () => {
    document.getElementById('partition-commit').disabled = true;
    result.textContent = t('loading');
    try {
      const done = await api('/api/partition', { method: 'POST', body: { ...body, dry_run: false } });
      ctx.map.getSource('partition-preview').setData({ type: 'FeatureCollection', features: [] });
      result.textContent = `${t('partitionCommitted')}${summary(done.metrics)}`;
      result.dataset.committed = 'true';
      await reloadAll();
    } catch (error) {
      result.textContent = describeError(error);
    }
  });
}
