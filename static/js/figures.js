/* Two views of one figure: a chart and the table with its numbers (the two_views macro,
   templates/reports/_macros.html). Once the chart is drawn (charts.js marks its figure "chart-ready"),
   a Chart / Table switch shows one view at a time; without scripts, or when the chart could not be
   drawn, both views show. The switch is a pair of toggle buttons (aria-pressed). */
(function () {
  "use strict";

  function show(box, view) {
    box.setAttribute("data-view", view);
    Array.prototype.forEach.call(box.querySelectorAll(".view-switch [data-view]"), function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-view") === view ? "true" : "false");
    });
  }

  function setUp() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-views]"), function (box) {
      if (!box.querySelector("figure.chart-ready")) { return; }
      var buttons = box.querySelector(".view-switch");
      buttons.hidden = false;
      buttons.addEventListener("click", function (event) {
        var button = event.target.closest("[data-view]");
        if (button) { show(box, button.getAttribute("data-view")); }
      });
      show(box, "chart");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
