"""Web Push opt-in for managers (spec §6): the service worker at /sw.js, and the entries
of the user menu that subscribe this browser with the server's VAPID key or remove the
subscription. The menu itself lives in the browser (ui/app_header.js), which alone knows
whether it holds a subscription, so it offers only the entry that applies there.

The permission prompt must come from a user gesture, so the click asks for it in the
browser at once; the server then runs the subscription as a `run_javascript` round trip
and stores what the browser returns through the `push.subscribe` use case."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import Response
from nicegui import app, ui

from domain import push
from domain.messages import N_

from ..context import ctx, perform
from ..frame import Me
from ..i18n import _

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
  // Whether this browser holds a subscription (null: it cannot have one). The server only
  // knows whether the person has one in some browser.
  async subscribedHere() {
    try {
      if (!this.supported()) return null;
      const registration = await navigator.serviceWorker.getRegistration('/');
      return Boolean(registration && (await registration.pushManager.getSubscription()));
    } catch (e) {
      return null;
    }
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


def push_handlers(me: Me) -> tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]:
    """What the user menu's "turn on" and "turn off" entries run (ui/app_header.js asks for
    the browser's permission during the click, then tells the server)."""
    busy = {"now": False}

    def one_at_a_time(step: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        # Each step waits for the browser; a second click meanwhile is ignored.
        async def run() -> None:
            if busy["now"]:
                return
            busy["now"] = True
            try:
                await step()
            except TimeoutError:
                ui.notify(_("The browser did not answer. Please try again."), type="warning")
            finally:
                busy["now"] = False

        return run

    async def turn_on() -> None:
        key = ctx().vapid_public_key
        if not key:
            ui.notify(_("Push notifications are not set up on this server."), type="warning")
            return
        script = f"return await window.avalPush.subscribe({json.dumps(key)})"
        result = await ui.run_javascript(script, timeout=JS_TIMEOUT)
        fields = subscription_fields(result)
        if fields is None:
            ui.notify(_error_text(result), type="warning", multi_line=True)
        elif await perform(push.subscribe, me.actor, *fields, allow_insecure=ctx().config.push_allow_insecure):
            ui.notify(_("Push notifications turned on for this browser."), type="positive")

    async def turn_off() -> None:
        result = await ui.run_javascript("return await window.avalPush.unsubscribe()", timeout=JS_TIMEOUT)
        endpoint = result.get("endpoint") if isinstance(result, dict) else None
        if not isinstance(endpoint, str):
            ui.notify(_("This browser has no push subscription."), type="info")
        elif await perform(push.unsubscribe, me.actor, endpoint):
            ui.notify(_("Push notifications turned off for this browser."), type="positive")

    return one_at_a_time(turn_on), one_at_a_time(turn_off)
