// Print buttons: a <button data-print hidden> is shown and prints the page (window.print). Without JS the
// button stays hidden and the browser's own Print command prints the same page (static/css/print.css).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();
