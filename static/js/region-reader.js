/*
 * Region reads on the result page: "Select a region" turns the image into a
 * selection surface (OcrCropper.select); the chosen rectangle is read again
 * by the worker ("Read region": the text appears below, nothing is stored)
 * or kept as a new upload of the team ("Save as new upload"). The text is
 * set with textContent, never as HTML.
 */
(function () {
  "use strict";

  var panel = document.getElementById("region-reader");
  var frame = document.getElementById("image-frame");
  if (!panel || !frame || !window.OcrCropper) return;
  var strings = window.OcrLiveFeed.readJson("ui-strings");
  var toggle = document.getElementById("region-toggle");
  var actions = document.getElementById("region-actions");
  var readButton = document.getElementById("region-read");
  var saveButton = document.getElementById("region-save");
  var size = document.getElementById("region-size");
  var status = document.getElementById("region-status");
  var output = document.getElementById("region-text");
  var width = Number(panel.getAttribute("data-width"));
  var height = Number(panel.getAttribute("data-height"));
  var selection = null;
  var POLL_MS = 300;

  function chosen(rect) {
    actions.hidden = !rect;
    size.textContent = rect
      ? strings.regionSize.replace("{w}", rect.width).replace("{h}", rect.height).replace("{x}", rect.x).replace("{y}", rect.y)
      : "";
  }

  toggle.addEventListener("click", function () {
    if (selection) {
      selection.destroy();
      selection = null;
      toggle.setAttribute("aria-pressed", "false");
      chosen(null);
      return;
    }
    selection = window.OcrCropper.select(frame, width, height, chosen);
    toggle.setAttribute("aria-pressed", "true");
    frame.focus();
  });

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": panel.getAttribute("data-csrf") },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (response) {
      return response.json().then(
        function (data) {
          return { status: response.status, data: data };
        },
        function () {
          return { status: response.status, data: {} };
        }
      );
    });
  }

  function failed(answer) {
    status.textContent = strings.regionFailed.replace("{error}", (answer.data && (answer.data.detail || answer.data.error)) || answer.status);
  }

  function wait(url) {
    return request("GET", url).then(function (answer) {
      if (answer.status === 202) {
        return new Promise(function (resolve) {
          setTimeout(resolve, POLL_MS);
        }).then(function () {
          return wait(answer.data.poll || url);
        });
      }
      return answer;
    });
  }

  function send(save) {
    var rect = selection && selection.get();
    if (!rect) return;
    readButton.disabled = saveButton.disabled = true;
    status.textContent = strings.regionReading;
    output.hidden = true;
    var body = { x: rect.x, y: rect.y, width: rect.width, height: rect.height, save: save };
    request("POST", panel.getAttribute("data-url"), body)
      .then(function (answer) {
        if (save) {
          if (answer.status === 201 || answer.status === 200) {
            status.textContent = strings.regionSaved + " ";
            var link = document.createElement("a");
            link.href = panel.getAttribute("data-result-url").replace("{id}", String(answer.data.id));
            link.textContent = strings.openResult;
            link.id = "region-new-upload";
            status.append(link);
          } else failed(answer);
          return;
        }
        if (answer.status !== 202) return failed(answer);
        return wait(answer.data.poll).then(function (reading) {
          if (reading.status !== 200 || reading.data.status !== "done") return failed(reading);
          status.textContent = "";
          output.textContent = reading.data.text || strings.regionEmpty;
          output.hidden = false;
        });
      })
      .catch(function () {
        status.textContent = strings.networkError;
      })
      .then(function () {
        readButton.disabled = saveButton.disabled = false;
      });
  }

  readButton.addEventListener("click", function () {
    send(false);
  });
  saveButton.addEventListener("click", function () {
    send(true);
  });
})();
