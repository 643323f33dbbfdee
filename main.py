"""Composition root of Aval: configuration, database, services, pages, worker, server.

`python main.py` starts the app (see README for the configuration). The NiceGUI test
plugin runs this file once per test, so everything is built inside `build()`."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from functools import partial

from nicegui import app, core, ui
from nicegui.storage import Storage

from api.app import create_api
from api.rate_limit import ApiRateLimits
from config import Config
from delivery.config import SmtpConfig
from delivery.due_worker import DueWorker
from delivery.vapid import load_or_create_vapid_keys
from delivery.worker import create_worker
from domain import approvals, demo, reminders, standins
from domain.service import Services
from i18n_time import set_default_zone
from persistence.database import make_engine, make_session_factory, ping
from persistence.event_relay import PostgresEventRelay
from persistence.login_throttle import SqlLoginThrottle
from persistence.migrate import startup_lock, upgrade
from persistence.passwords import Argon2Hasher
from persistence.tables import start_mappers
from persistence.ticket_tallies import fold_now
from persistence.uow import SqlUnitOfWork
from ui import deleted_pages, socket_guard, unconnected_pages
from ui.context import AppContext, install
from ui.i18n import set_default_locale
from ui.live import LiveEvents
from ui.pages import register_pages
from ui.security_headers import SecurityHeaders
from ui.sign_in_required import SignInRequired

log = logging.getLogger("aval")


def _outbox_lease(environ: Mapping[str, str]) -> dict[str, timedelta]:
    """AVAL_OUTBOX_LEASE_SECONDS: how long a crashed instance's claimed messages wait before
    another start sends them (default 5 minutes; keep it above a batch's sending time)."""
    raw = environ.get("AVAL_OUTBOX_LEASE_SECONDS", "").strip()
    if not raw:
        return {}
    seconds = float(raw)
    if seconds <= 0:
        raise SystemExit("AVAL_OUTBOX_LEASE_SECONDS must be a positive number of seconds.")
    return {"lease": timedelta(seconds=seconds)}


def warn_about_exposed_files(config: Config) -> None:
    exposed = config.prepare_data_dir()
    if exposed:
        shown = ", ".join(str(path) for path in exposed[:10]) + (" …" if len(exposed) > 10 else "")
        log.warning(
            "other users of this machine may read Aval's data (password hashes, tickets, session secrets): %s; "
            "run `chmod -R go-rwx %s`",
            shown,
            config.data_dir,
        )


def build(config: Config) -> AppContext:
    warn_about_exposed_files(config)
    engine = make_engine(config.database_url)
    upgrade(engine)
    start_mappers()
    live = LiveEvents()
    session_factory = make_session_factory(engine)
    # On PostgreSQL several instances may serve one database: each commit also notifies
    # the others, which push the events to their own clients (docs/deploy.md).
    relay = PostgresEventRelay(engine.url, live.publish_remote) if engine.dialect.name == "postgresql" else None
    before_commit = relay.notify if relay is not None else None
    services = Services(lambda: SqlUnitOfWork(session_factory, live.publish, before_commit))
    hasher = Argon2Hasher()
    with startup_lock(engine):  # instances starting together seed once
        if services.run(demo.is_empty):
            if config.demo:
                services.run(demo.seed_demo, hasher)
                log.info("seeded the demo account (password %s)", demo.DEMO_PASSWORD)
            elif config.admin_email and config.admin_password:
                services.run(demo.seed_admin, hasher, config.admin_email, config.admin_password)
            else:
                raise SystemExit("AVAL_DEMO=0 needs AVAL_ADMIN_EMAIL and AVAL_ADMIN_PASSWORD for the first admin.")
    set_default_locale(config.locale)
    set_default_zone(config.timezone)
    context = AppContext(
        config=config,
        services=services,
        hasher=hasher,
        dummy_hash=hasher.dummy_hash,
        live=live,
        throttle=SqlLoginThrottle(engine),
    )
    install(context)
    app.on_startup(live.bind_loop)
    if relay is not None:
        app.on_startup(relay.start)
        # Not `relay.stop` itself: NiceGUI passes the app to a one-argument handler, which
        # would land in `timeout` and fail the whole shutdown.
        app.on_shutdown(lambda: relay.stop())
    vapid = load_or_create_vapid_keys(config.data_dir)
    context.vapid_public_key = vapid.public_key_b64url
    # The outbox worker sends e-mail and Web Push from a thread of this process; a commit
    # wakes it at once, and it polls besides (docs: AVAL_SMTP_*).
    worker = create_worker(
        services,
        smtp=SmtpConfig.from_env(os.environ),
        vapid=vapid,
        base_url=config.base_url,
        default_locale=config.locale,
        webhook_allow_insecure=config.webhook_allow_insecure,
        webhook_ca_file=config.webhook_ca_file,
        **_outbox_lease(os.environ),
    )
    live.listeners.append(worker.on_events)
    live.remote_listeners.append(worker.on_events)  # another instance's outbox rows: send them now
    app.on_startup(worker.start)
    app.on_shutdown(worker.stop_async)
    # Deadlines, reminders, stand-ins' periods beginning and ending: sleeps until the next
    # due time in the database; any commit here or on another instance may have brought it forward.
    # Reminders carry fresh one-decision links, valid as long as a request's (AVAL_EMAIL_LINK_DAYS).
    send_reminders = partial(reminders.send_reminders, link_days=config.email_link_days)
    due = DueWorker(
        services, [approvals.expire_overdue, send_reminders, standins.wake_due], upkeep=partial(fold_now, engine)
    )
    live.listeners.append(due.on_events)
    live.remote_listeners.append(due.on_events)
    app.on_startup(due.start)
    app.on_shutdown(due.stop_async)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:  # sync: FastAPI runs it in a worker thread
        ping(engine)
        return {"status": "ok", "database": engine.dialect.name}

    _mount_api(config, services)
    register_pages(context)
    return context


def _mount_api(config: Config, services: Services) -> None:
    """The public API at /api (spec §14). The test plugin builds the app once per test on
    one NiceGUI app: the previous test's mount is replaced, not stacked."""
    try:
        rate_limits = ApiRateLimits.create(config.api_rate_limit, config.api_rate_limit_per_address, config.redis_url)
    except ValueError as error:
        raise SystemExit(f"AVAL_API_RATE_LIMIT / AVAL_API_RATE_LIMIT_PER_ADDRESS: {error}") from None
    api = create_api(
        services, default_locale=config.locale, rate_limits=rate_limits, email_link_days=config.email_link_days
    )
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != "/api"]
    app.mount("/api", api)


