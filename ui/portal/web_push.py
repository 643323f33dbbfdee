"""Web Push opt-in for managers (spec §6): the service worker at /sw.js, and the entries
of the user menu that subscribe this browser with the server's VAPID key or remove the
subscription. They live in the menu, built at its first click, rather than in a card on
every page: each open page keeps its elements in server memory (docs/benchmarks.md).

The permission prompt must come from a user gesture, so the click asks for it in the
browser at once; the server then runs the subscription as a `run_javascript` round trip
and stores what the browser returns through the `push.subscribe` use case."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from fastapi import Response
from nicegui import app, background_tasks, ui

from domain import push
from domain.messages import N_

from ..context import call, ctx
from ..frame import Me
from ..i18n import _
from .outcome import succeeded

log = logging.getLogger(__name__)

SERVICE_WORKER_FILE = Path(__file__).resolve().parents[2] / "delivery" / "static" / "sw.js"
SERVICE_WORKER_PATH = "/sw.js"
JS_TIMEOUT = 120.0  # the person may take a while to answer the permission prompt

# Every step can fail in a browser (no support, prompt refused, push service down), so
# each answers with a small object instead of throwing, which would leave the server
# waiting for a reply that never comes.
SCRIPT_TAG = """
<script>
window.avalPush = window.avalPush || {
  permission: null,
  supported() {
    return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  },
  askPermission() {
    if (this.supported()) this.permission = Notification.requestPermission();
  },
  keyBytes(key) {
    const base64 = (key + '='.repeat((4 - key.length % 4) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  },
  async subscribe(key) {
    try {
      if (!this.supported()) return {error: 'unsupported'};
      const permission = await (this.permission || Notification.requestPermission());
      this.permission = null;
      if (permission !== 'granted') return {error: 'denied'};
      const registration = await navigator.serviceWorker.register('/sw.js', {scope: '/'});
      await navigator.serviceWorker.ready;
      const options = {userVisibleOnly: true, applicationServerKey: this.keyBytes(key)};
      const subscription = (await registration.pushManager.getSubscription())
        || (await registration.pushManager.subscribe(options));
      return subscription.toJSON();
    } catch (e) {
      return {error: 'failed', detail: String(e)};
    }
  },
  async unsubscribe() {
    try {
      if (!('serviceWorker' in navigator)) return {endpoint: null};
      const registration = await navigator.serviceWorker.getRegistration('/');
      const subscription = registration && (await registration.pushManager.getSubscription());
      if (!subscription) return {endpoint: null};
      const endpoint = subscription.endpoint;
      await subscription.unsubscribe();
      return {endpoint};
    } catch (e) {
      return {error: 'failed', detail: String(e)};
    }
  },
  // The server knows whether the person has a subscription somewhere, not whether this
  // browser has one: the menu shows only the entry that applies here.
  async syncMenu(enableId, disableId) {
    let here = null;
    try {
      if (this.supported()) {
        const registration = await navigator.serviceWorker.getRegistration('/');
        here = Boolean(registration && (await registration.pushManager.getSubscription()));
      }
    } catch (e) {
      here = null;
    }
    const show = (id, visible) => {
      const element = document.getElementById(id);
      if (element) element.style.display = visible ? '' : 'none';
    };
    show(enableId, here === false);
    show(disableId, here === true);
  },
};
</script>
"""

_ERRORS = {
    "unsupported": N_("This browser does not support push notifications."),
    "denied": N_("Notifications are blocked for this site in the browser's settings."),
}


def register_service_worker() -> None:
    """Serves the worker at the site's root, so its scope covers every page."""

    @app.get(SERVICE_WORKER_PATH, include_in_schema=False)
    def service_worker() -> Response:  # sync: FastAPI reads the file in a worker thread
        return Response(
            SERVICE_WORKER_FILE.read_bytes(),
            media_type="application/javascript",
            headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
        )


def subscription_fields(result: Any) -> tuple[str, str, str] | None:
    """(endpoint, p256dh, auth) out of a browser's PushSubscription.toJSON()."""
    if not isinstance(result, dict):
        return None
    keys = result.get("keys")
    endpoint = result.get("endpoint")
    if not isinstance(keys, dict) or not isinstance(endpoint, str):
        return None
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(p256dh, str) or not isinstance(auth, str):
        return None
    return endpoint, p256dh, auth


def _error_text(result: Any) -> str:
    code = result.get("error") if isinstance(result, dict) else None
    if isinstance(result, dict) and code == "failed":
        log.warning("push subscription failed in the browser: %s", result.get("detail"))
    return _(_ERRORS.get(str(code), N_("The browser could not turn on push notifications.")))


def push_menu_items(me: Me) -> None:
    """The user menu's push entries: the state (read right after), and turning push on or
    off for this browser."""
    if me.actor.kind != "customer":
        return
    status = ui.label("").classes("px-4 py-1 text-caption").mark("push-status")
    enable = ui.menu_item(_("Turn on push notifications"), auto_close=False).mark("push-enable")
    disable = ui.menu_item(_("Turn off push notifications"), auto_close=False).mark("push-disable")
    menu = next((parent for parent in status.ancestors() if isinstance(parent, ui.menu)), None)
    if menu is not None:
        menu.on("show", js_handler=f"() => window.avalPush.syncMenu('c{enable.id}', 'c{disable.id}')")

    async def show_status() -> None:
        on = await call(push.has_subscription, me.actor)
        status.set_text(_("Push notifications are on.") if on else _("Push notifications are off."))
        if menu is not None:
            status.client.run_javascript(f"window.avalPush.syncMenu('c{enable.id}', 'c{disable.id}')")

    def busy(flag: bool) -> None:
        enable.set_enabled(not flag)
        disable.set_enabled(not flag)

    async def turn_on() -> None:
        if not enable.enabled:
            return
        key = ctx().vapid_public_key
        if not key:
            ui.notify(_("Push notifications are not set up on this server."), type="warning")
            return
        busy(True)
        try:
            result = await ui.run_javascript(
                f"return await window.avalPush.subscribe({json.dumps(key)})", timeout=JS_TIMEOUT
            )
            fields = subscription_fields(result)
            if fields is None:
                ui.notify(_error_text(result), type="warning", multi_line=True)
                return
            if await succeeded(push.subscribe, me.actor, *fields, allow_insecure=ctx().config.push_allow_insecure):
                ui.notify(_("Push notifications turned on for this browser."), type="positive")
            await show_status()
        except TimeoutError:
            ui.notify(_("The browser did not answer. Please try again."), type="warning")
        finally:
            busy(False)

    async def turn_off() -> None:
        if not disable.enabled:
            return
        busy(True)
        try:
            result = await ui.run_javascript("return await window.avalPush.unsubscribe()", timeout=JS_TIMEOUT)
            endpoint = result.get("endpoint") if isinstance(result, dict) else None
            if not isinstance(endpoint, str):
                ui.notify(_("This browser has no push subscription."), type="info")
                return
            if await succeeded(push.unsubscribe, me.actor, endpoint):
                ui.notify(_("Push notifications turned off for this browser."), type="positive")
            await show_status()
        except TimeoutError:
            ui.notify(_("The browser did not answer. Please try again."), type="warning")
        finally:
            busy(False)

    # The permission prompt is asked in the browser during the click itself (a user
    # gesture); the subscription follows in `turn_on`.
    enable.on("click", turn_on, js_handler="() => { window.avalPush && window.avalPush.askPermission(); emit(); }")
    disable.on("click", turn_off)
    background_tasks.create(show_status(), name="push status")
