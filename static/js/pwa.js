/* Registers the service worker (the offline page of the installed app). */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () {
      /* Without it the site works the same, only without the offline page. */
    });
  });
})();
