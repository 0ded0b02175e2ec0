// The worker app's service worker: keeps the app's shell so that it opens without a
// connection (the outbox then keeps reports until it is back). Shell files are fetched from
// the network first (an update shows at once) and from the cache when offline; the API is
// never cached.
const CACHE = 'gridmap-worker-v1';
const SHELL = ['/worker', '/worker.js', '/worker.css', '/api.js', '/i18n.js', '/shell.js', '/outbox.js',
  '/event_stream.js', '/worker.webmanifest', '/favicon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || !SHELL.includes(url.pathname)) return;
  event.respondWith(fetch(event.request)
    .then((response) => {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
      return response;
    })
    .catch(() => caches.match(url.pathname)));
});
