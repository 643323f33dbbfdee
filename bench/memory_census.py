"""Where a connected manager's memory goes: opens N portal clients (as bench.fanout does),
then prints the server's memory per client and the elements each page holds, by kind.

    .venv/bin/python -m bench.memory_census [--clients 200] [--path /portal]"""

from __future__ import annotations

import argparse
import asyncio
import json

from . import fanout
from .support import start_server, stop_on_sigterm


async def census(server_base: str, clients_count: int) -> dict[str, object]:
    async with fanout.http_session() as http:
        clients = fanout.Clients(SERVER, http, "aval")
        before = await clients.memory()
        async with http.get(server_base + "/bench/tracemalloc") as response:
            await response.json()
        await clients.grow(clients_count)
        await asyncio.sleep(2)
        after = await clients.memory()
        async with http.get(server_base + f"/bench/tracemalloc?group={GROUP}") as response:
            traced = await response.json()
        async with http.get(server_base + "/bench/census") as response:
            elements = await response.json()
        await clients.close()
    return {
        "clients": clients_count,
        "kib_per_client": round((after["rss_kib"] - before["rss_kib"]) / clients_count, 1),
        **elements,
        "grown": traced,
    }


SERVER = None
GROUP = "lineno"


def main() -> None:
    global SERVER, GROUP
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--trace", choices=["lineno", "filename", "traceback"], help="tracemalloc the server")
    args = parser.parse_args()
    stop_on_sigterm()
    url = fanout.seed("sqlite", args.clients)
    env = {"AVAL_DATABASE_URL": url, "AVAL_DEMO": "0"}
    if args.trace:
        GROUP, env["PYTHONTRACEMALLOC"] = args.trace, "1"
    SERVER = start_server("bench.app_server", fanout.WORK / "census", env, "/healthz")
    try:
        print(json.dumps(asyncio.run(census(SERVER.base, args.clients)), indent=2))
    finally:
        SERVER.stop()


if __name__ == "__main__":
    main()
