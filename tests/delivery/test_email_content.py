"""What each notification says, in the recipient's language, with user text escaped in the
HTML part (delivery/messages.py). The end-to-end tests over SMTP are in test_outbox_worker.py."""

from __future__ import annotations

from datetime import UTC, datetime

from delivery.messages import link, render_email, render_push
from domain.model import Channel, OutboxMessage
from tests.mail_links import anchors

BASE = "https://help.example.test"


def created(locale: str | None = None, **payload: object) -> OutboxMessage:
    return OutboxMessage(
        dedup_key="k",
        channel=Channel.EMAIL,
        kind="request_created",
        recipient_kind="customer",
        recipient_id=7,
        recipient_email="fabio.gerente@demo.test",
        locale=locale,
        payload={
            "request_id": 31,
            "ticket_number": 12,
            "ticket_subject": "Impressora parada",
            "action_name": "Reembolso",
            "action_description": "Devolver o valor cobrado.",
            "note": "Cobrado em dobro.\nVer fatura 3.",
            "state": "awaiting_approval",
            "reason": "",
            "requested_by_name": "Bruno Agente",
            "path": "/portal/approvals/31",
            **payload,
        },
    )


def evaluated(state: str, reason: str = "", locale: str | None = None) -> OutboxMessage:
    return OutboxMessage(
        dedup_key="k2",
        channel=Channel.EMAIL,
        kind="request_evaluated",
        recipient_kind="agent",
        recipient_id=2,
        recipient_email="bruno.agente@demo.test",
        locale=locale,
        payload={
            "request_id": 31,
            "ticket_number": 12,
            "ticket_subject": "Impressora parada",
            "action_name": "Reembolso",
            "action_description": "",
            "note": "",
            "state": state,
            "reason": reason,
            "decided_by_name": "Fábio Gerente",
            "decided_at": datetime(2026, 3, 5, 14, 30, tzinfo=UTC).isoformat(),
            "path": "/agent/tickets/12",
        },
    )


def test_request_created_in_portuguese() -> None:
    mail = render_email(created(), BASE, "pt_BR")

    assert mail.to == "fabio.gerente@demo.test"
    assert mail.subject == "[Aval] Chamado #12: aprovação solicitada — Reembolso"
    assert mail.text.startswith(
        "Bruno Agente pede sua aprovação para a ação “Reembolso” no chamado #12 — Impressora parada.\n"
    )
    assert "Descrição: Devolver o valor cobrado.\n" in mail.text
    assert "Observação do atendente: Cobrado em dobro.\nVer fatura 3.\n" in mail.text
    assert f"Aprove ou reprove aqui: {BASE}/portal/approvals/31" in mail.text
    assert mail.html is not None and f'<a href="{BASE}/portal/approvals/31">Aprove ou reprove aqui</a>' in mail.html


def test_the_recipient_s_language_wins_over_the_installation_s() -> None:
    mail = render_email(created(locale="en"), BASE, "pt_BR")
    assert mail.subject == "[Aval] Ticket #12: approval requested — Reembolso"
    assert "Note from the agent: Cobrado em dobro." in mail.text
    # No choice of their own (or one this version does not ship): the installation's language.
    assert render_email(created(locale=None), BASE, "en").subject.startswith("[Aval] Ticket #12")
    assert render_email(created(locale="de"), BASE, "pt_BR").subject.startswith("[Aval] Chamado #12")


def test_approval_names_who_decided_and_when() -> None:
    mail = render_email(evaluated("approved"), BASE, "pt_BR")
    assert mail.subject == "[Aval] Chamado #12: ação Reembolso aprovada por Fábio Gerente"
    # 14:30 UTC is 11:30 in São Paulo, the installation's zone: the reader picked none.
    assert "Fábio Gerente aprovou a ação “Reembolso” no chamado #12 — Impressora parada, em 05/03/2026 11:30." in (
        mail.text
    )
    assert "Decidida em: 05/03/2026 11:30" in mail.text
    assert "UTC" not in mail.text
    assert "Motivo" not in mail.text
    assert f"Abrir o chamado: {BASE}/agent/tickets/12" in mail.text

    english = render_email(evaluated("approved", locale="en"), BASE, "pt_BR")
    assert english.subject == "[Aval] Ticket #12: action Reembolso approved by Fábio Gerente"
    assert "Decided at: 3/5/26, 11:30\u202fAM" in english.text


def test_the_recipient_s_time_zone_wins_over_the_installation_s() -> None:
    message = evaluated("approved", locale="en")
    message.payload["timezone"] = "America/New_York"  # UTC-5 on 5 March 2026
    assert "Decided at: 3/5/26, 9:30\u202fAM" in render_email(message, BASE, "pt_BR").text


