"""The outbox worker against a real SMTP server (aiosmtpd on loopback): who gets which mail,
exactly once, in which language, and that nothing is lost when the server is down or the
worker restarts (spec §6)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from outbox_support import (
    ANA,
    BASE_URL,
    BRUNO,
    CARLA,
    FABIO,
    JOAO,
    LIVIA,
    MARCIA,
    Desk,
    Mailbox,
    PlainHasher,
    SmtpServer,
    open_desk,
    running,
    wait_until,
)

from domain import admin, approvals, auth, outbox, push, tickets
from domain.admin import CustomerFields
from domain.errors import Forbidden
from domain.model import Channel, OutboxMessage, OutboxStatus, TicketStatus
from domain.outbox import RetryPolicy

REQUEST_SUBJECT = "[Aval] Chamado #1: aprovação solicitada — Reembolso"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    desk = open_desk(f"sqlite:///{tmp_path / 'outbox.sqlite3'}")
    yield desk
    desk.close()


def emails(desk: Desk) -> list[OutboxMessage]:
    return [m for m in desk.outbox() if m.channel == Channel.EMAIL]


def test_request_mails_every_active_manager_once_and_nobody_else(desk: Desk, smtp: SmtpServer) -> None:
    ana = desk.agent(ANA)
    other_org = desk.run(admin.create_organization, ana, "Outra SA")
    filial = int(desk.scalar("SELECT id FROM organizations WHERE name = 'Filial Norte'"))
    desk.run(admin.create_customer, ana, PlainHasher(),
             CustomerFields("Olga Outra", "olga@outra.test", other_org, is_manager=True, password="senha-forte-1"))
    desk.run(admin.create_customer, ana, PlainHasher(),
             CustomerFields("Ivo Inativo", "ivo@filial.test", filial, is_manager=True, active=False,
                            password="senha-forte-1"))

    with running(desk.worker(smtp.sender())):
        request_id = desk.request(BRUNO, 1, note="Cliente pagou duas vezes.")
        wait_until(lambda: smtp.mailbox.count >= 2 and desk.settled(), what="the managers' mails")

    assert smtp.mailbox.recipients() == [FABIO, MARCIA]
    for address in (FABIO, MARCIA):
        [mail] = smtp.mailbox.to(address)
        assert mail.subject == REQUEST_SUBJECT
        assert mail.message["From"] == "Aval <aval@demo.test>"
        link = f"{BASE_URL}/portal/approvals/{request_id}"
        assert f"Aprove ou reprove aqui: {link}" in mail.text
        assert f'href="{link}"' in mail.html
        assert "Bruno Agente pede sua aprovação para a ação “Reembolso” no chamado #1" in mail.text
        assert "Cliente pagou duas vezes." in mail.text
    for nobody in (JOAO, LIVIA, "olga@outra.test", "ivo@filial.test", BRUNO):
        assert smtp.mailbox.to(nobody) == []
    assert {(m.recipient_email, m.status) for m in emails(desk)} == {(FABIO, "sent"), (MARCIA, "sent")}
    assert all(m.sent_at is not None and m.attempts == 1 and m.claimed_until is None for m in emails(desk))


def test_each_manager_reads_the_mail_in_their_own_language(desk: Desk, smtp: SmtpServer) -> None:
    desk.run(auth.set_locale, desk.customer(FABIO), "en")

    with running(desk.worker(smtp.sender())):
        request_id = desk.request(BRUNO, 1)
        wait_until(lambda: smtp.mailbox.count >= 2, what="two mails")

    [english] = smtp.mailbox.to(FABIO)
    assert english.subject == "[Aval] Ticket #1: approval requested — Reembolso"
    assert "Bruno Agente asks for your approval of the action “Reembolso” on ticket #1" in english.text
    assert f"Approve or reject it here: {BASE_URL}/portal/approvals/{request_id}" in english.text
    assert 'lang="en"' in english.html
    [portuguese] = smtp.mailbox.to(MARCIA)
    assert portuguese.subject == REQUEST_SUBJECT
    assert 'lang="pt-BR"' in portuguese.html


def test_user_text_arrives_escaped_in_the_html_part(desk: Desk, smtp: SmtpServer) -> None:
    ana = desk.agent(ANA)
    evil_action = "<script>alert('ação')</script>"
    desk.run(admin.create_action, ana, evil_action, "<img src=x onerror=alert(1)>")
    evil_note = 'Nota <b>forte</b> & "aspas"'
    evil_reason = "<script>document.location='https://evil.test'</script>"

    with running(desk.worker(smtp.sender())):
        request_id = desk.request(BRUNO, 1, action=evil_action, note=evil_note)
        wait_until(lambda: smtp.mailbox.count >= 2, what="the managers' mails")
        desk.run(approvals.reject, desk.customer(FABIO), request_id, evil_reason)
        wait_until(lambda: len(smtp.mailbox.to(BRUNO)) >= 1, what="bruno's mail")

    [to_manager] = smtp.mailbox.to(MARCIA)
    [to_agent] = smtp.mailbox.to(BRUNO)
    for mail in (to_manager, to_agent):
        assert "<script>" not in mail.html
        assert "&lt;script&gt;alert(&#x27;ação&#x27;)&lt;/script&gt;" in mail.html
        assert evil_action in mail.text  # the plain text carries it as typed
        assert evil_action in mail.subject
    assert "<img" not in to_manager.html and "&lt;img src=x onerror=alert(1)&gt;" in to_manager.html
    assert "&lt;b&gt;forte&lt;/b&gt; &amp; &quot;aspas&quot;" in to_manager.html
    assert "&lt;script&gt;document.location=&#x27;https://evil.test&#x27;&lt;/script&gt;" in to_agent.html
    assert f"Motivo: {evil_reason}" in to_agent.text


def test_the_agent_who_is_both_assignee_and_requester_gets_one_mail(desk: Desk, smtp: SmtpServer) -> None:
    with running(desk.worker(smtp.sender())):
        request_id = desk.request(BRUNO, 1)  # ticket #1 is assigned to bruno
        wait_until(lambda: smtp.mailbox.count >= 2, what="the managers' mails")
        desk.run(approvals.approve, desk.customer(FABIO), request_id)
        wait_until(lambda: smtp.mailbox.count >= 3 and desk.settled(), what="the agent's mail")
        time.sleep(0.2)  # a second mail would have had time to come

    [mail] = smtp.mailbox.to(BRUNO)
    assert mail.subject == "[Aval] Chamado #1: ação Reembolso aprovada por Fábio Gerente"
    assert "Fábio Gerente aprovou a ação “Reembolso” no chamado #1" in mail.text
    assert "Decidida por: Fábio Gerente" in mail.text
    assert "Decisão: A ação foi aprovada." in mail.text
    decided_at = datetime.fromisoformat(
        str(desk.scalar("SELECT decided_at FROM action_requests WHERE id = :i", i=request_id))
    )
    # The reader's day in São Paulo (the default zone), not UTC's: from 21:00 there they differ.
    local_day = decided_at.replace(tzinfo=decided_at.tzinfo or UTC).astimezone(ZoneInfo("America/Sao_Paulo"))
    assert mail.text.split("Decidida em: ")[1][:10] == local_day.strftime("%d/%m/%Y")
    assert f"Abrir o chamado: {BASE_URL}/agent/tickets/1" in mail.text
    assert smtp.mailbox.count == 3


def test_assignee_and_requester_each_get_the_rejection_with_its_reason(desk: Desk, smtp: SmtpServer) -> None:
    with running(desk.worker(smtp.sender())):
        request_id = desk.request(CARLA, 2, action="Reiniciar produção")  # #2 is assigned to bruno
        desk.run(approvals.reject, desk.customer(MARCIA), request_id, "Fora da janela de manutenção.")
        wait_until(lambda: smtp.mailbox.count >= 4 and desk.settled(), what="four mails")

    for agent in (BRUNO, CARLA):
        [mail] = smtp.mailbox.to(agent)
        assert mail.subject == "[Aval] Chamado #2: ação Reiniciar produção reprovada por Márcia Gerente"
        assert "Motivo: Fora da janela de manutenção." in mail.text
        assert "Fora da janela de manutenção." in mail.html
        assert f"{BASE_URL}/agent/tickets/2" in mail.text
    assert smtp.mailbox.count == 4


def test_a_rejection_without_reason_says_so(desk: Desk, smtp: SmtpServer) -> None:
    with running(desk.worker(smtp.sender())):
        request_id = desk.request(BRUNO, 1)
        desk.run(approvals.reject, desk.customer(MARCIA), request_id, "")
        wait_until(lambda: len(smtp.mailbox.to(BRUNO)) == 1, what="bruno's mail")

    assert "Motivo: Nenhum motivo informado." in smtp.mailbox.to(BRUNO)[0].text


def test_smtp_down_delays_mail_and_loses_none(desk: Desk, mailbox: Mailbox) -> None:
    server = SmtpServer(mailbox)  # not started: connections are refused
    try:
        with running(desk.worker(server.sender())):
            first = desk.request(BRUNO, 1)
            desk.request(BRUNO, 2)
            desk.run(approvals.approve, desk.customer(FABIO), first)
            wait_until(
                lambda: len(emails(desk)) == 5 and all(m.attempts >= 2 for m in emails(desk)),
                what="every mail tried twice",
            )
            queued = emails(desk)
            assert all(m.status == OutboxStatus.PENDING for m in queued)
            assert all("cannot talk to SMTP server" in m.last_error for m in queued)
            assert mailbox.count == 0

            server.start()
            wait_until(lambda: mailbox.count >= 5 and desk.settled(), what="the mails after the server came back")
            time.sleep(0.3)  # retries of already sent mails would show up now
    finally:
        server.stop()

    assert Counter(mailbox.recipients()) == {FABIO: 2, MARCIA: 2, BRUNO: 1}
    assert len({(mail.to[0], mail.subject) for mail in mailbox.mails}) == 5
    assert all(m.status == OutboxStatus.SENT and m.last_error == "" for m in emails(desk))


def test_a_restarted_worker_sends_the_rest_and_nothing_twice(desk: Desk, smtp: SmtpServer) -> None:
    smtp.mailbox.delay = 0.1  # a slow server: the stop lands in the middle of the queue
    for ticket in (1, 2, 3):
        desk.request(BRUNO, ticket)
    assert len(emails(desk)) == 6

    first = desk.worker(smtp.sender(), batch_size=3)
    with running(first):
        wait_until(lambda: smtp.mailbox.count >= 2, what="the first mails")
    sent_before_restart = smtp.mailbox.count
    assert 2 <= sent_before_restart < 6
    # The stop gave back what it had claimed: another worker may take it at once.
    assert all(m.claimed_until is None for m in emails(desk))
    assert sum(m.status == OutboxStatus.SENT for m in emails(desk)) == sent_before_restart

    with running(desk.worker(smtp.sender())):
        wait_until(lambda: smtp.mailbox.count >= 6 and desk.settled(), what="the rest of the mails")
        time.sleep(0.3)

    assert Counter(smtp.mailbox.recipients()) == {FABIO: 3, MARCIA: 3}
    assert len({mail.subject for mail in smtp.mailbox.mails}) == 3  # one per ticket, each to both
    assert all(m.status == OutboxStatus.SENT for m in emails(desk))


def test_mail_claimed_by_a_crashed_worker_goes_out_when_its_lease_ends(desk: Desk, smtp: SmtpServer) -> None:
    desk.request(BRUNO, 1)
    # A worker that claimed the mails and died before sending them (no stop, no release).
    claimed = desk.run(outbox.claim_due, 10, timedelta(seconds=1))
    assert {m.recipient_email for m in claimed if m.channel == Channel.EMAIL} == {FABIO, MARCIA}
    assert desk.run(outbox.claim_due, 10, timedelta(seconds=1)) == []  # nobody else takes them meanwhile
    started = time.monotonic()

    with running(desk.worker(smtp.sender())):
        wait_until(lambda: smtp.mailbox.count >= 2 and desk.settled(), what="the mails after the lease")

    assert time.monotonic() - started >= 0.5
    assert smtp.mailbox.recipients() == [FABIO, MARCIA]


def test_a_refused_recipient_fails_at_once_and_others_still_get_theirs(desk: Desk, mailbox: Mailbox) -> None:
    mailbox.refuse = {FABIO: "550 5.1.1 mailbox unavailable"}
    server = SmtpServer(mailbox)
    server.start()
    try:
        with running(desk.worker(server.sender())):
            desk.request(BRUNO, 1)
            wait_until(desk.settled, what="both mails handled")
    finally:
        server.stop()

    by_recipient = {m.recipient_email: m for m in emails(desk)}
    assert by_recipient[FABIO].status == OutboxStatus.FAILED
    assert by_recipient[FABIO].attempts == 1
    assert "550" in by_recipient[FABIO].last_error
    assert by_recipient[MARCIA].status == OutboxStatus.SENT
    assert mailbox.recipients() == [MARCIA]


def test_mail_is_given_up_after_the_last_attempt(desk: Desk, mailbox: Mailbox) -> None:
    server = SmtpServer(mailbox)  # never started
    policy = RetryPolicy(base=timedelta(seconds=0.01), cap=timedelta(seconds=0.02), max_attempts=3)
    with running(desk.worker(server.sender(), retry=policy)):
        desk.request(BRUNO, 1)
        wait_until(desk.settled, what="the mails to be given up")

    assert [(m.status, m.attempts) for m in emails(desk)] == [(OutboxStatus.FAILED, 3)] * 2
    assert all("cannot talk to SMTP server" in m.last_error for m in emails(desk))


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base=timedelta(seconds=10), cap=timedelta(hours=1), max_attempts=12)
    delays = [policy.delay(n).total_seconds() for n in range(1, 13)]
    assert delays[:6] == [10, 20, 40, 80, 160, 320]
    assert delays[-1] == 3600 and max(delays) == 3600
    assert policy.delay(10_000) == timedelta(hours=1)


def test_without_smtp_mail_is_held_then_sent_once_smtp_is_configured(desk: Desk, smtp: SmtpServer) -> None:
    with running(desk.worker(None)):
        desk.request(BRUNO, 1)
        wait_until(desk.settled, what="the mails to be held")
    held = emails(desk)
    assert [(m.status, m.last_error, m.attempts) for m in held] == [
        (OutboxStatus.HELD, "not sent: no SMTP configured", 0)
    ] * 2
    assert smtp.mailbox.count == 0

    # The app restarts with AVAL_SMTP_HOST set.
    with running(desk.worker(smtp.sender())):
        wait_until(lambda: smtp.mailbox.count >= 2 and desk.settled(), what="the held mails")

    assert smtp.mailbox.recipients() == [FABIO, MARCIA]
    assert all(m.status == OutboxStatus.SENT and m.last_error == "" for m in emails(desk))


def test_an_admin_retry_sends_a_failed_mail_again(desk: Desk, mailbox: Mailbox) -> None:
    server = SmtpServer(mailbox)
    policy = RetryPolicy(base=timedelta(seconds=0.01), cap=timedelta(seconds=0.02), max_attempts=1)
    worker = desk.worker(server.sender(), retry=policy, poll_interval=30)  # only a wake-up makes it look
    try:
        with running(worker):
            desk.request(BRUNO, 1)
            wait_until(desk.settled, what="the mails to fail")
            failed = emails(desk)
            assert {m.status for m in failed} == {OutboxStatus.FAILED}
            with pytest.raises(Forbidden):
                desk.run(push.retry_message, desk.agent(BRUNO), failed[0].id)

            server.start()
            desk.run(push.retry_message, desk.agent(ANA), failed[0].id)
            wait_until(lambda: mailbox.count == 1, timeout=5, what="the retried mail (woken, not polled)")
    finally:
        server.stop()

    assert mailbox.recipients() == [failed[0].recipient_email]


def test_closing_the_ticket_sends_no_mail_to_agents(desk: Desk, smtp: SmtpServer) -> None:
    """Expiry and agents' cancellations update screens only (spec §6); no mail."""
    with running(desk.worker(smtp.sender())):
        desk.request(BRUNO, 1)
        desk.run(tickets.set_status, desk.agent(BRUNO), 1, TicketStatus.CLOSED)
        wait_until(lambda: smtp.mailbox.count >= 2 and desk.settled(), what="the managers' mails")
        time.sleep(0.2)

    assert smtp.mailbox.recipients() == [FABIO, MARCIA]
