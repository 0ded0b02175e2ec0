// The dispatcher's view: incidents (H3 counts when zoomed out) and on-duty workers; a
// clicked incident lists the nearest on-duty workers, each with an assign button.
import { t } from '/i18n.js';
import { api } from '/api.js';
import { escapeHtml, reloadSource, status } from '/shell.js';

export function setup() {}

export async function onLoad() {}

/// The nearest on-duty workers to a clicked incident, each with an assign button.
export async function onFeature(ctx, layer, properties, at, box) {
  if (layer !== 'incidents' || !properties.id || !ctx.showInternal) return;
  try {
    const answer = await api(`/api/dispatch/nearest?lon=${at[0]}&lat=${at[1]}&k=5`);
    const items = answer.workers.map((w) => `<li><span>${escapeHtml(w.name)} · ${Math.round(w.distance_m)} ${t('metres')}${w.serves_grid ? ` · ${t('servesGrid')}` : ''}</span>`
      + `<button type="button" data-worker="${escapeHtml(w.worker)}">${t('assign')}</button></li>`);
    box.insertAdjacentHTML('beforeend', `<h2>${t('nearestWorkers')}</h2><ul id="nearest-workers">${items.join('')}</ul>`);
    for (const button of box.querySelectorAll('#nearest-workers button')) {
      button.addEventListener('click', async () => {
        try {
          await api(`/api/incidents/${encodeURIComponent(properties.id)}/steps`, { method: 'POST', body: { action: 'assign', worker: button.dataset.worker } });
          status(`${t('assignedTo')} ${button.dataset.worker}`);
          reloadSource(ctx.map, 'incidents');
        } catch (error) {
          status(`${error.status || ''} ${error.message}`);
        }
      });
    }
  } catch (error) {
    status(error.message);
  }
}
