// Aval service worker: shows Web Push messages sent by delivery/webpush_sender.py to
// managers who have no portal tab open (spec §6). Payload: JSON {title, body, url}.
'use strict';

// Take over at once after an update, so a fixed worker does not wait for every tab to close.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let msg = {};
  try {
    msg = event.data ? event.data.json() : {};
  } catch (e) {
    // Still show something: browsers penalize (and may revoke) subscriptions whose
    // pushes end without a visible notification.
  }
  const title = msg.title || 'Aval';
  const options = { body: msg.body || '', data: { url: msg.url || '/portal/approvals' } };
  // waitUntil keeps the worker alive until the notification is actually shown.
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  // Absolute, so it compares equal to client.url even when the payload sent a path.
  const url = new URL(event.notification.data.url, self.location.origin).href;
  event.waitUntil((async () => {
    // Reuse the tab already showing the request instead of piling up duplicates.
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const existing = windows.find((client) => client.url === url);
    if (existing) return existing.focus();
    return self.clients.openWindow(url);
  })());
});
