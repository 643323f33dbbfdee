"""What the browser itself shows: the tab title with a pending count, and a system
notification (Notification API) when the tab is in the background. Texts travel as
JSON strings into the page, so user text can never become markup or code."""

from __future__ import annotations

import json

from nicegui import ui

_SCRIPT = """
window.aval = window.aval || {
  baseTitle: document.title,
  setCount(count, base) {
    this.baseTitle = base || this.baseTitle;
    document.title = count > 0 ? `(${count}) ${this.baseTitle}` : this.baseTitle;
  },
  notify(title, body, url) {
    // A visible tab already shows a toast; the system notification is for a tab the
    // person is not looking at.
    if (!document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return false;
    const n = new Notification(title, {body, tag: url});
    n.onclick = () => { window.focus(); window.location.href = url; n.close(); };
    return true;
  },
  async askPermission() {
    if (!('Notification' in window)) return 'unsupported';
    return await Notification.requestPermission();
  },
};
"""


# Shared by every page's head (ui/frame.py install_shared_head): defines `window.aval`.
SCRIPT_TAG = f"<script>{_SCRIPT}</script>"


def counted_title(count: int, base_title: str) -> str:
    """The tab title with the count in front, as `window.aval.setCount` writes it."""
    return f"({count}) {base_title}" if count > 0 else base_title


def title_count_script(count: int, base_title: str) -> str:
    return f"window.aval && window.aval.setCount({int(count)}, {json.dumps(base_title)});"


def background_notification_script(title: str, body: str, url: str) -> str:
    return f"window.aval && window.aval.notify({json.dumps(title)}, {json.dumps(body)}, {json.dumps(url)});"


def run_scripts(*scripts: str) -> None:
    """One message to the browser for what one event changes: a request to 1,000
    managers sends each of their tabs the count, a toast, the title and a background
    notification, and the messages were most of the fan-out's time (docs/benchmarks.md §2)."""
    code = "".join(script for script in scripts if script)
    if code:
        ui.run_javascript(code)


def set_title_count(count: int, base_title: str) -> None:
    run_scripts(title_count_script(count, base_title))


def notify_in_background(title: str, body: str, url: str) -> None:
    run_scripts(background_notification_script(title, body, url))


async def ask_permission() -> str:
    """Must run from a user gesture (a click), or browsers refuse to ask."""
    result = await ui.run_javascript("return await window.aval.askPermission()", timeout=60)
    return str(result)
