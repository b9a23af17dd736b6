// Installs the portal's service worker (static/portal/sw.js, served at /sw.js): it keeps the
// site's shell, the wallet and the offline verifier for use without network.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { return null; });
  });
})();
