"""What the browser itself shows: the tab title with a pending count, and a system
notification (Notification API) when the tab is in the background. `window.aval` is in
every page's head; the agent's bell calls it with a script (below), the manager's
approvals tab from its own component (ui/portal/approvals_tab.js), in the same element
update as its count. Texts travel as JSON strings or props into the page, so user text
can never become markup or code."""

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


def set_title_count(count: int, base_title: str) -> None:
    ui.run_javascript(f"window.aval && window.aval.setCount({int(count)}, {json.dumps(base_title)})")


def notify_in_background(title: str, body: str, url: str) -> None:
    ui.run_javascript(
        f"window.aval && window.aval.notify({json.dumps(title)}, {json.dumps(body)}, {json.dumps(url)})"
    )


async def ask_permission() -> str:
    """Must run from a user gesture (a click), or browsers refuse to ask."""
    result = await ui.run_javascript("return await window.aval.askPermission()", timeout=60)
    return str(result)
