// The planner's workers list with sign-in codes: each worker's phone app is signed in by a
// QR code printed here (a new token each time; the token is shown only on the printed sheet).
import { t } from '/i18n.js';
import { api } from '/api.js';
import { describeError, escapeHtml } from '/shell.js';

let workers = [];

/// Adds the workers section to the planner's panel.
export async function setupSignInCodes() {
  const section = document.createElement('section');
  section.id = 'sign-in-codes';
  section.innerHTML = `<h2>${escapeHtml(t('signInCodes'))}</h2>
    <input id="worker-search" type="search" placeholder="${escapeHtml(t('searchWorker'))}">
    <ul id="worker-list" class="plain"></ul><p class="hint" id="sign-in-status"></p>`;
  document.getElementById('details').before(section);
  try {
    workers = (await api('/api/workers?limit=20000')).features.map((f) => f.properties).filter((w) => !w.retired_at);
  } catch (error) {
    document.getElementById('sign-in-status').textContent = describeError(error);
    return;
  }
  const render = (q) => {
    const shown = workers.filter((w) => !q || w.name.includes(q) || w.id.includes(q) || (w.grids || []).some((g) => g.includes(q))).slice(0, 30);
    const list = document.getElementById('worker-list');
    list.innerHTML = shown.map((w) => `<li><span>${escapeHtml(w.name)} <span class="hint">${escapeHtml((w.grids || []).join('、'))}</span></span>
      <button type="button" data-worker="${escapeHtml(w.id)}">${escapeHtml(t('printSignInCode'))}</button></li>`).join('');
    for (const b of list.querySelectorAll('button')) b.addEventListener('click', () => printCode(b.dataset.worker));
  };
  document.getElementById('worker-search').addEventListener('input', (e) => render(e.target.value.trim()));
  render('');
}

async function printCode(worker) {
  const line = document.getElementById('sign-in-status');
  try {
    const code = await api(`/api/workers/${encodeURIComponent(worker)}/sign-in-code`, { method: 'POST' });
    const sheet = window.open('', '_blank');
    if (!sheet) { line.textContent = t('popupBlocked'); return; }
    sheet.document.write(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(code.name)}</title>
      <style>body{font-family:"Noto Sans CJK SC",sans-serif;text-align:center;padding:24px}svg{width:260px;height:260px}</style></head>
      <body><h1>${escapeHtml(code.name)}</h1>${code.svg}<p>${escapeHtml(t('signInSheetHint'))}</p>
      <p style="font-size:11px;color:#888">${escapeHtml(code.url.replace(/#.*/, ''))}</p></body></html>`);
    sheet.document.close();
    sheet.focus();
    sheet.print();
    line.textContent = t('signInCodePrinted', { name: code.name });
  } catch (error) {
    line.textContent = describeError(error);
  }
}
