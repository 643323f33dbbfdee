"""Fixtures of the several-instances tests: a throwaway PostgreSQL database and a Redis key
prefix of their own, on the servers of this machine.

The servers are named by AVAL_TEST_POSTGRES_URL (default: the local `test` database, where
a fresh database is created and dropped afterwards) and AVAL_TEST_REDIS_URL (default
redis://127.0.0.1:6379/0; only keys under a unique prefix are written and deleted). Without
a server the tests are skipped with the reason shown — except in CI (CI=true), where that is
a failure."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest
import redis
from multi_services import postgres_server_url, redis_server_url, unavailable
from sqlalchemy.engine import make_url

from persistence.event_relay import libpq_url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty database, dropped after the test."""
    server = postgres_server_url()
    try:
        admin = psycopg.connect(libpq_url(server), autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        unavailable(f"PostgreSQL not reachable at {make_url(server).render_as_string(hide_password=True)}: {error}")
        raise  # unreachable: unavailable() skips or fails
    name = f"aval_multi_{os.getpid()}_{secrets.token_hex(5)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_store() -> Iterator[tuple[str, str]]:
    """(url, key prefix): NiceGUI's storage of the instances goes under the prefix, whose
    keys are deleted afterwards (the server's other keys are left alone)."""
    url = redis_server_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"Redis not reachable at {url}: {error}")
    prefix = f"aval-test-{secrets.token_hex(6)}:"
    try:
        yield url, prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
