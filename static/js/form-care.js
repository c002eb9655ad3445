/* Two helps for long forms; each page works without them.
   1. A refused form's error summary ([data-error-summary]) takes the focus when the page loads, so a
      screen reader reads it and Tab goes through its links; a link puts the focus in its field (a group
      of boxes: its first box), not only the scroll position.
   2. An unsaved-changes warning on forms marked data-warn-unsaved: leaving the page asks first when
      something was typed or ticked since the page loaded (or the page came back with values not saved
      yet: data-unsaved), never once the form is being submitted. */
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var field = target.matches("input, select, textarea, button") ? target : target.querySelector("input, select, textarea");
      var legend = target.closest("fieldset") ? target.closest("fieldset").querySelector("legend") : null;
      (legend || target).scrollIntoView();
      (field || target).focus({ preventScroll: true });
    });
  }

  function state(form) {
    var filled = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string" && value !== "") { filled.push(name + "=" + value); }
    });
    return filled.sort().join("&");
  }

  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var initial = state(form);
    var submitting = false;
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("pageshow", function () { submitting = false; });  // back from the next page
    window.addEventListener("beforeunload", function (event) {
      if (submitting) { return; }
      if (!form.hasAttribute("data-unsaved") && state(form) === initial) { return; }
      event.preventDefault();
      event.returnValue = "";  // the browser shows its own "Leave site?" question
    });
  });
}());
