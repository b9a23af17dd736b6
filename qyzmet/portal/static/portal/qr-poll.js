// Polls the QR sign-in status every 2 seconds; continues when the phone app approves.
(function () {
  "use strict";
  var box = document.querySelector("[data-qr-poll]");
  if (!box) { return; }
  var url = box.getAttribute("data-qr-poll");
  var state = box.querySelector("[data-qr-state]");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  var deadline = Date.now() + 1000 * parseInt(box.getAttribute("data-expires-in") || "120", 10);
  function poll() {
    if (Date.now() > deadline) {
      if (state) { state.textContent = state.getAttribute("data-expired") || state.textContent; }
      window.location.reload();
      return;
    }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.status === "approved") { window.location.assign(data.next); return; }
      if (data.status === "expired") { window.location.reload(); return; }
      window.setTimeout(poll, 2000);
    }).catch(function () { window.setTimeout(poll, 4000); });
  }
  window.setTimeout(poll, 2000);
})();
