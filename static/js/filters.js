/* List filters fold on phones: a <details data-fold-on-phones> panel is open in the page (wide screens and
   no-JS readers see the fields) and closed here on a narrow screen, unless a field in it has an error. */
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(max-width: 700px)").matches) { return; }
  document.querySelectorAll("details[data-fold-on-phones]").forEach(function (panel) {
    if (!panel.querySelector(".has-error, [aria-invalid=true]")) { panel.open = false; }
  });
})();
