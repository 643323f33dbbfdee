"""/agent/admin/outbox in the demo (no SMTP configured): the account manager reads every
mail the help desk would have sent, in full; other agents are refused."""

from __future__ import annotations

import asyncio

from nicegui.testing import User

from domain import approvals
from domain.access import Actor
from domain.demo import DEMO_PASSWORD
from domain.service import Services
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
    await user.should_see("não enviada: nenhum SMTP configurado", retries=100)
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
    await user.should_see("não enviada: nenhum SMTP configurado", retries=100)


async def test_an_agent_who_is_not_the_account_manager_is_refused(user: User) -> None:
    await asyncio.to_thread(request_as_bruno, ctx().services, 1, "")

    await login(user, "bruno.agente@demo.test")
    await user.should_see(marker="forbidden", retries=100)
    await user.should_not_see("[Aval] Chamado #1: aprovação solicitada — Reembolso")
    await user.should_not_see("marcia.gerente@demo.test")
