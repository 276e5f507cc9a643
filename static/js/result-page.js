/*
 * The result page: line boxes on/off, copying, reading aloud, confirming a
 * deletion and following the upload's status while it is being read.
 */
(function () {
  "use strict";

  var feed = window.OcrLiveFeed;
  var config = feed.readJson("feed-config");
  var strings = feed.readJson("ui-strings");
  var copyStatus = document.getElementById("copy-status");

  function say(text) {
    if (copyStatus) copyStatus.textContent = text;
  }

  // --- Line boxes ---------------------------------------------------------
  var toggle = document.getElementById("toggle-boxes");
  var overlay = document.getElementById("overlay");
  if (toggle && overlay) {
    toggle.addEventListener("change", function () {
      overlay.classList.toggle("hidden-overlay", !toggle.checked);
    });
  }

  // Pointing at a line (in the list or on the image) marks it in both places.
  function markLine(number, on) {
    document.querySelectorAll('[data-line="' + number + '"]').forEach(function (element) {
      element.classList.toggle("active", on);
    });
  }
  document.querySelectorAll("[data-line]").forEach(function (element) {
    var number = element.getAttribute("data-line");
    ["mouseenter", "focusin"].forEach(function (name) {
      element.addEventListener(name, function () { markLine(number, true); });
    });
    ["mouseleave", "focusout"].forEach(function (name) {
      element.addEventListener(name, function () { markLine(number, false); });
    });
  });

  // --- Copy -----------------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain-HTTP deployments have no async clipboard: fall back to a selection.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.append(area);
      area.select();
      var ok = document.execCommand("copy");
      area.remove();
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      if (!source) return;
      copyText(source.textContent).then(
        function () { say(strings.copied); },
        function () { say(strings.copyFailed); }
      );
    });
  });

  // --- Read aloud -----------------------------------------------------------
  var speakButton = document.getElementById("read-aloud");
  if (speakButton && "speechSynthesis" in window) {
    speakButton.hidden = false;
    var speaking = false;
    var setSpeaking = function (on) {
      speaking = on;
      speakButton.textContent = on ? strings.stopReading : strings.readAloud;
    };
    speakButton.addEventListener("click", function () {
      if (speaking) {
        window.speechSynthesis.cancel();
        setSpeaking(false);
        return;
      }
      var text = document.getElementById(speakButton.getAttribute("data-text-target")).textContent;
      var utterance = new SpeechSynthesisUtterance(text);
      // Chinese characters in the text: use a Chinese voice, else English.
      utterance.lang = /[\u3400-\u9fff]/.test(text) ? "zh-CN" : "en-US";
      utterance.addEventListener("end", function () { setSpeaking(false); });
      utterance.addEventListener("error", function () { setSpeaking(false); });
      window.speechSynthesis.speak(utterance);
      setSpeaking(true);
    });
  }

  // --- Delete confirmation ------------------------------------------------------
  document.querySelectorAll('form[data-confirm="delete"]').forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(strings.confirmDelete)) event.preventDefault();
    });
  });

  // --- Live status and corrections -----------------------------------------------
  // While the upload is being read the page waits for its result; once it
  // is done it follows corrections made by the rest of the team.
  var waiting = config.status === "queued" || config.status === "processing";
  var badge = document.getElementById("status-badge");
  var panel = document.getElementById("status-panel");
  var showPanel = function (text) {
    var note = document.createElement("p");
    note.className = "notice";
    note.textContent = text;
    panel.replaceChildren(note);
  };
  var subscription = feed.start({
    wsPath: config.wsPath,
    eventsUrl: config.eventsUrl,
    lastEventId: config.lastEventId,
    onEvent: function (event) {
      // Retention's batch event names its uploads in the payload.
      var expired = event.kind === "uploads.expired" && event.upload && Array.isArray(event.upload.ids) &&
        event.upload.ids.indexOf(config.uploadId) !== -1;
      if (event.upload_id !== config.uploadId && !expired) return;
      if (expired || event.kind === "upload.deleted" || event.kind === "upload.hidden") {
        subscription.stop();
        showPanel(strings.deleted);
        return;
      }
      if (event.kind === "upload.corrected") {
        if (window.OcrLineEditor) window.OcrLineEditor.applyRemote(event.upload || {});
        return;
      }
      var status = event.upload && event.upload.status;
      if (!status) return;
      badge.textContent = strings.status[status] || status;
      var progress = event.upload.progress;
      if (status === "processing" && progress && strings.pageProgress) {
        badge.textContent += " · " + strings.pageProgress
          .replace("{done}", String(Number(progress.done)))
          .replace("{pages}", String(Number(progress.pages)));
      }
      badge.className = "badge status-badge status-" + status;
      // A finished page reloads only for a new result (a re-run by someone
      // else), never while this person has a correction in hand.
      var editing = window.OcrLineEditor && window.OcrLineEditor.busy();
      var finished = event.kind === "upload.done" || event.kind === "upload.failed";
      if (waiting ? status === "done" || status === "failed" : finished && !editing) {
        // The finished page renders boxes and lines on the server.
        subscription.stop();
        showPanel(strings.resultReady);
        window.location.reload();
      }
    },
  });
})();
