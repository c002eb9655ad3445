/* Tables on small screens (loaded on every page by base.html).

   1. A table in a `.table-scroll` box that is wider than the box scrolls sideways inside it; a keyboard
      user must be able to reach the box to scroll it (WCAG 2.1.1, axe: scrollable-region-focusable).
      Boxes that scroll become a focusable region named after their table; boxes that fit stay out of the
      tab order. A box the template already made focusable (its own tabindex) is left alone.
   2. A `table.stack` is shown as stacked rows on a phone (app.css); each cell is labelled with its
      column's heading through `data-label`, unless the template gave one. */
(function () {
  "use strict";

  function text(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }

  function precedingHeading(el) {
    for (var node = el; node && node !== document.body; node = node.parentElement) {
      for (var sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) {
        if (/^H[1-6]$/.test(sib.tagName)) { return sib; }
        var inner = sib.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) { return inner[inner.length - 1]; }
      }
    }
    return null;
  }

  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (text(caption)) { return text(caption); }
    var labelled = box.closest("[aria-labelledby]");
    var named = labelled && document.getElementById(labelled.getAttribute("aria-labelledby").split(" ")[0]);
    return text(named) || text(precedingHeading(box)) || "Table";
  }

  function updateBox(box) {
    var ours = box.hasAttribute("data-scroll-region");
    if (box.hasAttribute("tabindex") && !ours) { return; }
    if (box.scrollWidth > box.clientWidth + 1) {
      if (!ours) {
        box.setAttribute("data-scroll-region", "");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
          box.setAttribute("aria-label", nameOf(box) + " (scrolls sideways)");
          box.setAttribute("data-scroll-label", "");
        }
      }
    } else if (ours) {
      ["data-scroll-region", "tabindex", "role"].forEach(function (a) { box.removeAttribute(a); });
      if (box.hasAttribute("data-scroll-label")) {
        box.removeAttribute("aria-label");
        box.removeAttribute("data-scroll-label");
      }
    }
  }

  function labelCells(table) {
    var heads = table.querySelectorAll("thead tr:last-child th");
    if (!heads.length) { return; }
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && heads[col]) { cell.setAttribute("data-label", text(heads[col])); }
          col += cell.colSpan || 1;
        });
      });
    });
  }

  function setUp() {
    Array.prototype.forEach.call(document.querySelectorAll("table.stack"), labelCells);
    var boxes = document.querySelectorAll(".table-scroll");
    Array.prototype.forEach.call(boxes, updateBox);
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { updateBox(entry.target); });
      });
      Array.prototype.forEach.call(boxes, function (box) { observer.observe(box); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
