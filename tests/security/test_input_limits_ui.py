"""Empty, oversized and unusual input on the real forms (limits from domain/validation.py):
each refusal is a clear message and stores nothing, not even half; what is accepted is
stored whole, as typed (NFC), emoji, joiners and combining marks included."""

from __future__ import annotations

import pytest
from nicegui import ElementFilter
from nicegui.testing import User
from security_support import (
    ANA,
    BRUNO,
    FABIO,
    JOAO,
    action_id,
    agent,
    customer,
    in_thread,
    login_agent,
    login_portal,
    snapshot,
)

from domain import admin, approvals, tickets
from domain.model import RequestState
from domain.validation import LONG_TEXT_MAX, NAME_MAX, NOTE_MAX, SHORT_TEXT_MAX, SUBJECT_MAX
from domain.views import TicketFilter

NUL = "com\x00nulo"
LONE_SURROGATE = "meio\ud800surrogate"
RTL_OVERRIDE = "Fatura\u202egpj.exe"
BELL = "sino\x07"
ZERO_WIDTH_ONLY = "\u200b\u200d\u2060"
# Accepted: emoji with a zero-width joiner sequence, a decomposed accent (stored composed).
FAMILY = "👩\u200d👩\u200d👧"
COMPOSED = "Joa\u0303o e\u0301 ok " + FAMILY


def required(field: str) -> str:
    return f"O campo {field} é obrigatório."


def too_long(field: str, limit: int) -> str:
    return f"O campo {field} é longo demais (no máximo {limit} caracteres)."


def not_allowed(field: str) -> str:
    return f"O campo {field} contém caracteres não permitidos."


def fill(user: User, marker: str, value: str) -> None:
    user.find(marker=marker).clear()
    if value:
        user.find(marker=marker).type(value)


def submit(user: User, button: str) -> None:
    """Clicks, after wiping the previous answer: a refusal that repeats the last one's
    words must still be this click's own."""
    with user:
        for line in ElementFilter(marker="dialog-error", local_scope=False):
            line.set_text("")  # type: ignore[attr-defined]
    user.notify.messages.clear()
    user.find(marker=button).click()


async def says(user: User, message: str) -> None:
    await user.should_see(message, retries=100)
    user.notify.messages.clear()  # the next case must show its own message


async def ticket_total() -> int:
    return (await in_thread(tickets.list_tickets, await agent(ANA), TicketFilter(per_page=1))).total


async def test_agent_new_ticket_form(user: User) -> None:
    await login_agent(user, BRUNO)
    before = await ticket_total()
    user.find(marker="new-ticket").click()
    await user.should_see(marker="new-ticket-dialog", retries=100)
    user.find(marker="new-ticket-customer").click()
    user.find("João Cliente <joao.cliente@demo.test>").click()
    cases = [
        ("", "texto", required("Assunto")),
        (ZERO_WIDTH_ONLY, "texto", required("Assunto")),
        ("x" * (SUBJECT_MAX + 1), "texto", too_long("Assunto", SUBJECT_MAX)),
        (NUL, "texto", not_allowed("Assunto")),
        (LONE_SURROGATE, "texto", not_allowed("Assunto")),
        (RTL_OVERRIDE, "texto", not_allowed("Assunto")),
        ("ok", "y" * (LONG_TEXT_MAX + 1), too_long("Descrição", LONG_TEXT_MAX)),
        ("ok", "linha\n" + BELL, not_allowed("Descrição")),
    ]
    for subject, description, message in cases:
        fill(user, "new-ticket-subject", subject)
        fill(user, "new-ticket-description", description)
        submit(user, "new-ticket-create")
        await says(user, message)
        assert await ticket_total() == before, subject[:20]
    # The limits themselves are allowed, and unusual but harmless text is kept as typed.
    fill(user, "new-ticket-subject", COMPOSED + "s" * (SUBJECT_MAX - len("João é ok " + FAMILY)))
    fill(user, "new-ticket-description", RTL_OVERRIDE + "\n" + "d" * (LONG_TEXT_MAX - len(RTL_OVERRIDE) - 1))
    user.find(marker="new-ticket-create").click()
    await user.should_see(marker="history", retries=100)
    assert await ticket_total() == before + 1
    view = await in_thread(tickets.ticket_view, await agent(ANA), before + 1)
    assert view.ticket.subject.startswith("João é ok " + FAMILY) and len(view.ticket.subject) == SUBJECT_MAX
    assert len(view.ticket.description) == LONG_TEXT_MAX and view.ticket.description.startswith(RTL_OVERRIDE)


