"""/agent/admin/outbox in the demo (no SMTP configured): the account manager reads every
mail the help desk would have sent, in full; other agents are refused."""

from __future__ import annotations

import asyncio

from nicegui.element import Element
from nicegui.testing import User
from outbox_support import free_port

from delivery.config import SmtpConfig
from delivery.email_sender import EmailMessage, SmtpEmailSender
from delivery.errors import DeliveryError
from domain import approvals, outbox, push
from domain.access import Actor
from domain.demo import DEMO_PASSWORD
from domain.model import Channel
from domain.service import Services
from tests import demo_lookups
from ui.context import ctx

PAGE = "/agent/admin/outbox"


async def login(user: User, email: str) -> None:
    await user.open(f"/agent/login?next={PAGE}")
    user.find("E-mail").type(email)
    user.find("Senha").type(DEMO_PASSWORD)
    user.find("Entrar").click()


def request_as_bruno(services: Services, ticket: int, note: str) -> int:
    def ids(uow) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        with uow:
            bruno = uow.agents.by_email("bruno.agente@demo.test")
            action = next(a for a in uow.catalog.list() if a.name == "Reembolso")
            return bruno.id, action.id

    bruno_id, action_id = services.run(ids)
    return services.run(approvals.request_action, Actor.agent(bruno_id), ticket, action_id, note)


async def test_admin_reads_the_unsent_mail_in_full(user: User) -> None:
    request_id = await asyncio.to_thread(request_as_bruno, ctx().services, 1, "Cliente pagou duas vezes.")

    await login(user, "ana.admin@demo.test")
    await user.should_see("Caixa de saída", retries=100)
    await user.should_see("não enviada: nenhum servidor de e-mail configurado", retries=100)
    await user.should_see("marcia.gerente@demo.test")
    await user.should_see("fabio.gerente@demo.test")
    await user.should_see("[Aval] Chamado #1: aprovação solicitada — Reembolso")
    # The full text, as the manager would read it, with the link to the exact request.
    await user.should_see("Bruno Agente pede sua aprovação para a ação “Reembolso” no chamado #1")
    await user.should_see("Observação do atendente: Cliente pagou duas vezes.")
    await user.should_see(f"/portal/approvals/{request_id}")
    await user.should_see("Não enviada")
    # Managers who never allowed push in a browser get no push message to skip.
    await user.should_not_see("nenhuma inscrição de push")


async def test_a_new_mail_appears_while_the_page_is_open(user: User) -> None:
    await login(user, "ana.admin@demo.test")
    await user.should_see("Nenhuma mensagem.", retries=100)

    await asyncio.to_thread(request_as_bruno, ctx().services, 2, "")

    await user.should_see("[Aval] Chamado #2: aprovação solicitada — Reembolso", retries=100)
    await user.should_see("não enviada: nenhum servidor de e-mail configurado", retries=100)


async def test_an_agent_who_is_not_the_account_manager_is_refused(user: User) -> None:
    await asyncio.to_thread(request_as_bruno, ctx().services, 1, "")

    await login(user, "bruno.agente@demo.test")
    await user.should_see(marker="forbidden", retries=100)
    await user.should_not_see("[Aval] Chamado #1: aprovação solicitada — Reembolso")
    await user.should_not_see("marcia.gerente@demo.test")


def fail_first_mail_against_a_closed_port(services: Services) -> int:
    """One attempt of the real SMTP sender at a port nobody listens on, recorded as the
    outbox worker records it."""

    ana = Actor.agent(services.run(demo_lookups.agent_id, "ana.admin@demo.test"))
    message_id = next(m.id for m in services.run(push.outbox, ana) if m.channel == Channel.EMAIL)
    assert message_id is not None
    sender = SmtpEmailSender(SmtpConfig(host="127.0.0.1", port=free_port(), tls="none", timeout=5))
    try:
        sender.send(EmailMessage(to="marcia.gerente@demo.test", subject="x", text="x", html=None))
    except DeliveryError as error:
        note = outbox.failure_note(error.kind, error.message)
    else:
        raise AssertionError("nobody listens there")
    services.run(outbox.record_failure, message_id, note, permanent=False, policy=outbox.RetryPolicy())
    return message_id


def marked(user: User, marker: str) -> list[Element]:
    assert user.client is not None
    return [element for element in user.client.elements.values() if marker in element._markers]


def inside(element: Element, marker: str) -> bool:
    return any(marker in ancestor._markers for ancestor in element.ancestors())


async def test_a_failure_reads_as_a_sentence_with_the_technical_detail_folded(user: User) -> None:
    await asyncio.to_thread(request_as_bruno, ctx().services, 1, "")
    message_id = await asyncio.to_thread(fail_first_mail_against_a_closed_port, ctx().services)

    await login(user, "ana.admin@demo.test")
    await user.should_see("O servidor de e-mail recusou a conexão.", retries=100)
    [note] = marked(user, f"outbox-note-{message_id}")
    assert note.text == "O servidor de e-mail recusou a conexão."  # type: ignore[attr-defined]
    [detail] = marked(user, f"outbox-detail-{message_id}")
    assert detail.value is False  # type: ignore[attr-defined]  # folded until asked for
    raw = [e for e in user.client.elements.values() if "ConnectionRefusedError" in getattr(e, "text", "")]  # type: ignore[union-attr]
    assert raw and all(inside(e, f"outbox-detail-{message_id}") for e in raw)
    # The setting's name only in the folded setup note, not in the page's own words.
    named = [e for e in user.client.elements.values() if "AVAL_SMTP_HOST" in getattr(e, "text", "")]  # type: ignore[union-attr]
    assert named and all(inside(e, "outbox-setup") for e in named)
