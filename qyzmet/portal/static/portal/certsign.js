/*
 * Certificate sign-in in the browser: sign the server's challenge with the citizen's PKCS#12
 * key, locally, as NCALayer does on the desktop. The key file and its password never leave
 * the page; only the signature (a detached CMS SignedData, DER, base64) is submitted.
 *
 * Markup (no inline script: the CSP allows only script-src 'self'):
 *
 *   <form method="post" data-certsign data-challenge="BASE64"
 *         data-msg-no-file="…" data-msg-bad-file="…" data-msg-bad-password="…"
 *         data-msg-failed="…">
 *   (shorter: data-msg-file for a missing file, data-msg-password for a wrong file or
 *   password; data-msg-failed is the fallback for everything)
 *     <input type="file" name="p12" accept=".p12,.pfx">
 *     <input type="password" name="p12_password" autocomplete="off">
 *     <input type="hidden" name="signature">
 *     <p data-certsign-error hidden role="alert"></p>
 *     <button type="submit" disabled>…</button>  (enabled by this script, so that a page
 *                                                 without it cannot post the password)
 *   </form>
 *
 * data-challenge holds the exact bytes to sign, base64: a sign-in nonce, or an application's
 * canonical content. Errors go to the box for the field they concern when the form has one
 * (data-certsign-error="file" under the file input, ="password" under the password), else to
 * the plain data-certsign-error box; the field is marked aria-invalid and its .field wrapper
 * has-error. A box the server filled (e.g. "this certificate belongs to another person") is
 * cleared when the citizen tries again.
 *
 * Needs vendor/forge.min.js loaded before it.
 */
