"""The mails of a request under a multi-answer rule show its progress (spec §13): "1 de 2
aprovações", who approved or rejected and when — in each reader's language and time zone —
as the agent's history and the portal do. Sent through the outbox worker to a real SMTP
server (aiosmtpd); the demo's *Rescindir contrato* is under *Todos os gerentes*, and a
Filial Norte ticket concerns fábio (Filial) and márcia (Matriz, the parent)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from outbox_support import BRUNO, FABIO, MARCIA, Desk, SmtpServer, open_desk, running, wait_until

from domain import admin, approvals, auth, clock, profile, reminders
from domain.model import ApprovalRule
from i18n_time import format_when

ALL_MANAGERS = "Rescindir contrato"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    desk = open_desk(f"sqlite:///{tmp_path / 'progress.sqlite3'}")
    yield desk
    desk.close()


def answered_at(desk: Desk, request_id: int, email: str) -> datetime:
    raw = desk.scalar(
        "SELECT a.at FROM request_answers a JOIN customers c ON c.id = a.customer_id "
        "WHERE a.request_id = :r AND c.email = :e",
        r=request_id,
        e=email,
    )
    moment = datetime.fromisoformat(str(raw))
    return moment.replace(tzinfo=ZoneInfo("UTC")) if moment.tzinfo is None else moment


def local(moment: datetime, zone: str, pattern: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime(pattern)


def test_each_mail_of_an_all_managers_request_shows_who_answered_so_far(desk: Desk, smtp: SmtpServer) -> None:
    # bruno reads English in Lisbon; the managers Portuguese in São Paulo (the default).
    desk.run(auth.set_locale, desk.agent(BRUNO), "en")
    desk.run(profile.set_time_zone, desk.agent(BRUNO), "Europe/Lisbon")

    with running(desk.worker(smtp.sender())):
        request_id = desk.request(BRUNO, 1, action=ALL_MANAGERS)
        wait_until(lambda: smtp.mailbox.count >= 2 and desk.settled(), what="the managers' mails")
        for manager in (FABIO, MARCIA):
            [asked] = smtp.mailbox.to(manager)
            assert "Aprovações até agora: 0 de 2 aprovações\n" in asked.text  # every manager must approve
            assert "Respostas:" not in asked.text

        desk.run(approvals.approve, desk.customer(FABIO), request_id)
        desk.run(reminders.remind_managers, desk.agent(BRUNO), request_id)
        wait_until(lambda: len(smtp.mailbox.to(MARCIA)) >= 2 and desk.settled(), what="márcia's reminder")
        assert len(smtp.mailbox.to(FABIO)) == 1, "fábio answered: no reminder for him"
        assert smtp.mailbox.to(BRUNO) == [], "one approval of two: the agents are not told yet"

        desk.run(approvals.approve, desk.customer(MARCIA), request_id)
        wait_until(lambda: len(smtp.mailbox.to(BRUNO)) >= 1 and desk.settled(), what="bruno's mail")

    fabio_at = answered_at(desk, request_id, FABIO)
    marcia_at = answered_at(desk, request_id, MARCIA)

    reminder = smtp.mailbox.to(MARCIA)[1]
    assert reminder.subject.startswith("[Aval] Lembrete:")
    fabio_line = f"Fábio Gerente aprovou em {local(fabio_at, 'America/Sao_Paulo', '%d/%m/%Y %H:%M')}"
    assert "Aprovações até agora: 1 de 2 aprovações\n" in reminder.text
    assert f"Respostas: {fabio_line}\n" in reminder.text
    assert fabio_line in reminder.html

    [evaluated] = smtp.mailbox.to(BRUNO)
    assert evaluated.subject == "[Aval] Ticket #1: action Rescindir contrato approved by Márcia Gerente"
    assert "Approvals so far: 2 of 2 approvals\n" in evaluated.text
    # Both answers, oldest first, at bruno's Lisbon time in English ("11/30/26, 1:22 PM").
    lines = evaluated.text.split("Answers: ", 1)[1].splitlines()[:2]
    assert [re.sub(r" at .*", "", line) for line in lines] == ["Fábio Gerente approved", "Márcia Gerente approved"]
    for line, moment in zip(lines, (fabio_at, marcia_at), strict=True):
        assert line.endswith(" at " + format_when(moment, "en", "Europe/Lisbon"))
        assert local(moment, "Europe/Lisbon", "%-I:%M") in line  # Lisbon's wall clock, not São Paulo's


def test_a_rejection_mail_names_the_earlier_approvals_with_the_reason(desk: Desk, smtp: SmtpServer) -> None:
    with running(desk.worker(smtp.sender())):
        request_id = desk.request(BRUNO, 1, action=ALL_MANAGERS)
        desk.run(approvals.approve, desk.customer(MARCIA), request_id)
        desk.run(approvals.reject, desk.customer(FABIO), request_id, "O contrato vence em março.")
        wait_until(lambda: len(smtp.mailbox.to(BRUNO)) >= 1 and desk.settled(), what="bruno's mail")

    [mail] = smtp.mailbox.to(BRUNO)
    assert mail.subject == "[Aval] Chamado #1: ação Rescindir contrato reprovada por Fábio Gerente"
    assert "Aprovações até agora: 1 de 2 aprovações\n" in mail.text
    answers = mail.text.split("Respostas: ", 1)[1].splitlines()[:2]
    assert answers[0].startswith("Márcia Gerente aprovou em ")
    assert answers[1].startswith("Fábio Gerente rejeitou em ")
    assert answers[1].endswith(" — O contrato vence em março.")


def test_the_second_stage_is_told_who_approved_the_first(desk: Desk, smtp: SmtpServer) -> None:
    ana = desk.agent("ana.admin@demo.test")
    desk.run(admin.create_action, ana, "Upgrade de plano", "Mudar o cliente de plano.", rule=ApprovalRule.STAGES)

    with running(desk.worker(smtp.sender())):
        request_id = desk.request(BRUNO, 1, action="Upgrade de plano")
        wait_until(lambda: smtp.mailbox.count >= 1 and desk.settled(), what="fábio's mail")
        assert smtp.mailbox.recipients() == [FABIO], "stage one only: the Filial's manager"
        [first] = smtp.mailbox.to(FABIO)
        assert "Aprovações até agora: 0 de 2 etapas aprovadas\n" in first.text

        desk.run(approvals.approve, desk.customer(FABIO), request_id)
        wait_until(lambda: len(smtp.mailbox.to(MARCIA)) >= 1 and desk.settled(), what="márcia's mail")

    [second] = smtp.mailbox.to(MARCIA)
    at = answered_at(desk, request_id, FABIO)
    assert "Aprovações até agora: 1 de 2 etapas aprovadas\n" in second.text
    assert f"Respostas: Fábio Gerente aprovou em {local(at, 'America/Sao_Paulo', '%d/%m/%Y %H:%M')}\n" in second.text


def test_a_mail_names_the_latest_answers_and_counts_the_others() -> None:
    # A request to 1,000 managers: its reminders name the last ten answerers, not 999.
    from delivery.messages import render_email
    from domain.model import Channel, OutboxMessage
    from domain.routing import MAIL_ANSWERS_MAX

    answers = [{"name": f"Gerente {i:03d}", "approved": True, "reason": "", "at": "2026-11-30T13:00:00+00:00",
                "on_behalf_of": None} for i in range(989, 999)]
    answers[-1]["name"] = "<b>Gerente 998</b>"
    message = OutboxMessage(
        dedup_key="k", channel=Channel.EMAIL, kind="request_reminder", recipient_kind="customer", recipient_id=7,
        recipient_email="gerente999@bench.test", locale="pt_BR",
        payload={"request_id": 1, "ticket_number": 1, "ticket_subject": "S", "action_name": "A", "note": "",
                 "requested_at": "2026-11-30T12:00:00+00:00", "path": "/portal/approvals/1",
                 "progress": {"rule": "all", "approvals": 999, "needed": 1000, "answers_count": 999,
                              "answers": answers}},
    )
    mail = render_email(message, "https://aval.example.test", "pt_BR")

    assert len(answers) == MAIL_ANSWERS_MAX
    assert "Aprovações até agora: 999 de 1000 aprovações\n" in mail.text
    assert "Respostas: … mais 989 respostas anteriores (todas na página da solicitação)\n" in mail.text
    assert "Gerente 989 aprovou em 30/11/2026 10:00\n" in mail.text
    assert mail.text.count(" aprovou em ") == 10
    assert "&lt;b&gt;Gerente 998&lt;/b&gt; aprovou em" in (mail.html or "") and "<b>" not in (mail.html or "")


def test_an_expiry_mail_says_how_far_the_answers_had_come(
    desk: Desk, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = clock.now()
    with running(desk.worker(smtp.sender())):
        request_id = desk.run(approvals.request_action, desk.agent(BRUNO), 1, desk.action_id(ALL_MANAGERS), "",
                              started + timedelta(hours=1))
        desk.run(approvals.approve, desk.customer(MARCIA), request_id)
        monkeypatch.setattr(clock, "now", lambda: started + timedelta(hours=2))  # fábio never answered
        desk.run(approvals.expire_overdue)
        wait_until(lambda: len(smtp.mailbox.to(BRUNO)) >= 1 and desk.settled(), what="bruno's mail")

    [mail] = smtp.mailbox.to(BRUNO)
    assert mail.subject == "[Aval] Chamado #1: ação Rescindir contrato expirou — prazo esgotado"
    assert "Aprovações até agora: 1 de 2 aprovações\n" in mail.text
    assert "Respostas: Márcia Gerente aprovou em " in mail.text
