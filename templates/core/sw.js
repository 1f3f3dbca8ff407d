// Service worker of the platform (core/offline.py), version {{ version }}.
// Static assets and the offline page come from the cache; pages go to the network, and without it a
// page that writes a draft opens from the copy kept on its last visit, any other one gives the offline
// page. Only GET is answered here: a form sent without network fails in the page, whose script keeps
// the text (static/js/drafts.js).
"use strict";
const VERSION = "{{ version }}";
const ASSETS = {{ assets_json|safe }};
const OFFLINE_URL = {{ offline_url_json|safe }};
const OFFLINE_HEADER = {{ header_json|safe }};
const LOGOUT_URL = {{ logout_url_json|safe }};
const STATIC_CACHE = "statique-" + VERSION;
const PAGES_CACHE = "pages";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then((cache) => cache.addAll([...ASSETS, OFFLINE_URL]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("statique-") && key !== STATIC_CACHE).map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

function pageKey(url) {
  const parsed = new URL(url);
  parsed.hash = "";
  return parsed.href;
}

async function keep(url, response) {
  if (response.ok && response.type === "basic" && response.headers.get(OFFLINE_HEADER)) {
    const cache = await caches.open(PAGES_CACHE);
    await cache.put(pageKey(url), response);
    return true;
  }
  return false;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep-page" && typeof data.url === "string" && new URL(data.url).origin === self.location.origin) {
    event.waitUntil(
      fetch(data.url, { credentials: "same-origin" })
        .then((response) => keep(data.url, response))
        .then((kept) => event.source && event.source.postMessage({ type: "page-kept", url: data.url, kept }))
        .catch(() => {})
    );
  }
});

async function navigate(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    event.waitUntil(keep(request.url, response.clone()).catch(() => {}));
    return response;
  } catch (error) {
    const copy = await caches.match(pageKey(request.url), { cacheName: PAGES_CACHE });
    if (copy) return copy;
    const offline = await caches.match(OFFLINE_URL, { cacheName: STATIC_CACHE });
    return offline || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === LOGOUT_URL) {
    // Signed out: the copies of pages written under this session go.
    event.waitUntil(caches.delete(PAGES_CACHE));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(request, { cacheName: STATIC_CACHE }).then((hit) => hit || fetch(request)));
  }
});
