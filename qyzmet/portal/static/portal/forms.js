// What every form of the portal does in the browser (the forms work without it):
// - the error summary ([data-error-summary]) takes the focus when the page opens, and its links
//   move the focus to the field in error, its label in view (GOV.UK's error summary);
// - a draft form (form[data-autosave="<save URL>"]) is saved as the person types, a moment after
//   they stop, and says so in its [data-autosave-status] (role="status");
// - a long form that cannot be saved (form[data-warn-unsaved]), or a draft whose last answers are
//   not saved yet, makes the browser ask before leaving the page.
(function () {
  "use strict";
  if (window.qyzmetForms) { return; }  // included by several parts of one page
  window.qyzmetForms = true;
  var PAUSE_MS = 800;

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!field) { return; }
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']") ||
        (field.closest("fieldset") && field.closest("fieldset").querySelector("legend"));
      (label || field).scrollIntoView();
      var target = field.matches("input, select, textarea, button") ? field :
        field.querySelector("input, select, textarea");
      if (target) { target.focus({ preventScroll: true }); } else { field.focus(); }
    });
  }

  var unsaved = [];  // the forms with changes not yet saved or sent

  function mark(form, changed) {
    var at = unsaved.indexOf(form);
    if (changed && at < 0) { unsaved.push(form); }
    if (!changed && at >= 0) { unsaved.splice(at, 1); }
  }

  function say(status, key) {
    if (status) { status.textContent = status.getAttribute("data-" + key) || ""; }
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave");
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var sending = false;
    var again = false;

    function save() {
      timer = null;
      if (sending) { again = true; return; }
      sending = true;
      again = false;
      say(status, "saving");
      var body = new FormData(form);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function () {
        if (!again && timer === null) { mark(form, false); }
        say(status, "saved");
      }).catch(function () {
        say(status, "failed");
      }).then(function () {
        sending = false;
        if (again) { save(); }
      });
    }

    function changed() {
      mark(form, true);
      if (timer !== null) { clearTimeout(timer); }
      timer = setTimeout(save, PAUSE_MS);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () {
      if (timer !== null) { clearTimeout(timer); timer = null; }
      mark(form, false);  // the submission carries the answers
    });
  }

  function warnUnsaved(form) {
    function changed() { mark(form, true); }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { mark(form, false); });
  }

  window.addEventListener("beforeunload", function (event) {
    if (unsaved.length === 0) { return undefined; }
    event.preventDefault();
    event.returnValue = "";  // the browser shows its own words
    return "";
  });

  function start() {
    focusSummary();
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), autosave);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-warn-unsaved]"), warnUnsaved);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
