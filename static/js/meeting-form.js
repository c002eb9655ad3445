/* The meeting log form: strategy filter, "Add another next step" and "Add another decision", Ctrl+Enter to save, and the
   duration default following the kind. The page works without this file (all strategies visible,
   three next-step rows, the Save button). */
(function () {
  "use strict";
  var form = document.getElementById("meeting-form");
  if (!form) { return; }

  // --- Ctrl+Enter (or Cmd+Enter) saves from anywhere in the form
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
    }
  });

  // --- strategy filter: hides strategies whose name does not match (ticked ones always stay)
  var filterBox = form.querySelector(".strategy-filter");
  var filter = document.getElementById("strategy-filter");
  var list = document.getElementById("strategy-list");
  var counter = document.getElementById("strategy-filter-count");
  if (filterBox && filter && list) {
    filterBox.hidden = false;
    var apply = function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      list.querySelectorAll(".strategy-group").forEach(function (group) {
        var visible = 0;
        group.querySelectorAll("li").forEach(function (item) {
          var label = item.querySelector("label");
          var text = (label.textContent + " " + (label.getAttribute("title") || "")).toLowerCase();
          var box = item.querySelector("input");
          var match = box.checked || words.every(function (w) { return text.indexOf(w) !== -1; });
          item.hidden = !match;
          if (match) { visible += 1; }
        });
        group.hidden = visible === 0;
        shown += visible;
      });
      if (counter) { counter.textContent = words.length ? shown + " shown" : ""; }
    };
    filter.addEventListener("input", apply);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !(event.ctrlKey || event.metaKey)) {
        event.preventDefault();  // Enter in the filter must not save the form: go to the first match
        var first = list.querySelector("li:not([hidden]) input");
        if (first) { first.focus(); }
      } else if (event.key === "Escape") {
        filter.value = "";
        apply();
      }
    });
  }

  // --- "Add another next step" / "Add another decision": clone the last row with the next free index, empty
  var addRows = function (rowsId, buttonId, marker, prefix) {
    var rows = document.getElementById(rowsId);
    var addButton = document.getElementById(buttonId);
    if (!rows || !addButton) { return; }
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var all = rows.querySelectorAll("[" + marker + "]");
      var last = all[all.length - 1];
      var next = 0;
      rows.querySelectorAll("[name^='" + prefix + "-']").forEach(function (el) {
        var n = parseInt(el.name.split("-")[1], 10);
        if (!isNaN(n) && n >= next) { next = n + 1; }
      });
      var row = last.cloneNode(true);
      var pattern = new RegExp("^" + prefix + "-\\d+-");
      var renumber = function (value) { return value.replace(pattern, prefix + "-" + next + "-"); };
      row.querySelectorAll("[name]").forEach(function (el) { el.name = renumber(el.name); });
      row.querySelectorAll("[id]").forEach(function (el) { el.id = renumber(el.id); });
      row.querySelectorAll("label[for]").forEach(function (el) { el.htmlFor = renumber(el.htmlFor); });
      row.querySelectorAll("input").forEach(function (el) { el.value = ""; el.setAttribute("aria-invalid", "false"); });
      row.querySelectorAll("select").forEach(function (el) {  // a next step's owner: "No owner yet", no recorded name
        el.querySelectorAll("optgroup[label='Owner as recorded']").forEach(function (group) { group.remove(); });
        el.selectedIndex = 0;
        el.setAttribute("aria-invalid", "false");
      });
      row.querySelectorAll(".error").forEach(function (el) { el.remove(); });
      row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      rows.appendChild(row);
      var text = row.querySelector("input[name$='-text']");
      if (text) { text.focus(); }
    });
  };
  addRows("next-step-rows", "add-next-step", "data-next-step", "next_steps");
  addRows("decision-rows", "add-decision", "data-decision", "decisions");

  // --- the duration follows the kind (90 min for a monthly meeting, 45 otherwise) until typed in
  var duration = document.getElementById("duration_minutes");
  if (duration) {
    var touched = form.querySelector(".has-error #duration_minutes") !== null || form.dataset.edit === "1";
    duration.addEventListener("input", function () { touched = true; });
    form.querySelectorAll("input[name='kind']").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (!touched && radio.checked) { duration.value = radio.value === "monthly" ? "90" : "45"; }
      });
    });
  }
}());
