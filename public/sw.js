// Remit's service worker: keeps the app shell so that Remit starts without the network.
//
// - The shell (this build's files) is precached at install. The list and the build hash below are
//   written by app/build/post-build.sh when Trunk builds; public/sw.js keeps the markers.
// - Navigations are network first (a new build reaches the user as soon as the server is there) and fall
//   back to the cached index.html, whatever the path (/invoices/<id> is the same app).
// - Hashed assets never change under their name: cache first.
// - /api/ is never cached: data lives in IndexedDB and syncs through the app, never through this cache.

const PRECACHE = "__REMIT_PRECACHE__";
const BUILD = "__REMIT_BUILD__";
const CACHE_PREFIX = 'remit-shell-';
const CACHE = CACHE_PREFIX + BUILD;
const SHELL = '/index.html';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // `reload` skips the HTTP cache: the precache must hold exactly this build's files.
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith(CACHE_PREFIX) && key !== CACHE).map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  event.respondWith(request.mode === 'navigate' ? networkFirst(request) : cacheFirst(request));
});

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    // A server that answers with its own failure is as good as no server for starting the app.
    if (response.status < 500) return response;
    return (await caches.match(SHELL, { cacheName: CACHE })) ?? response;
  } catch (offline) {
    const shell = await caches.match(SHELL, { cacheName: CACHE });
    if (shell) return shell;
    throw offline;
  }
}

async function cacheFirst(request) {
  return (await caches.match(request, { cacheName: CACHE })) ?? fetch(request);
}
