"""The account manager's pages for people and organizations (spec §9): enough to set up a
real account from scratch (AVAL_DEMO=0) — and their refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from agent_support import ANA, CARLA, JOAO, agent, customer, element, login, run_use_case, should_see_within
from nicegui.testing import User

from domain import admin
from domain.model import AgentRole

ADMIN_EMAIL = "dona@acme.test"
ADMIN_PASSWORD = "senha-forte-123"


@pytest.fixture
def empty_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A new installation: no demo, one admin from the environment."""
    monkeypatch.setenv("AVAL_DEMO", "0")
    monkeypatch.setenv("AVAL_ADMIN_EMAIL", ADMIN_EMAIL)
    monkeypatch.setenv("AVAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
    yield


async def fill_and_save(user: User, dialog: str, values: dict[str, str], save: str) -> None:
    await user.should_see(marker=dialog, retries=50)
    with user.scope(marker=dialog):
        for marker, value in values.items():
            user.find(marker=marker).clear().type(value)
        user.find(marker=save).click()
    await user.should_not_see(marker=dialog, retries=200)  # hashing a password takes a moment


async def choose(user: User, marker: str, label: str) -> None:
    select = element(user, marker)
    value = next(key for key, text in select.options.items() if text == label)  # type: ignore[attr-defined]
    select.set_value(value)  # type: ignore[attr-defined]


async def test_setting_up_an_account_from_scratch(empty_account: None, user: User) -> None:
    await login(user, ADMIN_EMAIL, then="/agent/admin/settings", password=ADMIN_PASSWORD)
    await user.should_see("Aprovar Ações em Chamados", retries=100)
    assert element(user, "approvals-switch").value is False  # type: ignore[attr-defined]  # off by default (§2)
    user.find(marker="approvals-switch").click()
    await user.should_see("Configurações salvas.", retries=100)
    user.find(marker="create-action").click()
    await fill_and_save(user, "action-dialog", {"action-name": "Estorno"}, "action-save")

    await user.open("/agent/admin/organizations")
    await user.should_see(marker="new-organization")
    user.find(marker="new-organization").click()
    await fill_and_save(user, "organization-dialog", {"organization-name": "Acme Holding"}, "organization-save")
    await user.should_see("Acme Holding", retries=100)
    user.find(marker="new-organization").click()
    await user.should_see(marker="organization-dialog", retries=50)
    await choose(user, "organization-parent", "Acme Holding")
    await fill_and_save(user, "organization-dialog", {"organization-name": "Acme Sul"}, "organization-save")
    await user.should_see("Organização matriz: Acme Holding", retries=100)

    await user.open("/agent/admin/customers")
    for name, email, manager in (("Gina Gerente", "gina@acme.test", True), ("Hugo Cliente", "hugo@acme.test", False)):
        user.find(marker="new-customer").click()
        await user.should_see(marker="customer-dialog", retries=50)
        await choose(user, "customer-organization", "Acme Sul" if not manager else "Acme Holding")
        if manager:
            user.find(marker="customer-manager").click()
        values = {"customer-name": name, "customer-email": email, "customer-password": "cliente-123"}
        await fill_and_save(user, "customer-dialog", values, "customer-save")
        await user.should_see(name, retries=100)
    await user.should_see("Gerente")

    await user.open("/agent/admin/agents")
    await user.should_see(marker="new-agent")
    user.find(marker="new-agent").click()
    values = {"agent-name": "Igor Atendente", "agent-email": "igor@acme.test", "agent-password": "atende-123"}
    await fill_and_save(user, "agent-dialog", values, "agent-save")
    await user.should_see("Igor Atendente", retries=100)

    # The new agent signs in with the password set here and asks Gina (manager of the parent).
    user.find(marker="app-header").trigger("sign_out")  # the user menu\'s "Sair"
    await login(user, "igor@acme.test", password="atende-123")
    user.find(marker="new-ticket").click()
    await user.should_see(marker="new-ticket-dialog", retries=50)
    hugo = await customer("hugo@acme.test")
    element(user, "new-ticket-customer").set_value(hugo.id)  # type: ignore[attr-defined]
    user.find(marker="new-ticket-subject").type("Primeiro chamado")
    user.find(marker="new-ticket-create").click()
    await user.should_see("Chamado #1", retries=100)
    await user.should_see("Acme Sul (matriz: Acme Holding)", retries=100)
    assert element(user, "request-action").enabled


async def test_an_agent_can_be_made_admin_deactivated_and_given_a_new_password(user: User) -> None:
    carla = await agent(CARLA)
    await login(user, ANA, then="/agent/admin/agents")
    await user.should_see("Carla Agente", retries=100)
    with user.scope(marker=f"agent-{carla.id}"):
        user.find(marker="edit-agent").click()
    await user.should_see(marker="agent-dialog", retries=50)
    element(user, "agent-role").set_value(AgentRole.ADMIN.value)  # type: ignore[attr-defined]
    await fill_and_save(user, "agent-dialog", {"agent-password": "nova-senha-1"}, "agent-save")
    await should_see_within(user, f"agent-{carla.id}", "Gerente da conta")
    with user.scope(marker=f"agent-{carla.id}"):
        user.find(marker="edit-agent").click()
    await user.should_see(marker="agent-dialog", retries=50)
    user.find(marker="agent-active").click()
    await fill_and_save(user, "agent-dialog", {}, "agent-save")
    await should_see_within(user, f"agent-{carla.id}", "Inativo")
    agents = {a.email: a for a in await run_use_case(admin.list_agents, await agent(ANA))}
    assert agents["carla.agente@demo.test"].role == AgentRole.ADMIN
    assert not agents["carla.agente@demo.test"].active


async def test_the_admin_cannot_remove_her_own_access(user: User) -> None:
    ana = await agent(ANA)
    await login(user, ANA, then="/agent/admin/agents")
    await user.should_see("Ana Admin", retries=100)
    with user.scope(marker=f"agent-{ana.id}"):
        user.find(marker="edit-agent").click()
    await user.should_see(marker="agent-dialog", retries=50)
    user.find(marker="agent-active").click()
    user.find(marker="agent-save").click()
    await user.should_see("Você não pode remover o seu próprio acesso de gerente da conta.", retries=100)


async def test_a_customer_is_edited_and_deleted_to_the_trash(user: User) -> None:
    joao = await customer(JOAO)
    await login(user, ANA, then="/agent/admin/customers")
    await user.should_see("João Cliente", retries=100)
    with user.scope(marker=f"customer-{joao.id}"):
        user.find(marker="edit-customer").click()
    await user.should_see(marker="customer-dialog", retries=50)
    await fill_and_save(user, "customer-dialog", {"customer-name": "João da Silva"}, "customer-save")
    await user.should_see("João da Silva", retries=100)
    with user.scope(marker=f"customer-{joao.id}"):
        user.find(marker="trash-customer").click()
    await user.should_see("Mover João da Silva e todos os seus chamados para a lixeira?", retries=50)
    user.find(marker="confirm").click()
    await user.should_see("João da Silva foi movido para a lixeira.", retries=100)
    await user.should_not_see(marker=f"customer-{joao.id}", retries=100)
    await user.open("/agent/trash")
    await user.should_see(marker=f"trash-customer-{joao.id}", retries=100)
    await user.should_see(marker="trash-ticket-1")  # his tickets went along


async def test_a_manager_must_belong_to_an_organization(user: User) -> None:
    await login(user, ANA, then="/agent/admin/customers")
    user.find(marker="new-customer").click()
    await user.should_see(marker="customer-dialog", retries=50)
    user.find(marker="customer-manager").click()
    with user.scope(marker="customer-dialog"):
        user.find(marker="customer-name").type("Sem Empresa")
        user.find(marker="customer-email").type("sem@empresa.test")
        user.find(marker="customer-password").type("senha-123")
        user.find(marker="customer-save").click()
    await user.should_see("Um gerente precisa pertencer a uma organização.", retries=200)
