/*
 * Uploading from the team space: drag and drop, the file pickers and
 * pasting a screenshot. One request per file so each file gets its own
 * progress bar and its own answer; a few run at the same time. After the
 * upload, each row follows its image to done or failed from the same live
 * events as the feed (websocket or polling). Text is set with textContent.
 */
(function () {
  "use strict";

  var PARALLEL = 3;
  var zone = document.getElementById("dropzone");
  if (!zone) return;
  var strings = window.OcrLiveFeed.readJson("ui-strings");
  var config = window.OcrLiveFeed.readJson("feed-config");
  var progressList = document.getElementById("upload-list");
  var waiting = [];
  var running = 0;
  // Rows by upload id, and the newest state seen per upload (an event can
  // arrive before the upload's own answer does).
  var rowsById = new Map();
  var latest = new Map();

  function addRow(file) {
    var row = document.createElement("li");
    row.className = "upload-row";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var message = document.createElement("span");
    message.className = "upload-message";
    message.textContent = strings.waiting;
    row.append(name, bar, message);
    progressList.prepend(row);
    return { row: row, bar: bar, message: message };
  }

  function finish(view, state, text, uploadId) {
    view.row.classList.add(state);
    view.bar.value = 100;
    view.message.textContent = text;
    if (uploadId) {
      var link = document.createElement("a");
      link.href = config.resultUrl.replace("{id}", String(uploadId));
      link.textContent = strings.openResult;
      view.message.append(" ", link);
    }
  }

  function firstLine(text) {
    var lines = String(text || "").split("\n").filter(function (line) {
      return line.trim();
    });
    return lines.length ? lines[0] : strings.noText;
  }

  // Show what became of the upload: being read, done (with its first line)
  // or failed (with the reason). Earlier states never replace later ones.
  function follow(view, upload) {
    if (!upload || view.final) return;
    if (upload.status === "done") {
      view.final = true;
      view.row.classList.remove("reading");
      view.row.classList.add("done");
      finish(view, "ok", strings.readDone.replace("{line}", firstLine(upload.preview)), upload.id);
    } else if (upload.status === "failed") {
      view.final = true;
      view.row.classList.remove("reading", "ok");
      view.row.classList.add("failed");
      finish(view, "rejected", strings.readFailed.replace("{error}", upload.error || ""), upload.id);
    }
  }

  if (window.OcrTeamFeed && window.OcrTeamFeed.subscribe) {
    window.OcrTeamFeed.subscribe(function (event) {
      if (!event.upload || event.upload.id === undefined) return;
      latest.set(event.upload.id, event.upload);
      (rowsById.get(event.upload.id) || []).forEach(function (view) {
        follow(view, event.upload);
      });
    });
  }

  function errorMessage(xhr, body) {
    var item = body && body.results && body.results[0];
    if (item && item.error) return item.error;
    if (body && body.detail) return body.detail;
    return strings.failedHttp.replace("{status}", String(xhr.status));
  }

  function send(file, view) {
    var form = new FormData();
    form.append("files", file, file.name);
    form.append("team", zone.getAttribute("data-team"));
    // Tags chosen above the drop zone go with every file (a JSON array).
    var tagInput = document.getElementById("upload-tags-input");
    var tagNames = tagInput ? tagInput.value.split(",").map(function (name) {
      return name.trim();
    }).filter(Boolean) : [];
    if (tagNames.length) form.append("tags", JSON.stringify(tagNames));
    var xhr = new XMLHttpRequest();
    xhr.open("POST", zone.getAttribute("data-upload-url"));
    xhr.setRequestHeader("X-CSRFToken", zone.getAttribute("data-csrf"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) view.bar.value = Math.round((progress.loaded / progress.total) * 100);
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (error) {
        body = null;
      }
      var item = body && body.results && body.results[0];
      if (xhr.status < 300 && item && item.ok) {
        var uploadId = item.upload && item.upload.id;
        finish(view, "ok", item.deduplicated ? strings.duplicate : strings.uploaded, uploadId);
        if (uploadId !== undefined) {
          view.row.classList.add("reading");
          view.row.setAttribute("data-upload-id", String(uploadId));
          rowsById.set(uploadId, (rowsById.get(uploadId) || []).concat([view]));
          follow(view, item.upload);
          follow(view, latest.get(uploadId));
        }
      } else {
        finish(view, "rejected", errorMessage(xhr, body));
      }
      next();
    });
    xhr.addEventListener("error", function () {
      finish(view, "rejected", strings.networkError);
      next();
    });
    view.message.textContent = strings.uploading;
    xhr.send(form);
  }

  function next() {
    running -= 1;
    pump();
  }

  function pump() {
    while (running < PARALLEL && waiting.length) {
      var job = waiting.shift();
      running += 1;
      send(job.file, job.view);
    }
  }

  function queueFile(file) {
    waiting.push({ file: file, view: addRow(file) });
    pump();
  }

  // With "Crop before upload" on, each image passes through the cropper in
  // turn (OcrCropper); what it returns is uploaded, a cancelled one is not.
  var cropToggle = document.getElementById("crop-before-upload");
  if (cropToggle) {
    cropToggle.checked = window.localStorage.getItem("ocrspace.crop") === "1";
    cropToggle.addEventListener("change", function () {
      window.localStorage.setItem("ocrspace.crop", cropToggle.checked ? "1" : "0");
    });
  }

  function enqueue(files, options) {
    var list = Array.prototype.slice.call(files);
    var crop = cropToggle && cropToggle.checked && window.OcrCropper && !(options && options.crop === false);
    if (!crop) {
      list.forEach(queueFile);
      return;
    }
    list.reduce(function (previous, file) {
      return previous.then(function () {
        if (file.type.indexOf("image/") !== 0) return queueFile(file);
        return window.OcrCropper.open(file, strings).then(function (chosen) {
          if (chosen) queueFile(chosen);
        });
      });
    }, Promise.resolve());
  }
  window.OcrUploader = { enqueue: enqueue };

  // Clipboard images arrive as "image.png"; give them a name a person recognises.
  function namedForPaste(file) {
    if (file.name && file.name !== "image.png") return file;
    var stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
    var extension = (file.type.split("/")[1] || "png").replace(/[^a-z0-9]/gi, "");
    return new File([file], strings.pastedName + " " + stamp + "." + extension, { type: file.type });
  }

  document.querySelectorAll("#dropzone .file-input").forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.files && input.files.length) enqueue(input.files);
      input.value = "";
    });
  });

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () {
      zone.classList.remove("dragging");
    });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) enqueue(event.dataTransfer.files);
  });
  // A file dropped beside the zone must not make the browser leave the page.
  window.addEventListener("dragover", function (event) {
    event.preventDefault();
  });
  window.addEventListener("drop", function (event) {
    event.preventDefault();
  });

  document.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    if (!data) return;
    var files = Array.prototype.filter.call(data.files || [], function (file) {
      return file.type.indexOf("image/") === 0;
    });
    if (!files.length) return;
    // Pasting into the search box stays a text paste.
    event.preventDefault();
    enqueue(files.map(namedForPaste));
  });
})();
