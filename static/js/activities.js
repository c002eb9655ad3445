/* The quick entry of the work between meetings (templates/activities/new.html): "Add a line" appends a
   blank line from the page's <template> (rows-__i__-… renamed to the next index) without a round trip,
   and moves the focus to its date. Without this script the page shows its blank lines, and blank lines
   are skipped on save. */
(function () {
  "use strict";

  var form = document.getElementById("activity-form");
  var template = document.getElementById("activity-row-template");
  var add = document.getElementById("add-activity-row");
  if (!form || !template || !add) { return; }
  var list = document.getElementById("activity-rows");
  var max = parseInt(form.getAttribute("data-max-rows"), 10) || 20;

  function count() { return list.querySelectorAll("[data-activity-row]").length; }

  function update() { add.disabled = count() >= max; }

  add.hidden = false;
  update();
  add.addEventListener("click", function () {
    var index = count();
    if (index >= max) { return; }
    var html = template.innerHTML.replace(/rows-__i__-/g, "rows-" + index + "-").replace(/__n__/g, String(index + 1));
    list.insertAdjacentHTML("beforeend", html);
    var rows = list.querySelectorAll("[data-activity-row]");
    var row = rows[rows.length - 1];
    var previous = rows[rows.length - 2];
    var date = row.querySelector("input[type=date]");
    var before = previous && previous.querySelector("input[type=date]");
    if (date && before && before.value) { date.value = before.value; }  // the same day as the line above
    if (date) { date.focus(); }
    update();
  });
}());
