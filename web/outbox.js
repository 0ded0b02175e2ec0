// The worker app's outbox: reports made without a connection, kept in IndexedDB (photos as
// Blobs) and sent when the connection is back. Each report has its Idempotency-Key from the
// moment it is made, so a report whose answer was lost is never recorded twice.
import { problemError, token, uploadPhoto } from '/api.js';

const DB = 'gridmap-worker';
const STORE = 'outbox';

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'key' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(result.result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

/// Every report waiting, oldest first.
export async function pending() {
  const all = await run('readonly', (s) => s.getAll());
  return all.sort((a, b) => a.created - b.created);
}

/// Keeps a report (its JSON body without photos, and the photos as Blobs).
export async function keep(body, photos) {
  const item = { key: crypto.randomUUID(), created: Date.now(), body, photos, failure: null };
  await run('readwrite', (s) => s.put(item));
  return item;
}

export async function forget(key) { await run('readwrite', (s) => s.delete(key)); }

async function markFailed(item, failure) { await run('readwrite', (s) => s.put({ ...item, failure })); }

let sending = null;

/// Sends what waits, in order. A report the server refuses (4xx) stays with its reason for
/// the worker to see; one that meets no connection stops the round (tried again later).
/// Answers how many were sent.
export function flush() {
  if (!sending) sending = send().finally(() => { sending = null; });
  return sending;
}

async function send() {
  let sent = 0;
  for (const item of await pending()) {
    if (item.failure) continue;
    try {
      const photos = [];
      for (const blob of item.photos) photos.push(await uploadPhoto(blob));
      const response = await fetch('/api/incidents', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json', 'Idempotency-Key': item.key },
        body: JSON.stringify({ ...item.body, photos }),
      });
      const json = await response.json().catch(() => ({}));
      if (response.ok) {
        await forget(item.key);
        sent += 1;
      } else if (response.status >= 500 || response.status === 429 || response.status === 408) {
        return sent; // the server is busy or failing: later
      } else {
        await markFailed(item, { status: response.status, json });
      }
    } catch (error) {
      if (error.status && error.status < 500 && error.status !== 429) {
        await markFailed(item, { status: error.status, json: { type: `/api/problems/${error.kind}`, detail: error.message } });
        continue;
      }
      return sent; // no connection
    }
  }
  return sent;
}

/// The refusal kept with a report, as an Error for describeError.
export function failureError(item) { return problemError(item.failure.status, item.failure.json); }

