/* Repeatable rows (templates/_macros/forms.html repeat_rows): "Add another …" clones the last row,
   emptied, and "Remove" takes a row away; the rows are then renumbered so the names the server reads
   stay team_members-0-name, team_members-1-name, ... Without this script the page shows a few blank
   rows, and blank rows are skipped on save. */
(function () {
  "use strict";

  var ATTRIBUTES = ["name", "id", "for", "aria-describedby"];

  function renumber(group) {
    var prefix = group.getAttribute("data-repeat-rows");
    var pattern = new RegExp("(^|\\s)" + prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "-\\d+-", "g");
    group.querySelectorAll("[data-repeat-row]").forEach(function (row, index) {
      row.querySelectorAll("*").forEach(function (element) {
        ATTRIBUTES.forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) { element.setAttribute(attribute, value.replace(pattern, "$1" + prefix + "-" + index + "-")); }
        });
      });
      row.querySelectorAll("[data-row-number]").forEach(function (number) { number.textContent = String(index + 1); });
    });
  }

  function empty(row) {
    row.querySelectorAll("input, textarea").forEach(function (input) { input.value = ""; });
    row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    row.querySelectorAll(".error").forEach(function (message) { message.remove(); });
    row.querySelectorAll(".has-error").forEach(function (field) { field.classList.remove("has-error"); });
    row.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.setAttribute("aria-invalid", "false");
      var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && !/-error$/.test(id);
      });
      if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
    });
  }

  function firstField(row) {
    return row.querySelector("input, select, textarea");
  }

  document.querySelectorAll("[data-repeat-rows]").forEach(function (group) {
    var list = group.querySelector("[data-repeat-list]");
    var add = group.querySelector("[data-add-row]");
    group.querySelectorAll("[data-add-row], [data-remove-row]").forEach(function (button) { button.hidden = false; });

    add.addEventListener("click", function () {
      var rows = list.querySelectorAll("[data-repeat-row]");
      var copy = rows[rows.length - 1].cloneNode(true);
      empty(copy);
      list.appendChild(copy);
      renumber(group);
      firstField(copy).focus();
    });

    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-row]");
      if (!button) { return; }
      var row = button.closest("[data-repeat-row]");
      var rows = Array.prototype.slice.call(list.querySelectorAll("[data-repeat-row]"));
      if (rows.length === 1) {  // the last row stays, emptied: there is always one to fill in
        empty(row);
        firstField(row).focus();
        return;
      }
      var next = rows[rows.indexOf(row) + 1] || rows[rows.indexOf(row) - 1];
      row.remove();
      renumber(group);
      firstField(next).focus();
    });
  });
}());
