"""/e/{token} over HTTP against the running app (`python main.py`), as a mail scanner, a
browser without JavaScript and a guesser meet it: GET reads and never writes; the form's
POST decides once, and a replayed POST decides nothing; every bad token — whatever its
shape, and there are many — gets the one plain invalid page, never a 500; a client that
keeps guessing is throttled (429)."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from security_process import AppProcess, app_process, direct_services, sqlite_url
from sqlalchemy import create_engine, text

from domain import approvals
from domain.access import Actor

FABIO = "fabio.gerente@demo.test"
MARCIA = "marcia.gerente@demo.test"


def _http(app: AppProcess, method: str, path: str, body: str | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=20)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _post(app: AppProcess, path: str, **fields: str) -> tuple[int, dict[str, str], str]:
    return _http(app, "POST", path, urllib.parse.urlencode(fields),
                 {"Content-Type": "application/x-www-form-urlencoded"})


class Db:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def state(self) -> list[Any]:
        with self.engine.connect() as connection:
            return [
                list(connection.execute(text("SELECT id, state, version FROM action_requests ORDER BY id"))),
                list(connection.execute(text("SELECT id, used_at FROM email_links ORDER BY id"))),
                connection.execute(text("SELECT count(*) FROM history_entries")).scalar(),
                connection.execute(text("SELECT count(*) FROM agent_notifications")).scalar(),
            ]

    def links(self, request_id: int, email: str) -> dict[str, str]:
        raw = self.scalar(
            "SELECT o.payload FROM outbox_messages o JOIN customers c ON c.id = o.recipient_id "
            "WHERE o.kind = 'request_created' AND c.email = :e AND o.dedup_key LIKE :k",
            e=email, k=f"request:{request_id}:%",
        )
        payload = json.loads(raw) if isinstance(raw, str) else raw
        return {d: payload[f"{d}_path"] for d in ("approve", "reject")}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppProcess, Db, int]]:
    data = tmp_path_factory.mktemp("email-links") / "data"
    with app_process(data) as app:
        url = sqlite_url(data)
        services = direct_services(url)
        db = Db(url)
        bruno = Actor.agent(int(db.scalar("SELECT id FROM agents WHERE email = 'bruno.agente@demo.test'")))
        action = int(db.scalar("SELECT id FROM catalog_actions WHERE name = 'Reembolso'"))
        request_id = services.run(approvals.request_action, bruno, 1, action, "Cliente cobrado duas vezes")
        yield app, db, request_id
        db.engine.dispose()


MALFORMED = [
    "/e/", "/e/x", "/e/" + "A" * 42, "/e/" + "A" * 44, "/e/" + "A" * 43, "/e/" + "A" * 5000,
    "/e/" + "-" * 43, "/e/" + "_" * 43, "/e/" + "A" * 42 + "=", "/e/" + "A" * 42 + "%20",
    "/e/%00", "/e/" + "A" * 42 + "%00", "/e/%ff%fe", "/e/%c3%a7%c3%a3o", "/e/" + "%e2%80%ae" * 20,
    "/e/" + "%f0%9f%98%80" * 11, "/e/%ef%bf%bd", "/e/../../etc/passwd", "/e/..%2f..%2fetc%2fpasswd",
    "/e/%2e%2e/%2e%2e/", "/e/a/b/c", "/e//", "/e/" + "A" * 43 + "/", "/e/" + "A" * 43 + "/..",
    "/e/%5c..%5c..%5cwindows", "/e/%252e%252e", "/e/'%20OR%201=1--", "/e/%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    "/e/%3Cimg%20src=x%20onerror=alert(1)%3E", "/e/${jndi:ldap://x}", "/e/{{7*7}}", "/e/%0d%0aSet-Cookie:%20x=1",
    "/e/%0a", "/e/%09", "/e/%20", "/e/+", "/e/*", "/e/.", "/e/..", "/e/~", "/e/null", "/e/undefined",
    "/e/-1", "/e/0", "/e/99999999999999999999999999", "/e/" + "a" * 64, "/e/" + "0123456789abcdef" * 4,
    "/e/;", "/e/%3b", "/e/?token=x", "/e/x?done=1", "/e/#frag", "/e/%23", "/e/%25", "/e/%",
    "/e/%zz", "/e/%u0041", "/e/\u0041" * 2,
]


def test_opening_a_link_shows_the_request_and_changes_nothing(running: tuple[AppProcess, Db, int]) -> None:
    app, db, request_id = running
    before = db.state()
    path = db.links(request_id, FABIO)["approve"]
    for _ in range(3):  # a mail scanner opens it, again and again
        status, headers, page = _http(app, "GET", path)
        assert status == 200
        assert "Confirmar aprovação" in page and "Cliente cobrado duas vezes" in page
        assert "#1" in page and "Fábio Gerente" in page and "Bruno Agente" in page
        assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "no-referrer"
    assert _http(app, "HEAD", path)[0] in (200, 405)
    assert db.state() == before
    status, _headers, page = _http(app, "GET", db.links(request_id, MARCIA)["reject"])
    assert status == 200 and "Confirmar reprovação" in page and 'name="reason"' in page


def test_the_form_decides_once_and_a_replay_decides_nothing(running: tuple[AppProcess, Db, int]) -> None:
    app, db, request_id = running
    path = db.links(request_id, FABIO)["approve"]
    status, headers, _page = _post(app, path)
    assert status == 303 and headers["location"].endswith("?done=1")
    status, _headers, page = _http(app, "GET", headers["location"])
    assert status == 200 and "Ação aprovada." in page
    assert "Esta ação já foi aprovada por Fábio Gerente em" in page
    assert db.scalar("SELECT state FROM action_requests WHERE id = :r", r=request_id) == "approved"
    after = db.state()

    assert _post(app, path)[0] == 303  # replayed: told what happened
    status, _headers, page = _http(app, "GET", path)
    assert "Esta ação já foi aprovada por Fábio Gerente em" in page and "<form" not in page
    # Márcia's Reprovar link: says who approved, decides nothing.
    other = db.links(request_id, MARCIA)["reject"]
    status, _headers, page = _http(app, "GET", other)
    assert status == 200 and "já foi aprovada por Fábio Gerente" in page and "<form" not in page
    assert _post(app, other, reason="não")[0] == 303
    assert db.state() == after
    assert db.scalar(
        "SELECT count(*) FROM history_entries WHERE request_id = :r AND kind = 'action_approved'", r=request_id
    ) == 1


def test_every_bad_token_gets_the_same_plain_page_never_a_500(running: tuple[AppProcess, Db, int]) -> None:
    """Runs last in this module: its strikes throttle this client address."""
    app, db, request_id = running
    assert len(MALFORMED) >= 50
    good = db.links(request_id, FABIO)["reject"]
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    before = db.state()
    bodies: set[str] = set()
    statuses: list[int] = []
    for path in [tampered, *MALFORMED]:
        for method in ("GET", "POST"):
            status, _headers, page = _post(app, path, reason="x") if method == "POST" else _http(app, method, path)
            assert status < 500, (method, path, status, page[:300])
            statuses.append(status)
            assert status in (404, 429), (method, path, status)
            bodies.add(page)
    # Byte for byte one page, whatever the reason (the 429 reads the same).
    assert len(bodies) == 1 and "Link inválido ou expirado." in bodies.pop()
    assert statuses[0] == 404 and statuses[-1] == 429  # throttled once it kept guessing
    # A junk form body is no crash either.
    status, _h, _p = _http(app, "POST", good, "\x00\xff" * 50, {"Content-Type": "multipart/form-data; boundary=x"})
    assert status < 500
    assert db.state() == before


def test_a_path_outside_e_is_not_the_link_page(running: tuple[AppProcess, Db, int], tmp_path: Path) -> None:
    app, _db, _request_id = running
    status, _headers, page = _http(app, "GET", "/e")
    assert status < 500 and "Link inválido" not in page
