"""Pages whose browser never connects are let go after `UNCONNECTED_PAGE_SECONDS`,
not NiceGUI's 60 s.

Every GET of a page builds all its elements on the server; a browser connects its socket
to them within a second or two. Mail scanners, link previews, prefetches and scripts
never do, and NiceGUI keeps each such page for a minute. At a few such GETs a second the
process held ~1,000 of them (an `/agent` page is some 200 elements, tens of thousands of
objects), and the garbage collector's full pass over them stopped the event loop for ~6 s
during the deadline benchmark: every open tab waited and lost its socket
(docs/benchmarks.md §5). A real browser slower than this limit still gets its page: the
page script reloads it when its client is gone."""

from __future__ import annotations

from nicegui import Client, app

UNCONNECTED_PAGE_SECONDS = 15.0
# How often to look for them (NiceGUI's own pass, with its 60 s, runs every 10 s).
PRUNE_EVERY_SECONDS = 3.0


def prune() -> None:
    Client.prune_instances(client_age_threshold=UNCONNECTED_PAGE_SECONDS)


def install() -> None:
    app.timer(PRUNE_EVERY_SECONDS, prune)
