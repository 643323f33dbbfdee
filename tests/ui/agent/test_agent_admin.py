"""/agent/admin/settings (spec §2): the switch **Aprovar Ações em Chamados** and the action
catalog (**Criar ação**: Nome, Descrição, Ativa, Criar; edit; deactivate) — and the
refusal of every admin page and operation to an agent who is not the account manager."""

from __future__ import annotations

import pytest
from agent_support import ANA, BRUNO, agent, element, eventually, login, run_use_case, should_see_within
from nicegui.testing import User

from domain import admin, approvals
from domain.errors import Forbidden

REFUSED = "Somente o gerente da conta pode ver esta página."


async def open_settings(user: User) -> None:
    await login(user, ANA, then="/agent/admin/settings")
    await user.should_see("Aprovar Ações em Chamados", retries=100)


async def create_action(user: User, name: str, description: str = "", active: bool = True) -> None:
    user.find(marker="create-action").click()
    await user.should_see(marker="action-dialog", retries=50)
    with user.scope(marker="action-dialog"):
        await user.should_see("Nome")
        await user.should_see("Descrição")
        await user.should_see("Ativa")
        user.find(marker="action-name").type(name)
        user.find(marker="action-description").type(description)
        if not active:
            user.find(marker="action-active").click()
        await user.should_see("Criar")
        user.find(marker="action-save").click()


async def catalog_names() -> list[str]:
    return [action[1] for action in await run_use_case(approvals.catalog_for_request, await agent(BRUNO))]


async def test_the_account_manager_has_administration_in_the_navigation(user: User) -> None:
    await open_settings(user)
    header = user.find(marker="app-header").elements.pop()
    assert ("Administração", "/agent/admin/settings") in header.props["nav"]
    await user.should_see("Administração")


@pytest.mark.parametrize(
    "path", ["/agent/admin/settings", "/agent/admin/agents", "/agent/admin/organizations", "/agent/admin/customers"]
)
async def test_an_agent_who_is_not_the_account_manager_is_refused(user: User, path: str) -> None:
    await login(user, BRUNO, then=path)
    await user.should_see(REFUSED, retries=100)
    await user.should_not_see("Aprovar Ações em Chamados")
    await user.should_not_see(marker="admin-nav")
    header = user.find(marker="app-header").elements.pop()
    assert [path for _label, path in header.props["nav"]] == ["/agent", "/agent/notifications", "/agent/trash"]


async def test_the_use_cases_refuse_a_non_admin_too(user: User) -> None:
    bruno = await agent(BRUNO)
    with pytest.raises(Forbidden):
        await run_use_case(admin.set_approvals_enabled, bruno, False)
    with pytest.raises(Forbidden):
        await run_use_case(admin.create_action, bruno, "Atalho", "", True)
    with pytest.raises(Forbidden):
        await run_use_case(admin.list_catalog, bruno)
    assert await run_use_case(admin.approvals_enabled, bruno) is True


async def test_the_switch_turns_the_feature_off_and_on(user: User) -> None:
    ana = await agent(ANA)
    await open_settings(user)
    switch = element(user, "approvals-switch")
    assert switch.value is True  # type: ignore[attr-defined]
    user.find(marker="approvals-switch").click()
    await user.should_see("Configurações salvas.", retries=100)
    await eventually(lambda: run_use_case(admin.approvals_enabled, ana), False)
    await user.open("/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    await user.should_not_see(marker="more-menu")
    await user.open("/agent/admin/settings")
    await user.should_see("Aprovar Ações em Chamados", retries=100)
    assert element(user, "approvals-switch").value is False  # type: ignore[attr-defined]
    user.find(marker="approvals-switch").click()
    await eventually(lambda: run_use_case(admin.approvals_enabled, ana), True)


async def test_the_catalog_is_listed_with_its_states(user: User) -> None:
    await open_settings(user)
    await user.should_see("Reembolso")
    await user.should_see("Reiniciar produção")
    await user.should_see("Horas extras")
    await user.should_see("Inativa")
    await user.should_see("Criar ação")


async def test_creating_an_action(user: User) -> None:
    await open_settings(user)
    await create_action(user, "Trocar senha", "Trocar a senha do ERP do cliente.")
    await user.should_see("Ação criada.", retries=100)
    await user.should_not_see(marker="action-dialog")
    await user.should_see("Trocar senha")
    await user.should_see("Trocar a senha do ERP do cliente.")
    assert "Trocar senha" in await catalog_names()


async def test_creating_an_inactive_action_keeps_it_out_of_the_request_dialog(user: User) -> None:
    await open_settings(user)
    await create_action(user, "Visita técnica", active=False)
    await user.should_see("Ação criada.", retries=100)
    assert "Visita técnica" not in await catalog_names()


async def test_a_blank_name_is_refused_and_nothing_saved(user: User) -> None:
    await open_settings(user)
    await create_action(user, "   ", "Sem nome")
    await user.should_see("Nome é obrigatório.", retries=100)
    await user.should_see(marker="action-dialog")  # still open, to fix the name
    assert len(await run_use_case(admin.list_catalog, await agent(ANA))) == 4  # the demo's four


async def test_a_duplicate_name_ignoring_case_and_accents_is_refused(user: User) -> None:
    await open_settings(user)
    await create_action(user, "REINICIAR PRODUCAO")
    await user.should_see("Já existe uma ação chamada “Reiniciar produção”.", retries=100)
    assert len(await run_use_case(admin.list_catalog, await agent(ANA))) == 4  # the demo's four


async def test_editing_and_deactivating_an_action(user: User) -> None:
    await open_settings(user)
    with user.scope(marker="action-2"):  # "Reiniciar produção" (the demo's second)
        await user.should_see("Reiniciar produção")
        user.find(marker="edit-action").click()
    await user.should_see(marker="action-dialog", retries=50)
    with user.scope(marker="action-dialog"):
        user.find(marker="action-name").clear().type("Reiniciar servidor")
        user.find(marker="action-save").click()
    await user.should_see("Ação salva.", retries=100)
    await user.should_see("Reiniciar servidor")
    assert "Reiniciar servidor" in await catalog_names()
    with user.scope(marker="action-2"):
        user.find(marker="toggle-action").click()
    await should_see_within(user, "action-2", "Inativa")
    await should_see_within(user, "action-2", "Ativar")  # the button offers to activate it again
    assert "Reiniciar servidor" not in await catalog_names()
