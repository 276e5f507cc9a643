/*
 * The team's recognizer models page, while a run is queued or training:
 * asks the progress view every few seconds and redraws the run's table of
 * epochs (textContent only: nothing from the answer becomes HTML). When
 * the run ends, or another one is running, the page is loaded again, since
 * the figures, the reason and the buttons all change then.
 */
(function () {
  "use strict";

  var section = document.getElementById("team-models");
  if (!section || !section.getAttribute("data-progress-url")) return;
  var url = section.getAttribute("data-progress-url");
  var seconds = Number(section.getAttribute("data-poll-seconds")) || 5;
  var number = Number(section.getAttribute("data-running"));
  var status = section.getAttribute("data-status");
  var body = document.getElementById("running-progress");

  function cell(row, value) {
    var td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "" : String(value);
    row.appendChild(td);
  }

  function redraw(progress) {
    if (!body) return;
    if (progress.length === body.rows.length) return;
    while (body.firstChild) body.removeChild(body.firstChild);
    progress.forEach(function (entry) {
      var row = document.createElement("tr");
      cell(row, entry.epoch);
      cell(row, entry.loss);
      cell(row, entry.validation_cer);
      cell(row, entry.seconds);
      body.appendChild(row);
    });
    var waiting = document.getElementById("running-waiting");
    if (waiting && progress.length) waiting.remove();
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (data) {
        var run = data.running;
        if (!run || run.number !== number || run.status !== status) {
          window.location.reload();
          return;
        }
        redraw(run.progress || []);
        window.setTimeout(poll, seconds * 1000);
      })
      .catch(function () {
        // A lost connection or a restart: try again later, a little slower.
        window.setTimeout(poll, seconds * 2000);
      });
  }

  window.setTimeout(poll, seconds * 1000);
})();
