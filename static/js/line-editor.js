/*
 * The result page's line editor: each line's crop of the image beside its
 * text, and (for members) correcting the text line by line from the
 * keyboard. Enter saves the line and opens the next, Esc cancels. Saves go
 * to PATCH /api/uploads/<id>/ with the version the page shows, one after
 * the other; when someone else changed the text first, the answer (409)
 * carries their text, which the page shows instead, and nothing is lost.
 * Text is only ever written with textContent or as an input's value.
 */
(function () {
  "use strict";

  var feed = window.OcrLiveFeed;
  var config = feed.readJson("feed-config");
  var strings = feed.readJson("ui-strings");
  var list = document.getElementById("lines");
  var image = document.querySelector("#image-frame img");
  var status = document.getElementById("save-status");
  var remoteNote = document.getElementById("remote-change");
  var version = config.version;
  var editable = list && list.getAttribute("data-editable") === "1";
  var open = null;        // the line being edited: {item, input}
  var pending = Promise.resolve();
  var saving = 0;

  function say(text) {
    if (status) status.textContent = text;
  }

  function items() {
    return list ? Array.prototype.slice.call(list.querySelectorAll("li.line")) : [];
  }

  function textOf(item) {
    return item.querySelector(".line-text");
  }

  // --- Crops: drawn from the image the page already shows ------------------
  function drawCrops() {
    var scale = image.naturalWidth / (Number(image.getAttribute("width")) || image.naturalWidth);
    items().forEach(function (item) {
      var crop = item.getAttribute("data-crop");
      var canvas = item.querySelector("canvas.line-crop");
      if (!crop || !canvas) return;
      var box = crop.split(",").map(Number);
      var x = box[0] * scale, y = box[1] * scale, w = box[2] * scale, h = box[3] * scale;
      var height = Math.min(48, Math.max(16, h));
      canvas.height = Math.round(height);
      canvas.width = Math.max(1, Math.round(w * (height / h)));
      canvas.getContext("2d").drawImage(image, x, y, w, h, 0, 0, canvas.width, canvas.height);
    });
  }
  if (image && list) {
    if (image.complete && image.naturalWidth) drawCrops();
    else image.addEventListener("load", drawCrops);
  }

  // --- Showing a text ---------------------------------------------------------
  function showVersion(next) {
    version = next;
    var number = document.getElementById("version-number");
    if (number) number.textContent = String(next);
    var form = document.querySelector('#whole-text-editor input[name="version"]');
    if (form) form.value = String(next);
  }

  function showText(text) {
    var full = document.getElementById("full-text");
    if (full) full.textContent = text;
    var area = document.getElementById("whole-text");
    if (area && area.value === area.defaultValue) area.value = area.defaultValue = text;
    var lines = text.split("\n");
    var all = items();
    if (lines.length !== all.length) {
      // Lines were added or removed: the server matches them to their boxes.
      if (!busy()) window.location.reload();
      return;
    }
    all.forEach(function (item, i) {
      var span = textOf(item);
      if (span.textContent !== lines[i]) {
        span.textContent = lines[i];
        markEdited(item);
      }
    });
  }

  function markEdited(item) {
    item.classList.add("edited");
    item.classList.remove("low");
    var check = item.querySelector(".warn-badge");
    if (check) check.remove();
  }

  // --- Editing ------------------------------------------------------------------
  function busy() {
    var area = document.getElementById("whole-text");
    return open !== null || saving > 0 || Boolean(area && area.value !== area.defaultValue);
  }

  function close(item, restoreFocus) {
    if (!open || open.item !== item) return;
    open.input.remove();
    textOf(item).hidden = false;
    item.classList.remove("editing");
    open = null;
    if (restoreFocus) textOf(item).focus();
  }

  function edit(item) {
    if (open) {
      if (open.item === item) return;
      close(open.item, false);
    }
    var span = textOf(item);
    var input = document.createElement("input");
    input.type = "text";
    input.className = "line-input";
    input.value = span.textContent;
    input.setAttribute("aria-label", span.getAttribute("aria-label") || strings.editLine);
    input.setAttribute("data-original", span.textContent);
    span.hidden = true;
    span.after(input);
    item.classList.add("editing");
    open = { item: item, input: input };
    input.focus();
    input.select();
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        close(item, true);
        say(strings.editCancelled);
      } else if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        var value = input.value;
        var changed = value !== input.getAttribute("data-original");
        var index = Number(item.getAttribute("data-index"));
        close(item, false);
        if (changed) save(item, index, value);
        var next = items()[items().indexOf(item) + 1];
        if (next) edit(next);
        else textOf(item).focus();
      }
    });
  }

  function csrf() {
    return config.csrfToken;
  }

  function save(item, index, value) {
    var span = textOf(item);
    var before = span.textContent;
    span.textContent = value;  // shown at once; put back if the save is refused
    item.classList.add("saving");
    saving += 1;
    say(strings.saving);
    pending = pending.then(function () {
      return fetch(config.patchUrl, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ lines: [{ index: index, text: value }], version: version }),
      }).then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; },
                                     function () { return { status: response.status, body: {} }; });
      }).then(function (answer) {
        if (answer.status === 200) {
          showVersion(answer.body.version);
          markEdited(item);
          var full = document.getElementById("full-text");
          if (full) full.textContent = answer.body.text;
          var area = document.getElementById("whole-text");
          if (area && area.value === area.defaultValue) area.value = area.defaultValue = answer.body.text;
          say(strings.saved.replace("{version}", String(answer.body.version)));
        } else if (answer.status === 409) {
          span.textContent = before;
          showVersion(answer.body.version);
          showText(answer.body.text);
          say(strings.conflict);
          // Their text is shown; this person's change waits in the line,
          // ready to be saved again on top of it with Enter. (The line Enter
          // moved on to is closed first, unless something was typed in it.)
          if (open && open.input.value === open.input.getAttribute("data-original")) close(open.item, false);
          if (!open && items().indexOf(item) !== -1) {
            edit(item);
            open.input.value = value;
          } else {
            say(strings.conflict + " " + strings.unsavedLine.replace("{text}", value));
          }
        } else {
          span.textContent = before;
          say((answer.body && answer.body.detail) || strings.saveFailed.replace("{status}", String(answer.status)));
        }
      }, function () {
        span.textContent = before;
        say(strings.networkError);
      }).then(function () {
        saving -= 1;
        item.classList.remove("saving");
        if (saving === 0 && laterRemote) {
          var remote = laterRemote;
          laterRemote = null;
          applyRemote(remote);
        }
      });
    });
  }

  if (editable) {
    items().forEach(function (item) {
      var span = textOf(item);
      span.tabIndex = 0;
      span.setAttribute("title", strings.editHint);
      span.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === "F2") {
          event.preventDefault();
          edit(item);
        }
      });
      span.addEventListener("dblclick", function () { edit(item); });
      var button = item.querySelector(".edit-line");
      if (button) button.addEventListener("click", function () { edit(item); });
    });
  }

  // --- Someone else's change, from the live feed ------------------------------------
  var laterRemote = null;

  function applyRemote(upload) {
    if (typeof upload.version !== "number" || upload.version <= version) return;
    if (saving > 0) {
      // Perhaps this page's own save, announced before its answer arrived.
      laterRemote = upload;
      return;
    }
    if (remoteNote) {
      remoteNote.textContent = strings.changedElsewhere.replace("{version}", String(upload.version));
      remoteNote.hidden = false;
    }
    // While a line is open the page keeps its version: the save then meets
    // a 409 and shows the other text, so neither change is lost unseen.
    if (busy()) return;
    showVersion(upload.version);
    showText(upload.text || "");
  }

  window.OcrLineEditor = { applyRemote: applyRemote, busy: busy };
})();
