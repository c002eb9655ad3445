/* The meeting form's draft and presence (issue 23); the page works without this file (no draft is saved).
   1. Autosave: a change starts a 5-second wait, then the form's fields are posted as the person's draft
      (so at most one save every 5 seconds); what is left unsaved is sent on leaving the page
      (navigator.sendBeacon). Never once a form of the page is being submitted: the saved meeting (or
      Discard) deletes the draft, and a late save must not bring it back. "Draft saved 14:02 UTC" says so.
   2. Restore: fills the form from the draft kept in the page (#draft-data, [name, value] pairs): text,
      selects, radios, ticked boxes, and the next-step and decision rows it needs ("Add another ...").
   3. Presence: an edit page pings every 30 seconds and shows who else has the meeting open. */
(function () {
  "use strict";
  var form = document.getElementById("meeting-form");
  var box = document.getElementById("autosave");
  if (!form || !box) { return; }
  var status = document.getElementById("draft-status");
  var saveUrl = box.getAttribute("data-save-url");
  var WAIT = 5000;
  var PING = 30000;

  function state() {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") { pairs.push(name + "=" + value); }
    });
    return pairs.join("&");
  }

  function say(text) { if (status) { status.textContent = text; } }

  var saved = state();  // what the server has, or what the page opened with
  var timer = null;
  var leaving = false;
  document.addEventListener("submit", function () { leaving = true; if (timer) { clearTimeout(timer); timer = null; } });
  window.addEventListener("pageshow", function () { leaving = false; });  // back from the next page

  function save() {
    timer = null;
    var now = state();
    if (leaving || now === saved) { return; }
    fetch(saveUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (answer.ok) {
        saved = now;
        say("Draft saved " + answer.body.saved.label);
      } else {
        say(answer.body.error ? answer.body.error.message : "The draft could not be saved.");
      }
    }).catch(function () {
      say("The draft could not be saved (no connection); keep the page open and try again.");
    });
  }

  function changed() {
    if (!timer && !leaving) { timer = setTimeout(save, WAIT); }
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  function flush() {
    if (leaving || state() === saved || !navigator.sendBeacon) { return; }
    if (navigator.sendBeacon(saveUrl, new FormData(form))) { saved = state(); }
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flush(); }
  });

  // --- Restore
  var restore = document.getElementById("draft-restore");
  var data = document.getElementById("draft-data");
  var banner = document.getElementById("draft-banner");

  function rowsFor(name) {
    // a repeated row the draft has and the page not yet: "Add another ..." until it is there (at most 50)
    var m = /^(next_steps|decisions)-(\d+)-/.exec(name);
    if (!m) { return; }
    var button = document.getElementById(m[1] === "next_steps" ? "add-next-step" : "add-decision");
    for (var i = 0; i < 50 && button && !form.elements.namedItem(name); i += 1) { button.click(); }
  }

  // a goal's rows follow the goal, not the position: goals may have changed since the draft was saved
  var GOAL_ROW = /^(goal_changes|measurements)-(\d+)-(.+)$/;
  function followGoals(pairs) {
    var onPage = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var m = GOAL_ROW.exec(el.name || "");
      if (m && m[3] === "goal_id") { onPage[m[1] + ":" + el.value] = m[2]; }
    });
    var toPage = {};
    pairs.forEach(function (pair) {
      var m = GOAL_ROW.exec(pair[0]);
      if (m && m[3] === "goal_id") { toPage[m[1] + "-" + m[2]] = onPage[m[1] + ":" + pair[1]]; }
    });
    var out = [];
    pairs.forEach(function (pair) {
      var m = GOAL_ROW.exec(pair[0]);
      if (!m) { out.push(pair); return; }
      var row = toPage[m[1] + "-" + m[2]];
      if (row !== undefined) { out.push([m[1] + "-" + row + "-" + m[3], pair[1]]); }  // a goal gone: left out
    });
    return out;
  }

  function fill(pairs) {
    pairs = followGoals(pairs);
    var values = {};
    pairs.forEach(function (pair) {
      rowsFor(pair[0]);
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "submit" || el.type === "button") { return; }
      var given = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = !!given && given.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = !!given && given.indexOf(o.value) !== -1; });
      } else if (given) {
        el.value = given.shift();
      } else if (el.type !== "hidden") {
        el.value = "";
      }
    });
    form.querySelectorAll("details").forEach(function (d) {  // a ticked box or a value inside shows
      var filled = Array.prototype.some.call(d.querySelectorAll("input:not([type=hidden])"), function (el) {
        return (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value !== "";
      });
      if (filled) { d.open = true; }
    });
    form.setAttribute("data-unsaved", "");  // leaving now asks first (form-care.js)
  }

  if (restore && data) {
    restore.hidden = false;
    restore.addEventListener("click", function () {
      fill(JSON.parse(data.textContent));
      saved = state();
      if (banner) { banner.hidden = true; }
      say("Draft restored: check it, then save the meeting.");
      var first = form.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
  }

  // --- Presence on an edit page
  var editingUrl = box.getAttribute("data-editing-url");
  var notice = document.getElementById("editing-notice");
  var token = form.querySelector("input[name=csrf_token]");
  if (editingUrl && notice && token) {
    setInterval(function () {
      var body = new FormData();
      body.append("csrf_token", token.value);
      fetch(editingUrl, { method: "POST", body: body, headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) { return; }
          notice.textContent = answer.message;
          notice.hidden = !answer.message;
        })
        .catch(function () { /* offline: the notice stays as it was */ });
    }, PING);
  }
}());
