// The offline verifier: checks a Qyzmet offline code (a compact JWS, ES256) on this device.
// The public keys (JWK Set) and the signed revocation list are downloaded when online and kept
// in localStorage; a check then needs no network. Only public data is stored: keys, revoked ids.
// The rules and their order are those of qyzmet/wallet/tokens.py (token_verify).
(function () {
  "use strict";
  var root = document.getElementById("offline-verifier");
  if (!root || !window.crypto || !window.crypto.subtle) { return; }
  var MESSAGES = JSON.parse(document.getElementById("offline-messages").textContent);
  var LABELS = JSON.parse(document.getElementById("offline-labels").textContent);
  var WORDS = JSON.parse(document.getElementById("offline-words").textContent);
  var STORE_JWKS = "qyzmet.offline.jwks";
  var STORE_REVOCATIONS = "qyzmet.offline.revocations";
  var STORE_UPDATED = "qyzmet.offline.updated";
  var TYP = "qyzmet-presentation+jwt";
  var REVOCATION_TYP = "qyzmet-revocations+jwt";
  var LEEWAY = 30;
  var form = root.querySelector("[data-offline-form]");
  var input = root.querySelector("#token");
  var state = root.querySelector("[data-keys-state]");
  var result = root.querySelector("[data-result]");
  var resultMessage = root.querySelector("[data-result-message]");
  var resultClaims = root.querySelector("[data-result-claims]");

  // Dates as every page of the portal writes them in this language (Django's DATE_FORMAT and
  // DATETIME_FORMAT letters, with the server's month names), in Almaty's time.
  var DATES = WORDS.dates || {};
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function written(moment, pattern) {
    var almaty = new Date(moment.getTime() + 5 * 3600 * 1000);  // UTC+5, no daylight saving
    var day = almaty.getUTCDate(), month = almaty.getUTCMonth(), year = almaty.getUTCFullYear();
    var hour = almaty.getUTCHours(), minute = almaty.getUTCMinutes();
    var h12 = hour % 12 || 12;
    var letters = {
      j: String(day), d: pad(day), n: String(month + 1), m: pad(month + 1), Y: String(year),
      y: String(year).slice(-2), E: (DATES.months_alt || [])[month], F: (DATES.months || [])[month],
      N: (DATES.months_ap || [])[month], G: String(hour), H: pad(hour), i: pad(minute),
      g: String(h12), a: hour < 12 ? DATES.am : DATES.pm,
      P: minute === 0 && hour === 0 ? DATES.midnight : minute === 0 && hour === 12 ? DATES.noon :
        String(h12) + (minute ? ":" + pad(minute) : "") + " " + (hour < 12 ? DATES.am : DATES.pm)
    };
    var out = "";
    for (var i = 0; i < pattern.length; i += 1) {
      var ch = pattern.charAt(i);
      if (ch === "\\") { i += 1; out += pattern.charAt(i); continue; }
      out += Object.prototype.hasOwnProperty.call(letters, ch) ? letters[ch] : ch;
    }
    return out;
  }
  function whenText(moment) {
    return DATES.datetime_format ? written(moment, DATES.datetime_format) : moment.toISOString();
  }
  function dayText(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (!parts || !DATES.date_format) { return iso; }
    var noon = Date.UTC(+parts[1], +parts[2] - 1, +parts[3], 7);  // 12:00 in Almaty
    return written(new Date(noon), DATES.date_format);
  }

  function bytesOf(text) {
    if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) { throw new Error("base64url"); }
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var binary = atob(b64);
    var out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { out[i] = binary.charCodeAt(i); }
    return out;
  }

  function jsonOf(part) {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytesOf(part)));
  }

  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }

  function importKeys(jwks) {
    var keys = {};
    var list = (jwks && Array.isArray(jwks.keys)) ? jwks.keys : [];
    return Promise.all(list.map(function (jwk) {
      if (!isObject(jwk) || typeof jwk.kid !== "string" || jwk.kty !== "EC" || jwk.crv !== "P-256") {
        return null;
      }
      if ((jwk.alg || "ES256") !== "ES256" || (jwk.use || "sig") !== "sig") { return null; }
      return crypto.subtle.importKey(
        "jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true },
        { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]
      ).then(function (key) { keys[jwk.kid] = key; }, function () { return null; });
    })).then(function () { return keys; });
  }

  // The signature only: {code: "valid", claims} or malformed / altered / unknown_key.
  function verifySignature(token, keys, typ) {
    var parts = String(token || "").trim().split(".");
    if (parts.length !== 3 || token.length > 4000) { return Promise.resolve({ code: "malformed" }); }
    var header, claims, signature;
    try {
      header = jsonOf(parts[0]);
      claims = jsonOf(parts[1]);
      signature = parts[2] ? bytesOf(parts[2]) : new Uint8Array(0);
    } catch (e) {
      return Promise.resolve({ code: "malformed" });
    }
    if (!isObject(header) || !isObject(claims)) { return Promise.resolve({ code: "malformed" }); }
    // Only ES256: "none", HS256 and the rest are refused before any key is looked at.
    if (header.alg !== "ES256" || (header.typ !== undefined && header.typ !== typ) || header.crit !== undefined) {
      return Promise.resolve({ code: "altered" });
    }
    if (typeof header.kid !== "string" || !Object.prototype.hasOwnProperty.call(keys, header.kid)) {
      return Promise.resolve({ code: "unknown_key" });
    }
    if (signature.length !== 64) { return Promise.resolve({ code: "altered" }); }
    // JWS ES256 signatures are raw r || s, which is what WebCrypto's ECDSA verifies.
    return crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" }, keys[header.kid], signature,
      new TextEncoder().encode(parts[0] + "." + parts[1])
    ).then(function (ok) {
      return ok ? { code: "valid", claims: claims } : { code: "altered" };
    }, function () { return { code: "altered" }; });
  }

  function cached(name) {
    try { return JSON.parse(window.localStorage.getItem(name) || "null"); } catch (e) { return null; }
  }

  // The cached list's revoked ids, and whether it is past its own expiry (still used: an old
  // list is better than none, but the verifier is told).
  function revocations(keys, now) {
    var token = cached(STORE_REVOCATIONS);
    if (typeof token !== "string") { return Promise.resolve({ revoked: [], stale: true }); }
    return verifySignature(token, keys, REVOCATION_TYP).then(function (verdict) {
      if (verdict.code !== "valid" || !Array.isArray(verdict.claims.revoked)) {
        return { revoked: [], stale: true };
      }
      return { revoked: verdict.claims.revoked, stale: !(verdict.claims.exp >= now) };
    });
  }

  function check(token) {
    var now = Math.floor(Date.now() / 1000);
    return importKeys(cached(STORE_JWKS)).then(function (keys) {
      return verifySignature(token, keys, TYP).then(function (verdict) {
        if (verdict.code !== "valid") { return verdict; }
        var claims = verdict.claims;
        if (!Number.isInteger(claims.exp) || !Number.isInteger(claims.iat)) { return { code: "malformed" }; }
        if (now > claims.exp + LEEWAY) { return { code: "expired", claims: claims }; }
        if (now + LEEWAY < claims.iat) { return { code: "not_yet_valid", claims: claims }; }
        return revocations(keys, now).then(function (list) {
          if (typeof claims.rid === "string" && list.revoked.indexOf(claims.rid) !== -1) {
            return { code: "revoked", claims: claims };
          }
          return { code: "valid", claims: claims, stale: list.stale && typeof claims.rid === "string" };
        });
      });
    });
  }

  function row(term, value) {
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    resultClaims.appendChild(dt);
    resultClaims.appendChild(dd);
  }

  function yesNo(value) { return value ? WORDS.yes : WORDS.no; }

  function show(verdict) {
    result.hidden = false;
    result.setAttribute("data-code", verdict.code);
    resultMessage.textContent = MESSAGES[verdict.code] || MESSAGES.malformed;
    resultClaims.textContent = "";
    var claims = verdict.claims;
    if (!claims || verdict.code === "altered" || verdict.code === "unknown_key") { return; }
    var label = LABELS[claims.prs] || String(claims.prs || "");
    if (claims.prs === "age_over_18") {
      row(label, yesNo(claims.age_over_18 === true));
    } else if (claims.prs === "document_valid" && isObject(claims.document)) {
      row(label, yesNo(claims.valid === true));
      ["title", "number", "issuer", "valid_until"].forEach(function (name) {
        if (!claims.document[name]) { return; }
        var value = String(claims.document[name]);
        row(name === "number" ? "№" : "", name === "valid_until" ? dayText(value) : value);
      });
    } else if (claims.prs === "driving_category") {
      row(label + " " + String(claims.category || ""), yesNo(claims.valid === true));
    } else {
      row(label, "");
    }
    row(WORDS.expires, whenText(new Date(claims.exp * 1000)));
    if (verdict.stale) { row("", WORDS.list_stale); }
  }

  function showState() {
    var updated = cached(STORE_UPDATED);
    if (cached(STORE_JWKS)) {
      state.textContent = WORDS.keys_updated + " " + whenText(new Date(updated || 0));
      root.setAttribute("data-keys", "ready");
    } else {
      state.textContent = WORDS.keys_missing;
      root.setAttribute("data-keys", "missing");
    }
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "omit", cache: "no-cache", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  // Download keys and the revocation list; keep them only if the list's signature checks.
  function refresh() {
    return Promise.all([fetchJson(root.getAttribute("data-jwks-url")), fetchJson(root.getAttribute("data-revocations-url"))])
      .then(function (answers) {
        var jwks = answers[0];
        var list = answers[1];
        return importKeys(jwks).then(function (keys) {
          return verifySignature(list.token, keys, REVOCATION_TYP).then(function (verdict) {
            if (verdict.code !== "valid") { throw new Error("revocation list"); }
            window.localStorage.setItem(STORE_JWKS, JSON.stringify({ keys: jwks.keys }));
            window.localStorage.setItem(STORE_REVOCATIONS, JSON.stringify(list.token));
            window.localStorage.setItem(STORE_UPDATED, JSON.stringify(Date.now()));
          });
        });
      })
      .catch(function () { return null; })
      .then(showState);
  }

  function tokenOf(text) {
    var value = String(text || "").trim();
    var hash = value.indexOf("#");
    return hash === -1 ? value : value.slice(hash + 1);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();  // checked here, never sent
    check(tokenOf(input.value)).then(show);
  });

  showState();
  var fromAddress = window.location.hash ? window.location.hash.slice(1) : "";
  refresh().then(function () {
    if (fromAddress) {
      input.value = fromAddress;
      check(fromAddress).then(show);
    }
  });
})();
