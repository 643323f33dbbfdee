"""Reminder mails carry one-decision links too (spec §11, §12): the request's tokens exist
only hashed, so each reminder mints fresh ones for the manager it reminds, in the
round's transaction. Through the real outbox worker and a real SMTP server (aiosmtpd):
the reminder's Aprovar link decides, the request's earlier links stay valid until one
decides, and the sent row forgets the raw links like a request mail does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from outbox_support import (
    BASE_URL,
    BRUNO,
    FABIO,
    MARCIA,
    Desk,
    Mail,
    SmtpServer,
    open_desk,
    running,
    wait_until,
)

from domain import admin, clock, email_links, reminders
from domain.errors import AlreadyDecided
from domain.link_tokens import token_hash
from domain.model import LinkDecision, OutboxStatus
from tests.mail_links import anchors

NOON = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 12:00 in São Paulo: nobody's night
ANA = "ana.admin@demo.test"


def decision_links(mail: Mail) -> dict[str, str]:
    """{"Aprovar": url, "Reprovar": url}, checked to be in the text part as well."""
    links = dict(anchors(mail.html))
    found = {label: url for label, url in links.items() if label in ("Aprovar", "Reprovar")}
    assert set(found) == {"Aprovar", "Reprovar"}, links
    for label, url in found.items():
        assert f"{label}: {url}" in mail.text
    return found


def token_of(url: str) -> str:
    prefix = BASE_URL + "/e/"
    assert url.startswith(prefix), url
    return url.removeprefix(prefix)


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    moment = [NOON]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    return moment


@pytest.fixture
def desk(tmp_path: Path, now: list[datetime]) -> Iterator[Desk]:
    desk = open_desk(f"sqlite:///{tmp_path / 'reminders.sqlite3'}")
    desk.run(admin.set_reminders, desk.agent(ANA), 1, 3)  # every hour, three times
    yield desk
    desk.close()


def reminder_mails(smtp: SmtpServer, address: str) -> list[Mail]:
    return [mail for mail in smtp.mailbox.to(address) if "Lembrete" in mail.subject]


def test_a_reminder_mails_fresh_links_and_its_aprovar_link_decides(
    desk: Desk, smtp: SmtpServer, now: list[datetime]
) -> None:
    with running(desk.worker(smtp.sender())):
        request_id = desk.request(BRUNO, 1)
        wait_until(lambda: smtp.mailbox.count >= 2, what="the request mails")
        [request_mail] = smtp.mailbox.to(FABIO)
        first = decision_links(request_mail)

        now[0] = NOON + timedelta(hours=1, minutes=1)  # the first round falls due
        assert desk.run(reminders.send_reminders, 50, link_days=2) == 1
        wait_until(lambda: len(reminder_mails(smtp, FABIO)) == 1 and desk.settled(), what="fabio's reminder")
        [reminder] = reminder_mails(smtp, FABIO)
        fresh = decision_links(reminder)
        [marcias] = reminder_mails(smtp, MARCIA)
        assert set(fresh.values()).isdisjoint(first.values())  # new tokens, not the request's
        assert set(fresh.values()).isdisjoint(decision_links(marcias).values())  # each manager their own

        # At rest the sent reminder rows hold no raw link; the hashes behind them do.
        reminders_sent = [m for m in desk.outbox() if m.kind == "request_reminder"]
        assert reminders_sent and all(m.status == OutboxStatus.SENT for m in reminders_sent)
        assert not any("approve_path" in m.payload or "reject_path" in m.payload for m in reminders_sent)

        token = token_of(fresh["Aprovar"])
        view = desk.run(email_links.open_link, token)
        assert (view.decision, view.ended, view.row.id) == (LinkDecision.APPROVE, None, request_id)
        assert desk.run(email_links.open_link, token_of(first["Aprovar"])).ended is None  # still valid
        with desk.services.uow_factory() as uow:  # valid for the days the worker was given
            link = uow.email_links.by_hash(token_hash(token))
            assert link is not None and link.expires_at == now[0] + timedelta(days=2)

        assert desk.run(email_links.confirm_link, token) == LinkDecision.APPROVE
        assert desk.scalar("SELECT state FROM action_requests WHERE id = :r", r=request_id) == "approved"
        wait_until(lambda: len(smtp.mailbox.to(BRUNO)) == 1, what="bruno's one evaluation mail")

    # The request's own links, and the reminder's other one, now tell how it ended.
    assert desk.run(email_links.open_link, token_of(first["Reprovar"])).ended is not None
    with pytest.raises(AlreadyDecided):
        desk.run(email_links.confirm_link, token_of(fresh["Reprovar"]), "")
    with pytest.raises(AlreadyDecided):
        desk.run(email_links.confirm_link, token)  # a used link decides nothing again
    assert len(smtp.mailbox.to(BRUNO)) == 1


def test_lembrar_gerentes_mails_links_that_decide(desk: Desk, smtp: SmtpServer) -> None:
    with running(desk.worker(smtp.sender())):
        request_id = desk.request(BRUNO, 1)
        desk.run(reminders.remind_managers, desk.agent(BRUNO), request_id)
        wait_until(lambda: len(reminder_mails(smtp, MARCIA)) == 1 and desk.settled(), what="marcia's reminder")
        [reminder] = reminder_mails(smtp, MARCIA)
        reject = token_of(decision_links(reminder)["Reprovar"])
        assert desk.run(email_links.confirm_link, reject, "Sem verba.") == LinkDecision.REJECT
    row = desk.scalar("SELECT state || ':' || reason FROM action_requests WHERE id = :r", r=request_id)
    assert row == "rejected:Sem verba."
