// The planner's view: grids coloured by deviation, households per grid as a histogram
// (the band from the server's target and tolerance), a partition preview of a clicked
// community, and the split/merge tools.
import { t } from '/i18n.js';
import { api } from '/api.js';
import { loadSummary, reloadSource, status } from '/shell.js';
import { setupRebalance } from '/rebalance.js';
import { setupSignInCodes } from '/sign_in_codes.js';

export function setup() {}

/// Households per base grid as a histogram (green: within the tolerance band).
async function loadHistogram(config) {
  const section = document.getElementById('stats');
  section.hidden = false;
  try {
    const grids = await api('/api/grids');
    const values = grids.features.filter((f) => f.properties.kind !== 'dedicated').map((f) => f.properties.households);
    const { target_households: target, tolerance } = config;
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
      return `<rect class="${within ? 'within' : ''}" x="${i * bar + 1}" y="${height - h}" width="${bar - 2}" height="${h}"><title>${from}–${from + step}: ${c}</title></rect>`;
    }).join('') + `<text x="0" y="115">0</text><text x="${width / 2 - 8}" y="115">${target}</text><text x="${width - 20}" y="115">${hi}</text>`;
    const within = values.filter((v) => v >= low && v <= high).length;
    const pct = Math.round(tolerance * 100);
    document.getElementById('histogram-caption').textContent = `${t('histogramTitle')} · ${values.length} ${t('grids')} · ${((within / Math.max(1, values.length)) * 100).toFixed(1)}% ${t('gridsWithin', { pct })}`;
    section.dataset.grids = String(values.length);
  } catch (error) {
    status(error.message);
  }
}

export async function onLoad(ctx) {
  if (!ctx.showInternal) return;
  loadHistogram(ctx.config);
  setupSignInCodes();
  setupRebalance(ctx.map, async () => {
    for (const id of ['communities', 'grids', 'buildings', 'basemap']) reloadSource(ctx.map, id);
    await Promise.all([loadSummary(), loadHistogram(ctx.config)]);
  });
}

/// A partition preview of a clicked community (nothing is written).
export function onFeature(ctx, layer, properties, at, box) {
  if (layer !== 'communities' || !ctx.showInternal) return;
  box.insertAdjacentHTML('beforeend', `<div class="row"><button type="button" id="partition-preview">${t('partitionPreview')}</button></div><p class="hint" id="partition-result"></p>`);
  document.getElementById('partition-preview').addEventListener('click', async () => {
    try {
      const preview = await api('/api/partition', { method: 'POST', body: { community: properties.code, dry_run: true } });
      ctx.map.getSource('partition-preview').setData(preview.grids);
      const m = preview.metrics;
      document.getElementById('partition-result').textContent = `${t('partitionOf')}${m.grids} ${t('grids')} · ${(m.within_10_percent * 100).toFixed(1)}% ${t('gridsWithin', { pct: 10 })}`;
    } catch (error) {
      status(`${error.status || ''} ${error.message}`);
    }
  });
}
