/* ocrspace's service worker: when a page cannot be loaded (no network),
 * show the offline page. Nothing else is cached: team data never sits in
 * the browser's cache. */
"use strict";
var CACHE = "ocrspace-shell-" + {{ version|safe }};
var OFFLINE = "{{ offline_url|escapejs }}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll({{ cached|safe }});
  }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("ocrspace-shell-") === 0 && name !== CACHE;
    }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () {
    return self.clients.claim();
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || request.mode !== "navigate") return;
  event.respondWith(fetch(request).catch(function () {
    return caches.match(OFFLINE);
  }));
});
