// Aval service worker: shows Web Push messages sent by delivery/webpush_sender.py to
// managers who have no portal tab open (spec §6). Payload: JSON {title, body, url,
// actions?: [{action, title, url}]}. A new request carries Aprovar / Reprovar buttons
// (spec §11): each opens that manager's one-decision page /e/{token}, where the manager
// still has to confirm. Nothing here ever decides.
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
  const actions = Array.isArray(msg.actions) ? msg.actions.filter((a) => a && a.action && a.url) : [];
  const urls = {};
  for (const a of actions) urls[a.action] = a.url;
  const options = {
    body: msg.body || '',
    data: { url: msg.url || '/portal/approvals', actions: urls },
  };
  const max = (self.Notification && Notification.maxActions) || 0;
  if (actions.length && max > 0) {
    options.actions = actions.slice(0, max).map((a) => ({ action: a.action, title: a.title || a.action }));
  }
  // waitUntil keeps the worker alive until the notification is actually shown.
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  // A button opens its own page (Aprovar → /e/{approve token}); the body opens the request.
  const chosen = (event.action && data.actions && data.actions[event.action]) || data.url || '/portal/approvals';
  // Absolute, so it compares equal to client.url even when the payload sent a path.
  const url = new URL(chosen, self.location.origin).href;
  event.waitUntil((async () => {
    // Reuse the tab already showing the page instead of piling up duplicates.
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const existing = windows.find((client) => client.url === url);
    if (existing) return existing.focus();
    return self.clients.openWindow(url);
  })());
});
