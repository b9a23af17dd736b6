// The payments list: the total of the ticked invoices, kept up to date as boxes change. Without
// this script the page still works: the next step states the total before the card.
(function () {
  "use strict";
  function group(digits, separator) {
    var out = "";
    while (digits.length > 3) {
      out = separator + digits.slice(-3) + out;
      digits = digits.slice(0, -3);
    }
    return digits + out;
  }
  function tenge(tiyn, groupSeparator, decimalSeparator) {
    var whole = String(Math.floor(tiyn / 100));
    var cents = String(tiyn % 100);
    if (cents.length < 2) { cents = "0" + cents; }
    return group(whole, groupSeparator) + decimalSeparator + cents + "\u00a0\u20b8";
  }
  document.querySelectorAll("[data-payments-form]").forEach(function (form) {
    var line = form.querySelector("[data-payments-total]");
    var output = line && line.querySelector("output");
    if (!output) { return; }
    var boxes = form.querySelectorAll("input[type=checkbox][data-amount-tiyn]");
    function update() {
      var total = 0;
      boxes.forEach(function (box) {
        if (box.checked) { total += parseInt(box.getAttribute("data-amount-tiyn"), 10) || 0; }
      });
      output.textContent = tenge(total, line.getAttribute("data-group"),
        line.getAttribute("data-decimal"));
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
    line.hidden = false;
  });
})();
