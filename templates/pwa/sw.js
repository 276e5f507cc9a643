{% load static %}/* ocrspace service worker: the offline page for navigations that fail. It
 * caches nothing else, so no team data is ever stored on the device. */
"use strict";
var SHELL = "ocrspace-shell-v1";
var OFFLINE_URL = "{{ offline_url|escapejs }}";
var SHELL_FILES = [OFFLINE_URL, "{% static 'css/app.css' %}", "{% static 'img/icon-192.png' %}"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(SHELL_FILES);
  }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key !== SHELL;
    }).map(function (key) {
      return caches.delete(key);
    }));
  }).then(function () {
    return self.clients.claim();
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.mode !== "navigate" || request.method !== "GET") return;
  event.respondWith(fetch(request).catch(function () {
    return caches.match(OFFLINE_URL);
  }));
});
