/* Report charts: each <canvas data-chart="ID"> is drawn with Chart.js from the JSON data island
   <script type="application/json" id="ID"> next to it (data, not script, so a strict CSP allows it).
   The same numbers are always in an HTML table on the page; without JS only the tables show.

   Spec: {type: "bar"|"line"|"doughnut", labels: [...], datasets: [{label, data, colour: "--css-variable"?, dash: bool (a reference line)}],
          horizontal: bool, stacked: bool, percent: bool (data are shares 0-1), scale5: bool (1-5 scale)} */
(function () {
  "use strict";
  // A dataset may name its colour as a CSS variable of the one palette (static/css/app.css :root);
  // otherwise datasets take --series-1, --series-2, ... in turn.
  function cssColour(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }
  var PALETTE = [1, 2, 3, 4, 5, 6, 7, 8].map(function (n) { return cssColour("--series-" + n) || "#4f5b6d"; });

  function percent(value) { return Math.round(value * 100) + "%"; }

  function config(spec) {
    var single = spec.datasets.length === 1;
    var doughnut = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (d, i) {
      var colour = (d.colour && cssColour(d.colour)) || PALETTE[i % PALETTE.length];
      var set = { label: d.label, data: d.data, borderWidth: spec.type === "line" ? 2 : 1 };
      if (doughnut) {
        set.backgroundColor = d.data.map(function (_, j) { return PALETTE[j % PALETTE.length]; });
        set.borderColor = "#fff";
      } else {
        set.backgroundColor = spec.type === "line" ? colour : colour + "cc";
        set.borderColor = colour;
        set.spanGaps = true;
        if (d.dash) { set.borderDash = [6, 4]; set.pointRadius = 0; }  // a reference line (a goal's baseline, target)
      }
      return set;
    });
    var tick = spec.percent ? function (v) { return percent(v); } : undefined;
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: doughnut || !single, position: "bottom" },
        tooltip: {
          callbacks: spec.percent ? {
            label: function (ctx) { return ctx.dataset.label + ": " + percent(ctx.parsed[spec.horizontal ? "x" : "y"]); }
          } : {}
        }
      }
    };
    if (!doughnut) {
      var value = { beginAtZero: true, stacked: !!spec.stacked, ticks: { precision: 0 } };
      if (tick) { value.ticks.callback = tick; value.max = 1; }
      if (spec.scale5) { value.beginAtZero = false; value.min = 1; value.max = 5; }
      var category = { stacked: !!spec.stacked, ticks: { autoSkip: true } };
      options.indexAxis = spec.horizontal ? "y" : "x";
      options.scales = spec.horizontal ? { x: value, y: category } : { x: category, y: value };
    }
    return { type: spec.type || "bar", data: { labels: spec.labels, datasets: datasets }, options: options };
  }

  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var island = document.getElementById(canvas.getAttribute("data-chart"));
      if (!island) { return; }
      var spec;
      try { spec = JSON.parse(island.textContent); } catch (e) { return; }
      if (!spec || !spec.labels || !spec.labels.length) { return; }
      var box = canvas.parentNode;
      if (spec.horizontal) { box.style.height = Math.max(160, 28 * spec.labels.length + 60) + "px"; }
      canvas.closest("figure").classList.add("chart-ready");
      new window.Chart(canvas, config(spec));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  // Charts redraw at the page width when printed.
  window.addEventListener("beforeprint", function () {
    if (!window.Chart) { return; }
    Object.values(window.Chart.instances || {}).forEach(function (chart) { chart.resize(); });
  });
})();