def test_rejection_carries_the_reason() -> None:
    mail = render_email(evaluated("rejected", "Sem orçamento\neste mês."), BASE, "pt_BR")
    assert mail.subject == "[Aval] Chamado #12: ação Reembolso reprovada por Fábio Gerente"
    assert "Decisão: A ação foi reprovada." in mail.text
    assert "Motivo: Sem orçamento\neste mês." in mail.text
    assert mail.html is not None and "Sem orçamento\neste mês." in mail.html
    assert "Motivo: Nenhum motivo informado." in render_email(evaluated("rejected"), BASE, "pt_BR").text


def test_every_user_text_is_escaped_in_html_and_kept_in_text() -> None:
    evil = '<script>alert("x")</script>'
    message = created(
        ticket_subject=f"Assunto {evil}",
        action_name=f"Ação {evil}",
        action_description=evil,
        note=evil,
        requested_by_name=f"Bruno {evil}",
    )
    mail = render_email(message, BASE, "pt_BR")
    assert mail.html is not None
    assert "<script>" not in mail.html
    assert mail.html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 6
    assert mail.text.count(evil) >= 6

    rejected = evaluated("rejected", reason=evil)
    rejected.payload["decided_by_name"] = "<b>Fábio</b>"
    html = render_email(rejected, BASE, "pt_BR").html
    assert html is not None and "<script>" not in html and "<b>" not in html


def test_link_joins_base_url_and_path_once() -> None:
    assert link(created(), "https://help.example.test/") == "https://help.example.test/portal/approvals/31"
    assert link(created(path="agent/tickets/3"), BASE) == f"{BASE}/agent/tickets/3"


def test_push_payload_is_short_and_links_to_the_request() -> None:
    note = render_push(created(), BASE, "pt_BR")
    assert note.title == "Ação aguardando sua aprovação"
    assert note.body == "Chamado #12 — Impressora parada: Bruno Agente pede aprovação para Reembolso."
    assert note.url == f"{BASE}/portal/approvals/31"

    decided = render_push(evaluated("approved", locale="en"), BASE, "pt_BR")
    assert decided.title == "Ticket #12: action Reembolso approved by Fábio Gerente"
    assert decided.url == f"{BASE}/agent/tickets/12"


def test_an_unknown_kind_still_reads_sensibly() -> None:
    message = created()
    message.kind = "something_newer"
    mail = render_email(message, BASE, "pt_BR")
    assert mail.subject == "[Aval] Chamado #12: Reembolso"
    assert f"{BASE}/portal/approvals/31" in mail.text


def test_the_request_mail_carries_aprovar_and_reprovar_buttons_and_keeps_the_request_link() -> None:
    """Spec §11: two real buttons in the HTML, the two URLs in the text part, and the
    link to the request as before."""
    message = created(approve_path="/e/" + "a" * 43, reject_path="/e/" + "r" * 43)
    mail = render_email(message, BASE, "pt_BR")

    found = anchors(mail.html or "")
    assert ("Aprovar", f"{BASE}/e/{'a' * 43}") in found
    assert ("Reprovar", f"{BASE}/e/{'r' * 43}") in found
    assert ("Aprove ou reprove aqui", f"{BASE}/portal/approvals/31") in found
    assert f"Aprovar: {BASE}/e/{'a' * 43}" in mail.text
    assert f"Reprovar: {BASE}/e/{'r' * 43}" in mail.text


def test_admins_never_read_a_managers_decision_links() -> None:
    """The outbox page shows held mail to admins; an admin must not be able to decide as
    the manager, so the links are left out of what it shows."""
    from delivery.messages import without_links

    message = created(approve_path="/e/" + "a" * 43, reject_path="/e/" + "r" * 43)
    shown = render_email(without_links(message), BASE, "pt_BR")
    assert "/e/" not in shown.text and "/e/" not in (shown.html or "")
    assert f"{BASE}/portal/approvals/31" in shown.text
    assert message.payload["approve_path"]  # the stored message keeps them for sending


def test_a_reminder_push_carries_aprovar_and_reprovar_actions_and_its_mail_the_buttons() -> None:
    """A reminder minted fresh links for its manager: its notification offers the same two
    buttons as the request's, each opening that manager's page; its mail shows them."""
    import dataclasses

    message = dataclasses.replace(
        created(approve_path="/e/" + "a" * 43, reject_path="/e/" + "r" * 43),
        kind="request_reminder",
        channel=Channel.PUSH,
    )
    push = render_push(message, BASE, "pt_BR")
    assert [(a.action, a.title, a.url) for a in push.actions] == [
        ("approve", "Aprovar", f"{BASE}/e/{'a' * 43}"),
        ("reject", "Reprovar", f"{BASE}/e/{'r' * 43}"),
    ]
    assert push.url == f"{BASE}/portal/approvals/31"
    mail = render_email(message, BASE, "en")
    assert f"Approve: {BASE}/e/{'a' * 43}" in mail.text and f"Reject: {BASE}/e/{'r' * 43}" in mail.text
    without = dataclasses.replace(message, payload={"request_id": 31, "path": "/portal/approvals/31"})
    assert render_push(without, BASE, "pt_BR").actions == ()  # a reminder queued before this version
