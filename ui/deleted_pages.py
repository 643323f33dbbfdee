"""A deleted page is freed by reference counting, not left to the garbage collector.

Every NiceGUI element keeps its props, classes and style as observable collections that
hold their own bound `_update` as change handler, and a value element holds the page's
handlers, which hold the element: each page leaves ~1,000 objects in reference cycles
once it is deleted. At ~30 page loads a second (the deadline benchmark) the collector's
full collections freed ~1.5 million of them at a time, stopping the event loop for ~3 s
once or twice a minute: page loads waited and open tabs lost their sockets
(docs/benchmarks.md §5). Dropping those handlers once the page is gone breaks the cycles:
~3 objects per page load are left for the collector.

Only handlers are dropped, so a late callback of the page (a re-read that finishes after
the tab closed) still finds its elements whole: it changes nothing the browser sees,
as before, since the page is gone."""

from __future__ import annotations

import asyncio

from nicegui import Client, app
from nicegui.element import Element


def drop_handlers(client: Client, elements: list[Element]) -> None:
    for element in elements:
        state = element.__dict__
        for name in ("_props", "_classes", "_style"):
            observable = state.get(name)
            if observable is not None:
                observable._change_handlers.clear()
        value_handlers = state.get("_change_handlers")
        if isinstance(value_handlers, list):
            value_handlers.clear()
    for handlers in (client.connect_handlers, client.disconnect_handlers, client.delete_handlers):
        handlers.clear()
    client._exception_handlers.clear()


def on_delete(client: Client) -> None:
    # NiceGUI calls this before it removes the page's elements; the handlers go after.
    elements = list(client.elements.values())
    try:
        asyncio.get_running_loop().call_soon(drop_handlers, client, elements)
    except RuntimeError:  # no running loop (shutting down): nothing more will run anyway
        drop_handlers(client, elements)


def install() -> None:
    app.on_delete(on_delete)