def tune_garbage_collector() -> None:
    """Fewer long pauses of the event loop. With 1,000 managers connected the process
    tracks ~3 million objects; with the default thresholds a full collection (~1.1 s,
    during which every live update and click waits) ran every 3–4 s, because objects
    that live a few seconds (messages kept until the browser acknowledges them) reached
    the oldest generation. Young collections now run after 5,000 new objects instead of
    700 and the middle one after 40 of them: in the same run, one full collection every
    ~14 s, young ones ≤ 125 ms (docs/benchmarks.md, fan-out). Full collections wait for
    50 middle ones instead of 10: pages deleted are freed without the collector (ui.deleted_pages),
    so what a full collection finds is a few objects a page, and during a deadline burst on
    SQLite one of ~1 s came every ~20 s (docs/benchmarks.md §5). What start-up built is
    frozen out of the collections: it lives as long as the process."""
    gc.freeze()
    gc.set_threshold(5_000, 40, 50)


def tune_serving_process() -> None:
    """What a process serving browsers adds (not the `user` test fixture's app): the
    collector's tuning at start, pages whose browser never connects let go early, and
    deleted pages freed without the collector."""
    app.on_startup(tune_garbage_collector)
    unconnected_pages.install()
    deleted_pages.install()


if __name__ in {"__main__", "__mp_main__"}:
    logging.basicConfig(level=logging.INFO)
    # Whatever this process creates (the database and its journal, NiceGUI's session
    # files, keys) is for the service's own user only.
    os.umask(0o077)
    config = Config.from_env()
    if "NICEGUI_STORAGE_PATH" not in os.environ and not os.environ.get("NICEGUI_USER_SIMULATION"):
        # Browser sessions live beside the database, not in whatever folder we started from.
        Storage.path = config.data_dir / "nicegui"
        app.storage = Storage()
    build(config)
    # The `user` test fixture runs this block once per test on one app, and Starlette
    # refuses middleware added after the app first started.
    if not os.environ.get("NICEGUI_USER_SIMULATION"):
        app.add_middleware(SecurityHeaders, https=config.base_url.startswith("https://"))
        app.add_middleware(SignInRequired)
        socket_guard.install(core.sio, base_url=config.base_url, storage_secret=config.secret("storage"))
        tune_serving_process()
    ui.run(
        host=config.host,
        port=config.port,
        title="Aval",
        storage_secret=config.secret("storage"),
        # The session cookie: never readable by page script (HttpOnly, Starlette's default),
        # not sent along by other sites' forms (Lax), and only over TLS when served on https.
        session_middleware_kwargs={"same_site": "lax", "https_only": config.base_url.startswith("https://")},
        reload=False,
        show=False,
        language="pt-BR" if config.locale == "pt_BR" else "en-US",
        favicon="✅",
        uvicorn_logging_level=os.environ.get("AVAL_LOG_LEVEL", "warning"),
        # Forwarded headers only from the configured proxies (uvicorn alone would believe
        # any X-Forwarded-For arriving from 127.0.0.1).
        proxy_headers=bool(config.trusted_proxies),
        forwarded_allow_ips=",".join(config.trusted_proxies) or "",
    )
