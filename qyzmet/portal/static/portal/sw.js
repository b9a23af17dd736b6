// Qyzmet push service worker. A push carries only a title and a link (no personal data);
// nothing is cached here.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  const title = data.title || "Qyzmet";
  event.waitUntil(self.registration.showNotification(title, {
    tag: data.tag || undefined,
    data: { link: data.link || "/me/inbox/" },
    icon: "/static/portal/favicon.svg",
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const link = (event.notification.data && event.notification.data.link) || "/me/inbox/";
  const url = new URL(link, self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(self.clients.openWindow(url.href));
});
