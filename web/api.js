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
  if (status < 200 || status >= 300) throw problemError(status, json);
  return json;
}

/// An Error for a problem+json answer: `status`, the problem's `kind` (the last part of its
/// `type`), the `field` it names and the server's English `detail` (the message).
export function problemError(status, json) {
  const error = new Error(json.detail || String(status));
  error.status = status;
  error.kind = String(json.type || '').split('/').pop();
  error.field = json['invalid-params']?.[0]?.name;
  error.reason = json['invalid-params']?.[0]?.reason;
  return error;
}

/// Uploads a photo (a File or Blob) and answers its id.
export async function uploadPhoto(blob) {
  const response = await fetch('/api/photos', {
    method: 'POST',
    headers: { ...(token() ? { Authorization: `Bearer ${token()}` } : {}), 'Content-Type': blob.type || 'application/octet-stream' },
    body: blob,
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw problemError(response.status, json);
  return json.id;
}

/// An object URL for a photo's thumbnail (or the photo), fetched with the token: an <img>
/// cannot send it.
export async function photoUrl(id, rendition = 'thumbnail') {
  const path = rendition === 'thumbnail' ? `/api/photos/${encodeURIComponent(id)}/thumbnail` : `/api/photos/${encodeURIComponent(id)}`;
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  if (!response.ok) throw problemError(response.status, await response.json().catch(() => ({})));
  return URL.createObjectURL(await response.blob());
}