(function (root) {
  "use strict";

  var forge = root.forge;

  function SignError(kind, cause) {
    this.name = "SignError";
    this.kind = kind; // "bad-file" | "bad-password" | "failed"
    this.message = kind + (cause && cause.message ? ": " + cause.message : "");
  }
  SignError.prototype = Object.create(Error.prototype);

  function bagsOf(p12, type) {
    return p12.getBags({ bagType: type })[type] || [];
  }

  function sameRsaKey(certificate, key) {
    var pub = certificate.publicKey;
    return Boolean(pub && pub.n && pub.e && pub.n.equals(key.n) && pub.e.equals(key.e));
  }

  /* Open a PKCS#12 bundle (a binary string) and return {key, certificate, chain}. */
  function openP12(p12Bytes, password) {
    var asn1;
    try {
      asn1 = forge.asn1.fromDer(p12Bytes);
    } catch (err) {
      throw new SignError("bad-file", err);
    }
    var p12;
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
    } catch (err) {
      var text = String((err && err.message) || "");
      throw new SignError(/password|MAC/i.test(text) ? "bad-password" : "bad-file", err);
    }
    var oids = forge.pki.oids;
    var keyBags = bagsOf(p12, oids.pkcs8ShroudedKeyBag).concat(bagsOf(p12, oids.keyBag));
    var keys = keyBags.map(function (bag) { return bag.key; }).filter(Boolean);
    if (!keys.length) {
      // A bundle without an integrity MAC reveals a wrong password only here.
      throw new SignError(keyBags.length ? "bad-password" : "bad-file");
    }
    var certificates = bagsOf(p12, oids.certBag)
      .map(function (bag) { return bag.cert; })
      .filter(Boolean);
    for (var i = 0; i < keys.length; i++) {
      for (var j = 0; j < certificates.length; j++) {
        if (sameRsaKey(certificates[j], keys[i])) {
          return {
            key: keys[i],
            certificate: certificates[j],
            chain: certificates.filter(function (c) { return c !== certificates[j]; }),
          };
        }
      }
    }
    throw new SignError("bad-file");
  }

  /*
   * Sign `challenge` (a binary string) with the key in the PKCS#12 bundle `p12Bytes` (a
   * binary string). Returns the base64 of a DER CMS SignedData: detached, SHA-256, with the
   * signed attributes contentType, messageDigest and signingTime, carrying the certificate
   * and its chain.
   */
  function signChallenge(p12Bytes, password, challenge) {
    var opened = openP12(p12Bytes, password);
    try {
      var oids = forge.pki.oids;
      var p7 = forge.pkcs7.createSignedData();
      p7.content = forge.util.createBuffer(challenge);
      p7.addCertificate(opened.certificate);
      opened.chain.forEach(function (c) { p7.addCertificate(c); });
      p7.addSigner({
        key: opened.key,
        certificate: opened.certificate,
        digestAlgorithm: oids.sha256,
        authenticatedAttributes: [
          { type: oids.contentType, value: oids.data },
          { type: oids.messageDigest },
          { type: oids.signingTime, value: new Date() },
        ],
      });
      p7.sign({ detached: true });
      return forge.util.encode64(forge.asn1.toDer(p7.toAsn1()).getBytes());
    } catch (err) {
      throw new SignError("failed", err);
    }
  }

  function bytesToBinaryString(buffer) {
    var bytes = new Uint8Array(buffer);
    var parts = [];
    for (var i = 0; i < bytes.length; i += 0x8000) {
      parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    }
    return parts.join("");
  }

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(bytesToBinaryString(reader.result)); };
      reader.onerror = function () { reject(new SignError("bad-file", reader.error)); };
      reader.readAsArrayBuffer(file);
    });
  }

  // Message attributes tried for each kind of failure, most specific first.
  var MESSAGE_ATTRIBUTES = {
    "no-file": ["no-file", "file"],
    "bad-file": ["bad-file", "password"],
    "bad-password": ["bad-password", "password"],
    failed: [],
  };

  function message(form, kind) {
    var names = (MESSAGE_ATTRIBUTES[kind] || []).concat(["failed"]);
    for (var i = 0; i < names.length; i++) {
      var text = form.getAttribute("data-msg-" + names[i]);
      if (text) return text;
    }
    return "";
  }

  // Which input a kind of failure concerns.
  var FIELD_OF = { "no-file": "file", "bad-file": "file", "bad-password": "password" };

  function inputFor(form, field) {
    if (field === "file") return form.querySelector('input[type="file"]');
    if (field === "password") return form.querySelector('input[type="password"]');
    return null;
  }

  function errorBox(form, field) {
    return (
      (field && form.querySelector('[data-certsign-error="' + field + '"]')) ||
      form.querySelector('[data-certsign-error=""]') ||
      form.querySelector("[data-certsign-error]")
    );
  }

  function markField(input, invalid) {
    if (!input) return;
    if (invalid) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    var wrapper = input.closest ? input.closest(".field") : null;
    if (wrapper) wrapper.classList.toggle("has-error", invalid);
  }

  function showError(form, kind) {
    var field = FIELD_OF[kind] || "";
    var box = errorBox(form, field);
    if (!box) return;
    box.textContent = message(form, kind);
    box.hidden = false;
    markField(inputFor(form, field), true);
  }

  function clearError(form) {
    form.querySelectorAll("[data-certsign-error]").forEach(function (box) {
      box.textContent = "";
      box.hidden = true;
    });
    markField(inputFor(form, "file"), false);
    markField(inputFor(form, "password"), false);
  }

  function setBusy(form, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    form.querySelectorAll('button[type="submit"], input[type="submit"]').forEach(function (b) {
      b.disabled = busy;
    });
  }

  function attach(form) {
    var fileInput = form.querySelector('input[type="file"][name="p12"]');
    var passwordInput = form.querySelector('input[name="p12_password"]');
    var signatureInput = form.querySelector('input[name="signature"]');
    if (!fileInput || !passwordInput || !signatureInput) return;
    var busy = false;
    setBusy(form, false); // the markup ships the button disabled for pages without scripts

    form.addEventListener("submit", function (event) {
      // Never let the browser post this form itself: it would carry the password.
      event.preventDefault();
      if (busy) return;
      clearError(form);
      var file = fileInput.files && fileInput.files[0];
      if (!file) {
        showError(form, "no-file");
        fileInput.focus();
        return;
      }
      busy = true;
      setBusy(form, true);
      readFile(file)
        .then(function (p12Bytes) {
          var challenge = forge.util.decode64(form.getAttribute("data-challenge") || "");
          return signChallenge(p12Bytes, passwordInput.value, challenge);
        })
        .then(function (signature) {
          signatureInput.value = signature;
          fileInput.value = "";
          passwordInput.value = "";
          fileInput.removeAttribute("name");
          passwordInput.removeAttribute("name");
          // The prototype's submit() skips this listener and any control named "submit".
          HTMLFormElement.prototype.submit.call(form);
        })
        .catch(function (err) {
          busy = false;
          setBusy(form, false);
          var kind = err instanceof SignError ? err.kind : "failed";
          showError(form, kind);
          if (kind === "bad-password") {
            passwordInput.value = "";
            passwordInput.focus();
          }
        });
    });
  }

  if (typeof module === "object" && module.exports) {
    module.exports = { signChallenge: signChallenge, SignError: SignError };
  }
  if (typeof document !== "undefined") {
    var start = function () {
      document.querySelectorAll("form[data-certsign]").forEach(attach);
    };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }
})(typeof window !== "undefined" ? window : globalThis);
