/*
 * A team's live feed: the websocket when it works, polling the events
 * endpoint when it does not. Both read the same outbox, so a client that
 * switches between them (or reconnects) resumes after the last event id it
 * saw and misses nothing.
 *
 * window.OcrLiveFeed.start({wsPath, eventsUrl, lastEventId, onEvent, onMode})
 *   onEvent(event)  called once per event, in id order per upload
 *   onMode(mode)    "connecting" | "live" | "polling" | "stopped"
 */
(function () {
  "use strict";

  var POLL_MS = 4000;
  var READY_TIMEOUT_MS = 8000;
  var RETRY_MIN_MS = 2000;
  var RETRY_MAX_MS = 30000;
  // Close codes from the server that mean "do not come back".
  var FINAL_CLOSE_CODES = [4401, 4403, 4404];

  function start(options) {
    var lastId = Number(options.lastEventId) || 0;
    var seen = new Set();
    var mode = null;
    var socket = null;
    var retryMs = RETRY_MIN_MS;
    var pollTimer = null;
    var stopped = false;

    function setMode(next) {
      if (next === mode) return;
      mode = next;
      if (options.onMode) options.onMode(next);
    }

    function deliver(event) {
      if (!event || seen.has(event.id)) return;
      seen.add(event.id);
      if (event.id > lastId) lastId = event.id;
      options.onEvent(event);
    }

    function socketUrl() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      return scheme + window.location.host + options.wsPath + "?after=" + encodeURIComponent(lastId);
    }

    function connect() {
      if (stopped) return;
      if (mode !== "polling") setMode("connecting");
      var ready = false;
      var ws;
      try {
        ws = new WebSocket(socketUrl());
      } catch (error) {
        fallBack();
        return;
      }
      socket = ws;
      // An open socket that never says "ready" is as good as a closed one.
      var readyTimer = window.setTimeout(function () {
        if (!ready) ws.close();
      }, READY_TIMEOUT_MS);

      ws.addEventListener("message", function (message) {
        var data;
        try {
          data = JSON.parse(message.data);
        } catch (error) {
          return;
        }
        if (data.type === "ready") {
          ready = true;
          window.clearTimeout(readyTimer);
          retryMs = RETRY_MIN_MS;
          stopPolling();
          setMode("live");
        } else if (data.type === "event") {
          deliver(data.event);
        }
      });

      ws.addEventListener("close", function (closing) {
        window.clearTimeout(readyTimer);
        if (socket === ws) socket = null;
        if (FINAL_CLOSE_CODES.indexOf(closing.code) !== -1) {
          stop();
          return;
        }
        fallBack();
      });
    }

    // Keep the page current by polling while the socket is retried later.
    function fallBack() {
      if (stopped) return;
      setMode("polling");
      if (pollTimer === null) poll();
      window.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }

    function poll() {
      pollTimer = window.setTimeout(poll, POLL_MS);
      fetchAfter(lastId);
    }

    function fetchAfter(after) {
      var url = options.eventsUrl + "?after=" + encodeURIComponent(after);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 403 || response.status === 404) {
            stop();
            return null;
          }
          return response.ok ? response.json() : null;
        })
        .then(function (page) {
          if (!page) return;
          page.events.forEach(deliver);
          if (page.more && pollTimer !== null) fetchAfter(page.last_id);
        })
        .catch(function () {
          /* The next poll tries again. */
        });
    }

    function stopPolling() {
      if (pollTimer !== null) {
        window.clearTimeout(pollTimer);
        pollTimer = null;
      }
    }

    function stop() {
      stopped = true;
      stopPolling();
      if (socket) socket.close();
      setMode("stopped");
    }

    connect();
    return { stop: stop };
  }

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  window.OcrLiveFeed = { start: start, readJson: readJson };
})();
