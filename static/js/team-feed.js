/*
 * The team space's feed list: applies live events to the server-rendered
 * list and shows whether updates arrive live or by polling.
 * Every piece of upload data is written with textContent or as an
 * attribute value, never parsed as HTML.
 */
(function () {
  "use strict";

  var config = window.OcrLiveFeed.readJson("feed-config");
  var strings = window.OcrLiveFeed.readJson("ui-strings");
  var list = document.getElementById("feed");
  var template = document.getElementById("feed-item-template");
  var emptyNote = document.getElementById("feed-empty");
  var notice = document.getElementById("feed-notice");
  var badge = document.getElementById("live-badge");
  // Last event applied per upload: an older event never overwrites a newer one.
  var appliedEventId = new Map();
  // Other scripts of the page (the uploader's rows) follow the same events.
  var listeners = [];

  function fromPattern(pattern, id) {
    return pattern.replace("{id}", String(id));
  }

  function field(item, name) {
    return item.querySelector('[data-field="' + name + '"]');
  }

  function showTime(element, iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return;
    element.setAttribute("datetime", iso);
    element.textContent = date.toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "medium",
      timeStyle: "short",
    });
  }

  function createItem(upload) {
    var item = template.content.firstElementChild.cloneNode(true);
    var resultUrl = fromPattern(config.resultUrl, upload.id);
    item.setAttribute("data-upload-id", String(upload.id));
    field(item, "thumb-link").setAttribute("href", resultUrl);
    field(item, "name").setAttribute("href", resultUrl);
    field(item, "thumb").setAttribute("src", fromPattern(config.thumbUrl, upload.id));
    return item;
  }

  function fill(item, upload) {
    item.className = "feed-item status-" + upload.status;
    field(item, "name").textContent = upload.name;
    var status = strings.status[upload.status] || upload.status;
    // A document being read page by page: "Processing · page 3 of 10".
    if (upload.status === "processing" && upload.progress && strings.pageProgress) {
      status += " · " + strings.pageProgress
        .replace("{done}", String(Number(upload.progress.done)))
        .replace("{pages}", String(Number(upload.progress.pages)));
    }
    field(item, "status").textContent = status;
    field(item, "pinned").hidden = !upload.pinned;
    field(item, "uploaded_by").textContent = upload.uploaded_by || "—";
    showTime(field(item, "created_at"), upload.created_at);
    var preview = field(item, "preview");
    if (upload.status === "done") {
      preview.textContent = upload.preview || strings.noText;
      preview.hidden = false;
    } else {
      preview.textContent = "";
      preview.hidden = true;
    }
    var error = field(item, "error");
    error.textContent = upload.status === "failed" ? upload.error || "" : "";
    error.hidden = !error.textContent;
    var select = field(item, "select");
    if (select) select.value = String(upload.id);
    var tags = field(item, "tags");
    if (tags && Array.isArray(upload.tags)) {
      tags.textContent = "";
      upload.tags.forEach(function (tag) {
        var chip = document.createElement("span");
        chip.className = "tag-chip tag-" + String(tag.colour).replace(/[^a-z]/g, "");
        chip.textContent = tag.name;
        tags.appendChild(chip);
      });
    }
  }

  function findItem(uploadId) {
    return list.querySelector('[data-upload-id="' + String(Number(uploadId)) + '"]');
  }

  function updateEmptyState() {
    emptyNote.hidden = list.children.length > 0;
  }

  // Retention removes uploads in batches: one event names all their ids.
  function applyBatch(event) {
    var ids = (event.upload && Array.isArray(event.upload.ids)) ? event.upload.ids : [];
    ids.forEach(function (id) {
      var uploadId = Number(id);
      if ((appliedEventId.get(uploadId) || 0) > event.id) return;
      appliedEventId.set(uploadId, event.id);
      var item = findItem(uploadId);
      if (item) item.remove();
    });
    listeners.forEach(function (listener) {
      listener(event);
    });
    updateEmptyState();
  }

  function applyEvent(event) {
    if (event.kind === "uploads.expired") {
      applyBatch(event);
      return;
    }
    var previous = appliedEventId.get(event.upload_id) || 0;
    if (event.id < previous) return;
    appliedEventId.set(event.upload_id, event.id);
    listeners.forEach(function (listener) {
      listener(event);
    });
    var item = findItem(event.upload_id);
    if (event.kind === "upload.deleted" || event.kind === "upload.hidden") {
      if (item) item.remove();
      updateEmptyState();
      return;
    }
    var upload = event.upload;
    if (!upload || upload.id === undefined) return;
    if (!item) {
      // Later pages only update what they show; new uploads go on page one.
      if (!config.prependNew) return;
      item = createItem(upload);
      list.insertBefore(item, list.firstElementChild);
    }
    fill(item, upload);
    updateEmptyState();
  }

  function showMode(mode) {
    badge.setAttribute("data-mode", mode);
    badge.textContent = mode === "live" ? strings.live : mode === "connecting" ? strings.connecting : "";
    badge.hidden = !badge.textContent;
    if (mode === "polling" || mode === "stopped") {
      notice.textContent = mode === "polling" ? strings.polling : strings.stopped;
      notice.hidden = false;
    } else if (mode === "live") {
      notice.hidden = true;
    }
  }

  list.querySelectorAll("time[datetime]").forEach(function (element) {
    showTime(element, element.getAttribute("datetime"));
  });

  window.OcrTeamFeed = {
    applyEvent: applyEvent,
    subscribe: function (listener) {
      listeners.push(listener);
    },
  };
  window.OcrLiveFeed.start({
    wsPath: config.wsPath,
    eventsUrl: config.eventsUrl,
    lastEventId: config.lastEventId,
    onEvent: applyEvent,
    onMode: showMode,
  });
})();
