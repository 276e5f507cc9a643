/*
 * The team space's selection and bulk bar, and its mentions list.
 *
 * Checkboxes belong to the bulk form (their form attribute), so the form
 * works without this script; here: shift-click selects a range, "select
 * this page", the count, showing only the options the chosen action uses,
 * and the one confirmation before the request. Mentions of the signed-in
 * user that arrive on the live feed are added to the list with
 * textContent only.
 */
(function () {
  "use strict";

  var form = document.getElementById("bulk-form");
  var list = document.getElementById("feed");
  if (!form || !list) return;
  var pageBox = document.getElementById("select-page");
  var allMatching = document.getElementById("select-all-matching");
  var count = document.getElementById("selection-count");
  var action = document.getElementById("bulk-action");
  var lastClicked = null;

  function boxes() {
    return Array.prototype.slice.call(list.querySelectorAll("input.select-upload"));
  }

  function idOf(box) {
    var item = box.closest(".feed-item");
    return item ? item.getAttribute("data-upload-id") : "";
  }

  function selected() {
    return boxes().filter(function (box) {
      return box.checked;
    });
  }

  function describe() {
    var all = allMatching && allMatching.checked;
    var n = all ? Number(form.getAttribute("data-matching")) : selected().length;
    // A large team's count stops at a limit: "1000+ selected".
    var shown = all ? form.getAttribute("data-matching-shown") || String(n) : String(n);
    count.textContent = n ? form.getAttribute("data-count-template").replace("{count}", shown) : "";
    return all && n ? shown : n;
  }

  list.addEventListener("click", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("select-upload")) return;
    if (!box.value) box.value = idOf(box);
    var all = boxes();
    if (event.shiftKey && lastClicked && all.indexOf(lastClicked) !== -1) {
      var from = all.indexOf(lastClicked);
      var to = all.indexOf(box);
      var low = Math.min(from, to);
      var high = Math.max(from, to);
      for (var i = low; i <= high; i += 1) {
        all[i].checked = box.checked;
        if (!all[i].value) all[i].value = idOf(all[i]);
      }
    }
    lastClicked = box;
    describe();
  });

  if (pageBox) {
    pageBox.addEventListener("change", function () {
      boxes().forEach(function (box) {
        box.checked = pageBox.checked;
        if (!box.value) box.value = idOf(box);
      });
      describe();
    });
  }
  if (allMatching) allMatching.addEventListener("change", describe);

  function showOptions() {
    form.querySelectorAll("[data-for]").forEach(function (element) {
      var wanted = element.getAttribute("data-for").split(" ").indexOf(action.value) !== -1;
      element.hidden = !wanted;
      element.disabled = !wanted;
    });
  }
  action.addEventListener("change", showOptions);
  showOptions();

  form.addEventListener("submit", function (event) {
    boxes().forEach(function (box) {
      if (!box.value) box.value = idOf(box);
    });
    var n = describe();
    if (!n) {
      event.preventDefault();
      count.textContent = form.getAttribute("data-empty");
      return;
    }
    var label = action.options[action.selectedIndex].textContent;
    var question = form.getAttribute("data-confirm-template").replace("{action}", label).replace("{count}", String(n));
    if (!window.confirm(question)) event.preventDefault();
  });

  // --- Mentions arriving live ------------------------------------------------
  var config = window.OcrLiveFeed.readJson("feed-config");
  var mentions = document.getElementById("notification-list");
  var badge = document.getElementById("notification-count");
  var empty = document.getElementById("notifications-empty");
  if (window.OcrTeamFeed && mentions && config.username) {
    window.OcrTeamFeed.subscribe(function (event) {
      var upload = event.upload || {};
      if (event.kind !== "upload.noted" || upload.note_removed) return;
      if (!Array.isArray(upload.mentioned) || upload.mentioned.indexOf(config.username) === -1) return;
      var item = document.createElement("li");
      item.className = "notification live";
      var link = document.createElement("a");
      link.setAttribute("href", config.resultUrl.replace("{id}", String(Number(event.upload_id))) + "#notes");
      var who = document.createElement("strong");
      who.textContent = upload.author || "";
      link.append(who, " · ", upload.name || "");
      item.append(link);
      mentions.insertBefore(item, mentions.firstElementChild);
      badge.textContent = String((Number(badge.textContent) || 0) + 1);
      if (empty) empty.hidden = true;
    });
  }
})();
