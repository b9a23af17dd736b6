// Qyzmet's one service worker, served at /sw.js by qyzmet/portal/views_app.py, which writes
// QYZMET (the shell, the kept pages) and QYZMET_VERSION above this code.
// - Push: a push carries only a title and a link (no personal data).
// - The shell (the offline page, the style sheet, the icons) is kept on install; other static
//   files are kept once fetched and refreshed in the background.
// - A page that cannot be loaded shows the offline page, in the language of the last page read.
// - Only the wallet and the offline verifier are kept (after one visit) to be read without
//   network; a sign-out or a sign-in forgets them. No other page is ever kept.
"use strict";

const SHELL = "qyzmet-shell-" + QYZMET_VERSION;
const STATIC = "qyzmet-static";
const PAGES = "qyzmet-pages";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(QYZMET.shell)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => name.startsWith("qyzmet-shell-") && name !== SHELL)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

// The offline page is kept in the language of the pages read: refetched when that changes.
async function offlinePageRefresh(response) {
  const language = response.headers.get("Content-Language");
  if (!language || !response.ok) { return; }
  const cache = await caches.open(SHELL);
  const kept = await cache.match(QYZMET.offline);
  if (kept && kept.headers.get("Content-Language") === language) { return; }
  await cache.add(QYZMET.offline).catch(() => null);
}

async function offlinePage() {
  const cache = await caches.open(SHELL);
  return (await cache.match(QYZMET.offline)) || Response.error();
}

async function navigate(event, request, path) {
  const kept = QYZMET.kept.includes(path);
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    if (kept) {
      const page = await caches.open(PAGES).then((cache) => cache.match(path));
      if (page) { return page; }
    }
    return offlinePage();
  }
  // Only a page shown as such (not a redirect to the sign-in) is kept.
  if (kept && response.status === 200 && response.type === "basic" && !response.redirected) {
    const copy = response.clone();
    event.waitUntil(caches.open(PAGES).then((cache) => cache.put(path, copy)));
  }
  event.waitUntil(offlinePageRefresh(response));
  return response;
}

async function staticFile(event, request) {
  const cached = await caches.match(request, { ignoreVary: true });
  const network = fetch(request).then((response) => {
    if (response.status === 200 && response.type === "basic") {
      const copy = response.clone();
      return caches.open(STATIC).then((cache) => cache.put(request, copy)).then(() => response);
    }
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(() => null));
    return cached;
  }
  return network;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    if (QYZMET.forget.some((path) => url.pathname.startsWith(path))) {
      event.waitUntil(caches.delete(PAGES));
    }
    if (request.method === "GET") {
      event.respondWith(navigate(event, request, url.pathname));
    }
    return;
  }
  if (request.method === "GET" && url.pathname.startsWith(QYZMET.static)) {
    event.respondWith(staticFile(event, request));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  const title = data.title || "Qyzmet";
  event.waitUntil(self.registration.showNotification(title, {
    tag: data.tag || undefined,
    data: { link: data.link || "/me/inbox/" },
    icon: QYZMET.icon,
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const link = (event.notification.data && event.notification.data.link) || "/me/inbox/";
  const url = new URL(link, self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(self.clients.openWindow(url.href));
});
