"""A deleted page is freed by reference counting: none of its elements wait for the
garbage collector's full collections, which stopped the event loop for seconds under
many page loads (ui/deleted_pages.py, docs/benchmarks.md §5)."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest
from nicegui import Client, core
from nicegui.testing import User

from ui import deleted_pages


async def fetched_page(user: User, path: str) -> Client:
    """A page built by a GET whose browser never connects (held only by NiceGUI)."""
    before = set(Client.instances)
    answer = await user.http_client.get(path)
    assert answer.status_code == 200
    (new,) = (Client.instances[key] for key in set(Client.instances) - before)
    return new


async def parts_left_after_delete(user: User, path: str) -> int:
    client = await fetched_page(user, path)
    assert len(client.elements) > 5
    kept = [
        weakref.ref(part)
        for element in client.elements.values()
        for part in (element, element._props, element._classes, element._style)
    ]
    page = weakref.ref(client)
    gc.collect()
    gc.disable()
    try:
        client.delete()
        del client
        for _ in range(3):
            await asyncio.sleep(0)
        assert page() is None or page().is_deleted  # type: ignore[union-attr]
        return sum(1 for ref in kept if ref() is not None)
    finally:
        gc.enable()


@pytest.mark.parametrize("path", ["/portal/login", "/agent/login"])
async def test_a_deleted_page_is_freed_without_the_collector(
    user: User, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    # Without the handlers dropped, the elements' props, classes and style outlive the page
    # until a full collection.
    assert await parts_left_after_delete(user, path) > 0

    monkeypatch.setattr(core.app, "_delete_handlers", list(core.app._delete_handlers))
    deleted_pages.install()
    assert await parts_left_after_delete(user, path) == 0
