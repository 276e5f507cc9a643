/* Registers the service worker (templates/pwa/sw.js): the offline page, and
 * what makes the site installable with its share target. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      /* the site works the same without it */
    });
  });
})();
