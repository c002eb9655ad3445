/* "Select all" and "Clear" for the list of people to ask (templates/feedback/invite.html), with a count
   of those ticked said in a live region. Without this file the boxes are ticked one by one. */
(function () {
  "use strict";
  document.querySelectorAll(".recipient-picker").forEach(function (picker) {
    var tools = picker.querySelector("[data-picker-tools]");
    var count = picker.querySelector("[data-picked]");
    var boxes = picker.querySelectorAll("input[type=checkbox]");
    if (!tools || boxes.length < 2) { return; }
    tools.hidden = false;
    var update = function () {
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      if (count) { count.textContent = ticked + " of " + boxes.length + " chosen"; }
    };
    tools.querySelectorAll("button[data-pick]").forEach(function (button) {
      button.addEventListener("click", function () {
        var all = button.getAttribute("data-pick") === "all";
        boxes.forEach(function (box) { box.checked = all; });
        update();
      });
    });
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  });
})();