async def test_agent_reply_box(user: User) -> None:
    await login_agent(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    before = await snapshot((1,))
    for body, message in (
        ("", required("Resposta")),
        ("   \n  ", required("Resposta")),
        ("r" * (LONG_TEXT_MAX + 1), too_long("Resposta", LONG_TEXT_MAX)),
        (NUL, not_allowed("Resposta")),
        (LONE_SURROGATE, not_allowed("Resposta")),
    ):
        fill(user, "reply-body", body)
        submit(user, "reply-send")
        await says(user, message)
        assert await snapshot((1,)) == before
    fill(user, "reply-body", "Olá " + FAMILY + " e\u0301")
    user.find(marker="reply-send").click()
    await user.should_see("Olá " + FAMILY + " é", retries=100)


async def test_portal_new_ticket_and_reply(user: User) -> None:
    await login_portal(user, JOAO)
    before = await ticket_total()
    user.find(marker="ticket-list").trigger("new_ticket")  # its "Novo chamado" button
    for subject, description, message in (
        ("", "x", required("Assunto")),
        ("s" * (SUBJECT_MAX + 1), "x", too_long("Assunto", SUBJECT_MAX)),
        (RTL_OVERRIDE, "x", not_allowed("Assunto")),
        ("ok", "d" * (LONG_TEXT_MAX + 1), too_long("Descrição", LONG_TEXT_MAX)),
        ("ok", NUL, not_allowed("Descrição")),
    ):
        fill(user, "new-subject", subject)
        fill(user, "new-description", description)
        submit(user, "create-ticket")
        await says(user, message)
        assert await ticket_total() == before
    await user.open("/portal/tickets/1")
    await user.should_see(marker="reply-body", retries=100)
    history = await snapshot((1,))
    for body, message in (
        ("", required("Resposta")),
        ("r" * (LONG_TEXT_MAX + 1), too_long("Resposta", LONG_TEXT_MAX)),
        (LONE_SURROGATE, not_allowed("Resposta")),
    ):
        fill(user, "reply-body", body)
        submit(user, "send-reply")
        await says(user, message)
        assert await snapshot((1,)) == history


async def test_create_action_form(user: User) -> None:
    await login_agent(user, ANA, then="/agent/admin/settings")
    ana = await agent(ANA)
    catalog = [a.name for a in await in_thread(admin.list_catalog, ana)]
    user.find(marker="create-action").click()
    await user.should_see(marker="action-dialog", retries=100)
    for name, description, message in (
        ("", "", required("Nome")),
        (ZERO_WIDTH_ONLY, "", required("Nome")),
        ("n" * (NAME_MAX + 1), "", too_long("Nome", NAME_MAX)),
        # Short on screen, but its case- and accent-free key would not fit its column.
        ("\ufdfa" * 10, "", too_long("Nome", NAME_MAX)),
        (NUL, "", not_allowed("Nome")),
        (RTL_OVERRIDE, "", not_allowed("Nome")),
        ("Nova", "d" * (SHORT_TEXT_MAX + 1), too_long("Descrição", SHORT_TEXT_MAX)),
        ("REEMBÓLSO", "", "Já existe uma ação chamada “Reembolso”."),
    ):
        fill(user, "action-name", name)
        fill(user, "action-description", description)
        submit(user, "action-save")
        await says(user, message)
        assert [a.name for a in await in_thread(admin.list_catalog, ana)] == catalog
    fill(user, "action-name", "Trocar 🔧 peça" + "\u0301")
    fill(user, "action-description", "d" * SHORT_TEXT_MAX)
    user.find(marker="action-save").click()
    await user.should_not_see(marker="action-dialog", retries=100)
    assert len(await in_thread(admin.list_catalog, ana)) == len(catalog) + 1


async def test_request_note(user: User) -> None:
    await login_agent(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    before = await snapshot((1,))
    user.find(marker="request-action").click()
    await user.should_see(marker="request-dialog", retries=100)
    with user.scope(marker="request-dialog"):
        user.find(marker="request-action-select").click()
        user.find("Reembolso").click()
    for note, message in (
        ("n" * (NOTE_MAX + 1), too_long("Observação", NOTE_MAX)),
        (NUL, not_allowed("Observação")),
        (LONE_SURROGATE, not_allowed("Observação")),
    ):
        fill(user, "request-note", note)
        submit(user, "request-send")
        await says(user, message)
        assert await snapshot((1,)) == before
    fill(user, "request-note", "n" * NOTE_MAX)
    user.find(marker="request-send").click()
    await user.should_see("Aguardando Aprovação", retries=100)


async def test_reject_reason(user: User) -> None:
    reembolso = await action_id("Reembolso")
    request_id = await in_thread(approvals.request_action, await agent(BRUNO), 1, reembolso, "")
    await login_portal(user, FABIO)
    before = await snapshot((1,))
    for reason, message in (
        ("m" * (NOTE_MAX + 1), too_long("Motivo", NOTE_MAX)),
        (NUL, not_allowed("Motivo")),
    ):
        await user.open(f"/portal/approvals/{request_id}")
        user.find(marker="reject").click()
        await user.should_see(marker="confirm-reject", retries=50)
        user.find(marker="confirm-reject-reason").type(reason)
        submit(user, "confirm-reject")
        await says(user, message)
        assert await snapshot((1,)) == before
    _detail, row = await in_thread(approvals.request_for_manager, await customer(FABIO), request_id)
    assert row.state == RequestState.AWAITING_APPROVAL


@pytest.mark.parametrize("form", ["organization", "customer", "agent"])
async def test_people_and_organization_forms(user: User, form: str) -> None:
    pages = {"organization": "organizations", "customer": "customers", "agent": "agents"}
    await login_agent(user, ANA, then=f"/agent/admin/{pages[form]}")
    ana = await agent(ANA)

    async def everyone() -> tuple[int, int, int]:
        return (
            len(await in_thread(admin.list_organizations, ana)),
            len(await in_thread(admin.list_customers, ana)),
            len(await in_thread(admin.list_agents, ana)),
        )

    before = await everyone()
    user.find(marker=f"new-{form}").click()
    await user.should_see(marker=f"{form}-dialog", retries=100)
    cases = [
        ("", required("Nome")),
        (ZERO_WIDTH_ONLY, required("Nome")),
        ("p" * (NAME_MAX + 1), too_long("Nome", NAME_MAX)),
        (NUL, not_allowed("Nome")),
        (RTL_OVERRIDE, not_allowed("Nome")),
        (LONE_SURROGATE, not_allowed("Nome")),
    ]
    if form != "organization":
        fill(user, f"{form}-email", "nova.pessoa@demo.test")
        fill(user, f"{form}-password", "senha-segura-1")
    for name, message in cases:
        fill(user, f"{form}-name", name)
        submit(user, f"{form}-save")
        await says(user, message)
        assert await everyone() == before
    if form != "organization":
        fill(user, f"{form}-name", "Pessoa Nova")
        for email, message in (
            ("", required("E-mail")),
            ("\u0130" * 200 + "@x.io", too_long("E-mail", 254)),  # "İ" lowercases to two characters
            ("a\u202e@x.io", not_allowed("E-mail")),
            ("sem-arroba", "Informe um endereço de e-mail válido."),
        ):
            fill(user, f"{form}-email", email)
            submit(user, f"{form}-save")
            await says(user, message)
            assert await everyone() == before
        fill(user, f"{form}-email", "nova.pessoa@demo.test")
    fill(user, f"{form}-name", "Zoë \u200dÑandú " + FAMILY)
    user.find(marker=f"{form}-save").click()
    await user.should_not_see(marker=f"{form}-dialog", retries=100)
    await user.should_see("Zoë \u200dÑandú " + FAMILY, retries=100)
    assert sum(await everyone()) == sum(before) + 1
