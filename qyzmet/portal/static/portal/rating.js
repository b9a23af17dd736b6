// The rating form: how many characters the comment may still have (the form works without it).
(function () {
  "use strict";
  document.querySelectorAll("[data-rating-form]").forEach(function (form) {
    var field = form.querySelector("textarea[maxlength]");
    var left = form.querySelector("[data-left-template]");
    if (!field || !left) { return; }
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var template = left.getAttribute("data-left-template");
    function update() {
      left.textContent = template.replace("__N__", String(Math.max(0, max - field.value.length)));
    }
    field.addEventListener("input", update);
    update();
    left.hidden = false;
  });
})();
