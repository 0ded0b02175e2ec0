// The one way the web app talks to the server: the signed-in token and fetch helpers.

const TOKEN_KEY = 'gridmap.token';

/// The token saved in this browser ('' when none).
export function token() { return localStorage.getItem(TOKEN_KEY) || ''; }

// Only the internal views (planner, dispatch) send the token: the public map never does.
let sendToken = false;

/// Whether requests carry the saved token (set once by the view).
export function useToken(on) { sendToken = on; }

/// Saves (or, with '', forgets) the token.
export function saveToken(value) { localStorage.setItem(TOKEN_KEY, value.trim()); }

function headers(extra, withToken, json) {
  const h = { ...extra };
  if (withToken && token()) h.Authorization = `Bearer ${token()}`;
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

/// Sends a request and answers `{ status, json }` whatever the status (callers that treat
/// 409 apart use this).
export async function request(path, { method = 'GET', body, headers: extra = {}, withToken = sendToken } = {}) {
  const response = await fetch(path, {
    method,
    headers: headers(extra, withToken, body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  return { status: response.status, json };
}

/// Sends a request and answers its JSON; a refusal throws an Error carrying the problem's
/// `detail` and the HTTP `status`.
export async function api(path, options = {}) {
  const { status, json } = await request(path, options);
  if (status < 200 || status >= 300) {
    const error = new Error(json.detail || String(status));
    error.status = status;
    throw error;
  }
  return json;
}
