"""The framework's floor: the least a NiceGUI app can do for what Aval's badge does.

`/` shows a label that follows a `nicegui.Event`, as the manager's badge follows the
committed request events; `/send` has a button whose click emits that event, as the
agent's confirm click commits a request. The fan-out and latency benchmarks run the same
clients against this app and against Aval, in the same run, and report the ratio.

    AVAL_BENCH_ROUTES=1 AVAL_PORT=... python -m bench.hello_server
"""

from __future__ import annotations

import gc
import itertools
import os
import sys
import time
from typing import Any

from nicegui import Client, Event, app, ui

from .app_server import LOOPBACK, rss_kib

changed: Event[int] = Event()
counter = itertools.count(1)


@ui.page("/")
def watch() -> None:
    label = ui.label("count 0").mark("count")
    changed.subscribe(lambda value: label.set_text(f"count {value}"))


@ui.page("/send")
def send() -> None:
    ui.button("send", on_click=lambda: changed.emit(next(counter))).mark("send")


@app.post("/bench/emit")
async def emit() -> dict[str, Any]:
    value = next(counter)
    received = time.monotonic()
    changed.emit(value)
    return {"value": value, "received": received}


@app.get("/bench/memory")
def memory() -> dict[str, Any]:
    gc.collect()
    return {"rss_kib": rss_kib(), "clients": len(Client.instances)}


if __name__ in {"__main__", "__mp_main__"}:
    host = os.environ.get("AVAL_HOST") or "127.0.0.1"
    if os.environ.get("AVAL_BENCH_ROUTES") != "1" or host not in LOOPBACK:
        sys.exit("bench.hello_server needs AVAL_BENCH_ROUTES=1 and a loopback AVAL_HOST")
    ui.run(
        host=host,
        port=int(os.environ.get("AVAL_PORT") or 8090),
        title="hello",
        reload=False,
        show=False,
        uvicorn_logging_level="warning",
    )
