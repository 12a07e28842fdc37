// The web chat's service worker: keeps the page itself (its HTML, scripts, styles, icon and
// manifest) so the installed app opens without the network, and never keeps an API answer: only
// GETs of the page's own files are cached, everything else goes to the server untouched.
// The page: network first (a new version shows at once), the cached copy when the server cannot
// be reached. The hashed assets/ files never change: cache first.
const CACHE = 'qwen-edge-page-v1';
const scope = new URL(self.registration.scope);
const PAGE_FILES = ['', 'index.html', 'favicon.svg', 'manifest.webmanifest'];

const isPageFile = (url) => {
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname) || url.search) return false;
  const rest = url.pathname.slice(scope.pathname.length);
  return PAGE_FILES.includes(rest) || /^assets\/[\w.-]+\.(js|css|svg|png|woff2?)$/.test(rest);
};

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PAGE_FILES.map((f) => new URL(f, scope).href)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const cached = (await cache.match(request)) ?? (request.mode === 'navigate' ? await cache.match(new URL('', scope).href) : undefined);
    if (cached) return cached;
    throw e;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!isPageFile(url)) return; // the API, /health, /metrics: straight to the server, never kept
  const rest = url.pathname.slice(scope.pathname.length);
  event.respondWith(rest.startsWith('assets/') ? cacheFirst(request) : networkFirst(request));
});
