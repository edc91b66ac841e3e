/* The field app's service worker. Served from /m/sw.js by the app, which
   puts SHELL (the shell's addresses) and VERSION above this line.
   The shell (the page, its ES modules, style and icons) is cached at
   install; pages are network first (with a short wait on a weak signal)
   and fall back to the cached shell; static files are cache first. The API is never cached here: the page keeps its own data in
   IndexedDB and decides what a failed send means. */
/* global SHELL, VERSION */
var CACHE = "field-" + VERSION;
var SHELL_PAGE = SHELL[0];
var PAGE_WAIT_MS = 4000;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(SHELL);
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("field-") === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function page(request) {
  // A phone that knows it has no signal opens the kept shell at once,
  // without a request that can only fail.
  if (!self.navigator.onLine) {
    return caches.match(SHELL_PAGE).then(function (hit) { return hit || fetch(request); });
  }
  var network = fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(SHELL_PAGE, copy); });
    }
    return response;
  });
  var fallback = new Promise(function (resolve) {
    setTimeout(function () {
      caches.match(SHELL_PAGE).then(function (hit) { if (hit) resolve(hit); });
    }, PAGE_WAIT_MS);
  });
  return Promise.race([
    network.catch(function () {
      return caches.match(SHELL_PAGE).then(function (hit) { return hit || Response.error(); });
    }),
    fallback
  ]);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/api/") === 0) return;
  if (request.mode === "navigate") {
    if (url.pathname === SHELL_PAGE) event.respondWith(page(request));
    return;
  }
  event.respondWith(
    caches.match(request, { ignoreSearch: false }).then(function (hit) {
      return hit || fetch(request);
    })
  );
});
