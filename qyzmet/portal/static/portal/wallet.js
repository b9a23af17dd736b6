// The countdown of a share code or offline code: minutes and seconds left, then "expired".
(function () {
  "use strict";
  var box = document.querySelector("[data-countdown], [data-countdown-until]");
  if (!box) { return; }
  var until = box.hasAttribute("data-countdown-until")
    ? 1000 * parseInt(box.getAttribute("data-countdown-until"), 10)
    : Date.now() + 1000 * parseInt(box.getAttribute("data-countdown"), 10);
  var original = box.textContent;
  function tick() {
    var left = Math.max(0, Math.round((until - Date.now()) / 1000));
    if (left <= 0) {
      box.textContent = box.getAttribute("data-expired-text") || original;
      box.setAttribute("data-expired", "true");
      return;
    }
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    box.textContent = original.trim() + " (" + minutes + ":" + (seconds < 10 ? "0" : "") + seconds + ")";
    window.setTimeout(tick, 1000);
  }
  tick();
})();
