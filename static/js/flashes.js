/* The message after an action ("Engagement … created.") stays in view: it sits at the top of the page
   (role="status", never hidden by a timer) and takes the focus when the page loads, so the page opens on
   it and a screen reader reads it. Not where the page puts the focus itself (an autofocus field, a
   form's error summary) or opens at a section asked for by a link (#team). */
(function () {
  "use strict";
  var flashes = document.querySelector("[data-flashes]");
  if (!flashes || window.location.hash || document.querySelector("[autofocus], [data-error-summary]")) { return; }
  if (document.activeElement && document.activeElement !== document.body) { return; }
  flashes.focus();
}());
