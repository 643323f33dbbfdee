"""Spec §11 on both engines: each manager's Aprovar / Reprovar tokens are made with the
request, in its transaction, in bulk, stored only as hashes; opening a link changes
nothing; confirming decides once, as that manager, through the portal's evaluation; and
every bad or spent token is refused without changing anything."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from email_link_support import links_of
from persistence_support import ANA, BRUNO, FABIO, JOAO, MARCIA, Database
from sqlalchemy import event

from domain import approvals, clock, email_links, tickets
from domain.email_links import InvalidLink
from domain.errors import AlreadyAwaiting, AlreadyDecided, InvalidInput
from domain.events import ActionApproved, ActionRejected
from domain.model import LinkDecision


def _request(db: Database, number: int = 1, **kwargs: Any) -> int:
    return db.run(approvals.request_action, db.agent(BRUNO), number, db.action_id("Reembolso"), "urgente", **kwargs)


def _snapshot(db: Database) -> list[Any]:
    """Everything a decision would touch."""
    return [
        db.rows("SELECT id, state, version, evaluated_by_customer_id FROM action_requests ORDER BY id"),
        db.rows("SELECT id, used_at FROM email_links ORDER BY id"),
        db.scalar("SELECT count(*) FROM history_entries"),
        db.scalar("SELECT count(*) FROM outbox_messages"),
        db.scalar("SELECT count(*) FROM agent_notifications"),
    ]


def test_each_manager_gets_an_approve_and_a_reject_token_stored_only_as_hashes(database: Database) -> None:
    pinned = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    original = clock.now
    clock.now = lambda: pinned
    try:
        request_id = _request(database, link_days=3)
    finally:
        clock.now = original
    stored = database.rows(
        "SELECT l.token_hash, c.email, l.decision, l.expires_at, l.used_at FROM email_links l "
        "JOIN customers c ON c.id = l.customer_id WHERE l.request_id = :r",
        r=request_id,
    )
    assert len(stored) == 4  # Fábio and Márcia, approve and reject each
    tokens = {email: links_of(database, request_id, email) for email in (FABIO, MARCIA)}
    for email, decisions in tokens.items():
        for decision, token in decisions.items():
            assert len(token) >= 43  # ≥ 256 bits, URL-safe base64
            digest = hashlib.sha256(token.encode()).hexdigest()
            row = next(r for r in stored if r[0] == digest)
            assert (row[1], row[2], row[4]) == (email, decision, None)
            with database.uow() as uow:
                link = uow.email_links.by_hash(digest)
                assert link is not None and link.expires_at == pinned + timedelta(days=3)
    everything = {token for decisions in tokens.values() for token in decisions.values()}
    assert len(everything) == 4
    # No raw token anywhere in the token table.
    dump = " ".join(str(cell) for row in database.rows("SELECT * FROM email_links") for cell in row)
    assert not any(token in dump for token in everything)


def test_a_refused_request_leaves_no_token_behind(database: Database) -> None:
    _request(database)
    before = database.scalar("SELECT count(*) FROM email_links")
    with pytest.raises(AlreadyAwaiting):
        _request(database)
    assert database.scalar("SELECT count(*) FROM email_links") == before == 4


def test_a_thousand_managers_get_their_tokens_in_bulk(database: Database) -> None:
    """One INSERT (a page per 1,000 rows at most) for all the tokens, not one per token."""
    organization = database.scalar(
        "SELECT organization_id FROM customers WHERE email = :e", e=FABIO
    )
    with database.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO customers (name, email, password_hash, organization_id, is_manager, active, in_trash) "
            + "VALUES "
            + ", ".join(
                f"('Gerente {i}', 'g{i}@bulk.test', 'x', {organization}, true, true, false)" for i in range(1000)
            )
        )
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "email_links" in statement and statement.lstrip().upper().startswith("INSERT"):
            statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        request_id = _request(database)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert database.scalar("SELECT count(*) FROM email_links WHERE request_id = :r", r=request_id) == 2 * 1002
    assert 1 <= len(statements) <= 3, len(statements)


def test_opening_a_link_changes_nothing_and_shows_the_request(database: Database) -> None:
    request_id = _request(database)
    token = links_of(database, request_id, FABIO)["approve"]
    before = _snapshot(database)
    for _ in range(3):
        view = database.run(email_links.open_link, token)
    assert _snapshot(database) == before
    assert (view.decision, view.manager_name, view.ended) == (LinkDecision.APPROVE, "Fábio Gerente", None)
    assert (view.row.id, view.row.note, view.detail.number) == (request_id, "urgente", 1)


def test_confirming_decides_as_the_manager_once_marked_by_email(database: Database) -> None:
    request_id = _request(database)
    token = links_of(database, request_id, FABIO)["approve"]
    assert database.run(email_links.confirm_link, token) == LinkDecision.APPROVE

    state, evaluator = database.rows(
        "SELECT state, evaluated_by_customer_id FROM action_requests WHERE id = :r", r=request_id
    )[0]
    assert (state, evaluator) == ("approved", database.customer(FABIO).id)
    assert database.rows("SELECT kind, via FROM history_entries WHERE request_id = :r ORDER BY id", r=request_id) == [
        ("action_requested", None),
        ("action_approved", "email"),
    ]
    decided = [e for e in database.events if isinstance(e, ActionApproved)]
    assert [(e.request_id, e.via) for e in decided] == [(request_id, "email")]
    # The agents' one evaluation mail, as for a portal decision (Bruno assigned and requester).
    assert database.scalar(
        "SELECT count(*) FROM outbox_messages WHERE kind = 'request_evaluated' AND dedup_key LIKE :k",
        k=f"request:{request_id}:%",
    ) == 1
    assert database.scalar("SELECT count(*) FROM email_links WHERE used_at IS NOT NULL") == 1

    # Replayed: decides nothing and says who decided.
    before = _snapshot(database)
    with pytest.raises(AlreadyDecided, match="Fábio Gerente"):
        database.run(email_links.confirm_link, token)
    assert _snapshot(database) == before
    view = database.run(email_links.open_link, token)
    assert view.ended is not None and view.ended.params["name"] == "Fábio Gerente"


def test_the_reject_link_keeps_the_reason_and_the_portal_still_says_portal(database: Database) -> None:
    first = _request(database)
    database.run(email_links.confirm_link, links_of(database, first, MARCIA)["reject"], "Sem orçamento")
    assert database.rows("SELECT state, reason FROM action_requests WHERE id = :r", r=first) == [
        ("rejected", "Sem orçamento")
    ]
    assert [e.via for e in database.events if isinstance(e, ActionRejected)] == ["email"]
    with pytest.raises(InvalidInput):  # a reason too long: refused, the token still good
        database.run(email_links.confirm_link, links_of(database, first, FABIO)["reject"], "x" * 10_001)

    second = _request(database)
    database.run(approvals.approve, database.customer(FABIO), second)
    assert database.scalar(
        "SELECT via FROM history_entries WHERE request_id = :r AND kind = 'action_approved'", r=second
    ) == "portal"


def _refused(db: Database, token: str) -> None:
    before = _snapshot(db)
    with pytest.raises(InvalidLink):
        db.run(email_links.open_link, token)
    with pytest.raises(InvalidLink):
        db.run(email_links.confirm_link, token)
    assert _snapshot(db) == before


def test_a_deactivated_managers_token_is_refused(database: Database) -> None:
    request_id = _request(database)
    token = links_of(database, request_id, FABIO)["approve"]
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE customers SET active = false WHERE email = 'fabio.gerente@demo.test'")
    _refused(database, token)
    assert database.scalar("SELECT state FROM action_requests WHERE id = :r", r=request_id) == "awaiting_approval"


def test_a_token_of_a_request_in_the_trash_is_refused(database: Database) -> None:
    request_id = _request(database)
    token = links_of(database, request_id, FABIO)["approve"]
    database.run(tickets.trash_ticket, database.agent(ANA), 1)
    _refused(database, token)


def test_an_expired_token_is_refused(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    request_id = _request(database, link_days=2)
    token = links_of(database, request_id, FABIO)["approve"]
    later = clock.now() + timedelta(days=2, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    _refused(database, token)


def test_a_changed_character_or_an_unknown_token_is_refused(database: Database) -> None:
    request_id = _request(database)
    token = links_of(database, request_id, FABIO)["approve"]
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (changed, token.upper() if token.upper() != token else token.lower(), "", token + "x", token[:-1]):
        _refused(database, bad)


def test_a_token_decides_only_its_own_request(database: Database) -> None:
    """Manager A's token of request 1 does nothing to request 2 (it carries no request
    number an attacker could change): it decides request 1 and leaves request 2 awaiting."""
    first = _request(database, 1)
    second = _request(database, 2)
    database.run(email_links.confirm_link, links_of(database, first, FABIO)["approve"])
    states = dict(database.rows("SELECT id, state FROM action_requests WHERE id IN (:a, :b)", a=first, b=second))
    assert states == {first: "approved", second: "awaiting_approval"}


def test_a_cancelled_request_shows_who_cancelled_and_decides_nothing(database: Database) -> None:
    request_id = _request(database)
    token = links_of(database, request_id, MARCIA)["reject"]
    database.run(approvals.cancel, database.agent(BRUNO), request_id)
    view = database.run(email_links.open_link, token)
    assert view.ended is not None and "cancelled" in view.ended.message
    before = _snapshot(database)
    with pytest.raises(AlreadyDecided):
        database.run(email_links.confirm_link, token)
    assert _snapshot(database) == before


def test_the_customer_who_is_not_a_manager_never_had_a_token(database: Database) -> None:
    request_id = _request(database)
    assert database.scalar(
        "SELECT count(*) FROM email_links l JOIN customers c ON c.id = l.customer_id "
        "WHERE l.request_id = :r AND c.email = :e",
        r=request_id,
        e=JOAO,
    ) == 0


def test_a_sent_mail_forgets_the_links_it_carried(database: Database) -> None:
    """At rest, only a mail still waiting to go out holds its manager's raw links."""
    from domain import outbox

    request_id = _request(database)
    token = links_of(database, request_id, FABIO)["approve"]
    message_id = database.scalar(
        "SELECT o.id FROM outbox_messages o JOIN customers c ON c.id = o.recipient_id "
        "WHERE o.kind = 'request_created' AND c.email = :e",
        e=FABIO,
    )
    database.run(outbox.mark_sent, message_id)
    with database.uow() as uow:
        message = uow.outbox.get(message_id)
        assert message is not None
        assert "approve_path" not in message.payload and "reject_path" not in message.payload
        assert message.payload["path"] == f"/portal/approvals/{request_id}"
    # The manager's mail still works: the hash was never in the outbox.
    assert database.run(email_links.open_link, token).ended is None


def test_the_link_page_shows_times_in_the_managers_own_zone(database: Database) -> None:
    from domain import profile
    from i18n_time import format_when
    from ui.email_link_page import _view_page

    database.run(profile.set_time_zone, database.customer(FABIO), "America/New_York")
    request_id = _request(database)
    token = links_of(database, request_id, FABIO)["approve"]
    database.run(email_links.confirm_link, token)
    view = database.run(email_links.open_link, token)
    assert view.timezone == "America/New_York" and view.ended is not None
    decided_at = view.ended.params["when"]
    page = _view_page(view, token)
    new_york = format_when(decided_at, "pt_BR", "America/New_York")
    assert new_york != format_when(decided_at, "pt_BR", "America/Sao_Paulo")
    assert f"por Fábio Gerente em {new_york}" in page  # the "já foi aprovada" text, on Fábio's clock
    assert format_when(view.row.requested_at, "pt_BR", "America/New_York") in page
