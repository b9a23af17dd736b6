// The payment page while the bank has not answered: asks the payment's state every 3 seconds
// (for ten minutes at most) and, when it changes, puts the fresh page's status block in place of
// this one. The block is an aria-live region, so the answer is read out.
(function () {
  "use strict";
  var live = document.querySelector("[data-payment-poll]");
  if (!live || !window.fetch || !window.DOMParser) { return; }
  var url = live.getAttribute("data-payment-poll");
  var state = live.getAttribute("data-state");
  var left = 200;
  var asJson = { credentials: "same-origin", headers: { "Accept": "application/json" } };
  var asPage = { credentials: "same-origin", headers: { "Accept": "text/html" } };

  function later() {
    left -= 1;
    if (left > 0) { window.setTimeout(poll, 3000); }
  }

  function replace() {
    return fetch(window.location.href, asPage).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html")
        .querySelector("[data-payment-live]");
      if (!fresh) { throw new Error("no status block"); }
      live.innerHTML = fresh.innerHTML;
      state = fresh.getAttribute("data-state");
      live.setAttribute("data-state", state);
      if (!fresh.hasAttribute("data-payment-poll")) {
        live.removeAttribute("data-payment-poll");
        return;
      }
      later();
    });
  }

  function poll() {
    fetch(url, asJson).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (answer) {
      if (answer.state === state) { later(); return null; }
      return replace();
    }).catch(later);
  }

  later();
})();
