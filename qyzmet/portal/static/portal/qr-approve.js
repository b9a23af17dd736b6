// The sign-in QR code opened in the phone's browser: its token is in the address's fragment,
// which never reaches the server; post it to show the signed-in person who asks.
(function () {
  "use strict";
  var form = document.querySelector("[data-qr-look]");
  var token = window.location.hash.replace(/^#/, "");
  if (!form || !token) { return; }
  form.querySelector("input[name=token]").value = token;
  form.hidden = false;
  form.submit();
})();
