"""Reports (spec §15): the server time of /agent/reports on the data-volume database
(bench/volume_data.py: 50,000 action requests, 45,000 of them decided over two years,
5,000 awaiting, 10,000 organizations, 1,000,000 history entries), SQLite and PostgreSQL.

Two measurements per engine:
- the use cases, in-process as the page calls them: `reports.overview` (everything the
  page shows) for the last 30 days of the data, one year and the longest period allowed
  (two years: every decision), `reports.awaiting_now` (the live table's re-read) and
  `reports.whole_table` (the largest CSV: every organization of a year);
- the whole page, HTTP GET /agent/reports?start=…&end=… through bench.app_server as the
  account manager: NiceGUI answers once the page is built, so the time is the server's
  page build (use cases + charts + tables + HTML).

The databases are bench.data_volume's, under names of their own (this branch's newer
migrations are applied to them): bench/.cache/volume-reports.sqlite3 and `aval_bench_reports`.

    .venv/bin/python -m bench.reports [--engines sqlite,postgresql] [--repeat 50] [--pages 50]
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from domain import reports
from domain.access import Actor

from . import volume_data
from .data_volume import prepare
from .support import (
    CACHE,
    Database,
    drop_postgres,
    load,
    percentile,
    save,
    start_server,
    stop_on_sigterm,
    summary_ms,
)


def timed(call: Callable[[], Any], repeat: int, warmup: int = 3, server_pid: int | None = None) -> dict[str, Any]:
    """bench.support's figures plus the fastest call and the CPU time spent: on a machine
    shared with other work, wall time mostly measures the queue for a core, while the CPU
    time of the process doing the work (this one, or the server's) is what the work costs.
    In-process (SQLite) that is all of it; a PostgreSQL backend's own CPU is not counted."""
    for _ in range(warmup):
        call()
    durations, cpu = [], []
    server_cpu_start = _server_cpu(server_pid)
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        durations.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    figures: dict[str, Any] = {**summary_ms(durations), "min_ms": round(min(durations) * 1000, 2)}
    if server_pid is None:
        figures["cpu_p50_ms"] = round(percentile([c * 1000 for c in cpu], 50), 2)
        figures["cpu_p95_ms"] = round(percentile([c * 1000 for c in cpu], 95), 2)
    else:
        figures["server_cpu_mean_ms"] = round((_server_cpu(server_pid) - server_cpu_start) * 1000 / repeat, 1)
    return figures


def _server_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a process so far (/proc, in clock ticks)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SQLITE_FILE = CACHE / "volume-reports.sqlite3"
PG_DATABASE = "aval_bench_reports"
# The volume data's requests run from January 2024 to the end of 2025.
PERIODS = {
    "30 days": (date(2025, 12, 1), date(2025, 12, 30)),
    "1 year": (date(2025, 1, 1), date(2025, 12, 31)),
    "2 years": (date(2024, 1, 1), date(2025, 12, 31)),
}
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)


def _show(name: str, figures: dict[str, Any]) -> None:
    cpu = {key: value for key, value in figures.items() if "cpu" in key}
    print(f"  {name}: min {figures['min_ms']} ms, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
          f"{cpu}, load {figures['load']}", flush=True)


def use_case_timings(db: Database, repeat: int) -> dict[str, Any]:
    admin = Actor.agent(volume_data.ADMIN_ID)
    cases: dict[str, Callable[[], Any]] = {}
    for name, (start, end) in PERIODS.items():
        chosen = reports.period(start, end)
        cases[f"overview ({name})"] = lambda chosen=chosen: db.run(reports.overview, admin, chosen, NOW)
    cases["awaiting_now"] = lambda: db.run(reports.awaiting_now, admin, NOW)
    year = reports.period(*PERIODS["1 year"])
    cases["whole_table organizations (1 year, CSV)"] = lambda: db.run(
        reports.whole_table, admin, reports.ReportTable.ORGANIZATIONS, year, NOW
    )
    results = {}
    for name, case in cases.items():
        results[name] = {**timed(case, repeat), "load": load()}
        _show(name, results[name])
    first = db.run(reports.overview, admin, reports.period(*PERIODS["2 years"]), NOW)
    results["shape (2 years)"] = {
        "decided": sum(first.total(s) for s in ("approved", "rejected", "cancelled", "expired")),
        "organizations with decisions": first.by_organization.total,
        "awaiting": first.awaiting.total,
    }
    return results


def page_timings(db: Database, engine: str, pages: int) -> dict[str, Any]:
    workdir = CACHE / "reports-server" / engine
    shutil.rmtree(workdir, ignore_errors=True)
    server = start_server("bench.app_server", workdir, {"AVAL_DATABASE_URL": db.url, "AVAL_DEMO": "0"}, "/healthz")
    try:
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        browser.open(f"{server.base}/bench/login/agent/{volume_data.ADMIN_ID}", timeout=60).read()

        def get(path: str) -> Callable[[], None]:
            def call() -> None:
                with browser.open(server.base + path, timeout=60) as response:
                    body = response.read()
                    if response.status != 200 or b"Baixar CSV" not in body:  # the weekly table's button
                        raise RuntimeError(f"{path}: not the reports page")

            return call

        cases = {"GET /agent/reports (default: last 30 days, nothing decided)": get("/agent/reports")}
        for name, (start, end) in PERIODS.items():
            cases[f"GET /agent/reports ({name})"] = get(f"/agent/reports?start={start}&end={end}")
        results = {}
        for name, case in cases.items():
            results[name] = {**timed(case, pages, server_pid=server.pid), "load": load()}
            _show(name, results[name])
        return results
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=50, help="calls per use case")
    parser.add_argument("--pages", type=int, default=50, help="GETs per page (0: skip the HTTP part)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL database at the end")
    args = parser.parse_args()
    stop_on_sigterm()
    results: dict[str, Any] = {}
    for engine in args.engines.split(","):
        started = time.perf_counter()
        db, prepared = prepare(engine, args.regenerate, SQLITE_FILE, PG_DATABASE)
        print(f"{engine}: {prepared}", flush=True)
        try:
            results[engine] = {
                "database": prepared,
                "prepare_s": round(time.perf_counter() - started, 1),
                "use_cases": use_case_timings(db, args.repeat),
            }
            if args.pages:
                results[engine]["pages"] = page_timings(db, engine, args.pages)
        finally:
            db.close()
    if args.drop and "postgresql" in args.engines:
        drop_postgres(PG_DATABASE)
    results["target"] = "page p95 <= 200 ms"
    results["summary"] = {
        engine: {name: {key: value for key, value in figure.items() if key in ("p95_ms", "min_ms") or "cpu" in key}
                 for part in ("use_cases", "pages") for name, figure in r.get(part, {}).items() if "p95_ms" in figure}
        for engine, r in results.items() if isinstance(r, dict) and "use_cases" in r
    }
    save("reports", results)


if __name__ == "__main__":
    main()
