/* Copy buttons for the feedback links (templates/feedback/sent.html): a button names the input it copies
   (data-copy="<id>"); the result is said in the #copy-status live region and on the button itself.
   Without this file, or without the Clipboard API, the buttons stay hidden and each link stays
   selectable as text in its read-only field. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  var status = document.getElementById("copy-status");
  var buttons = document.querySelectorAll("button[data-copy]");
  var say = function (text) { if (status) { status.textContent = text; } };
  var label = function (button, text) {
    var hidden = button.querySelector(".visually-hidden");
    button.firstChild.nodeValue = text;
    if (hidden) { button.appendChild(hidden); }
  };
  buttons.forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var who = button.getAttribute("data-who") || "";
      navigator.clipboard.writeText(field.value).then(function () {
        buttons.forEach(function (other) { label(other, "Copy"); other.classList.remove("copied"); });
        label(button, "Copied");
        button.classList.add("copied");
        say("Copied the link for " + who + ".");
      }, function () {
        field.focus();
        field.select();
        say("Could not copy: the link for " + who + " is selected, press Ctrl+C (or Cmd+C) to copy it.");
      });
    });
  });
  document.querySelectorAll("input.link-copy").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });  // one click selects the whole link
  });
})();
