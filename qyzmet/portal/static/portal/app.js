// On every page: the phone header's menu button (a disclosure: it shows and hides the menu
// below it, Escape closes it), and the portal's service worker (static/portal/sw.js, served at
// /sw.js): it keeps the site's shell, the wallet and the offline verifier for use without
// network.
(function () {
  "use strict";
  var button = document.querySelector("[data-menu-button]");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (menu) {
    var show = function (open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    };
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        show(false);
        button.focus();
      }
    });
  }
  if (!("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { return null; });
  });
})();
