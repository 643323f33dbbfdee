"""Profiles the Aval server (py-spy) while one request at a time reaches N portal clients.

    .venv/bin/python -m bench.profile_fanout [--clients 100] [--rounds 3] [--out bench/.cache/fanout.svg]

Needs py-spy (the `bench` extra)."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import time
from pathlib import Path

from . import fanout
from .support import CACHE, ROOT, start_server, stop_on_sigterm


async def rounds(server_base: str, clients: fanout.Clients, count: int, rounds_: int) -> None:
    await clients.grow(count)
    await asyncio.sleep(3)
    for _ in range(rounds_):
        request = await clients.post(
            f"/bench/request?ticket={fanout.TICKET_NUMBER}&agent={fanout.AGENT_ID}&action={fanout.ACTION_ID}"
        )
        await asyncio.sleep(3)
        await clients.post(f"/bench/cancel?request_id={request['request_id']}&agent={fanout.AGENT_ID}")
        await asyncio.sleep(3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(CACHE / "fanout-profile.svg"))
    args = parser.parse_args()
    stop_on_sigterm()
    url = fanout.seed("sqlite", args.clients)
    server = start_server("bench.app_server", fanout.WORK / "profile", {"AVAL_DATABASE_URL": url, "AVAL_DEMO": "0"},
                          "/healthz")
    spy = None
    try:
        async def run() -> None:
            nonlocal spy
            async with fanout.http_session() as http:
                clients = fanout.Clients(server, http, "aval")
                await clients.grow(args.clients)
                await asyncio.sleep(3)
                spy = subprocess.Popen([str(Path(ROOT / ".venv/bin/py-spy")), "record", "--pid", str(server.pid),
                                        "--output", args.out, "--threads", "--idle", "--format",
                                        "raw" if args.out.endswith(".txt") else "flamegraph"])
                time.sleep(1)
                await rounds(server.base, clients, args.clients, args.rounds)
                await clients.close()

        asyncio.run(run())
    finally:
        if spy is not None:
            spy.send_signal(2)
            spy.wait(60)
        server.stop()


if __name__ == "__main__":
    main()
