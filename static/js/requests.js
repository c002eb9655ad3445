// Support request form: show the partner's name only for a request on behalf of a partner or
// grantee, and "what makes it urgent" only for an urgent request. Without JS every field shows.
(function () {
  "use strict";
  var blocks = document.querySelectorAll("[data-show-when]");
  if (!blocks.length) { return; }

  function matches(rule) {
    var parts = rule.split("=");
    var name = parts[0];
    var inputs = document.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (parts.length === 1 && input.type === "checkbox" && input.checked) { return true; }
      if (parts.length === 2 && input.checked && input.value === parts[1]) { return true; }
    }
    return false;
  }

  function update() {
    blocks.forEach(function (block) {
      // A field with an error stays visible so the message can be read.
      var hasError = block.querySelector(".has-error") !== null;
      block.hidden = !hasError && !matches(block.getAttribute("data-show-when"));
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.form) { update(); }
  });
  update();
}());
