"""Personal access tokens on the profile pages (/agent/profile, /portal/profile) and the
account manager's list at /agent/admin/tokens: a new token's secret is shown once and
works, the list shows its use, revoking stops it (spec §14)."""

from __future__ import annotations

import pytest
from agent_support import ANA, BRUNO, FABIO, agent, customer, element, login, run_use_case
from nicegui.testing import User

from domain import tokens
from domain.errors import NotAuthenticated


async def portal_login(user: User, email: str, then: str) -> None:
    await user.open(f"/portal/login?next={then}")
    user.find("E-mail").type(email)
    user.find("Senha").type("demo1234")
    user.find("Entrar").click()
    await user.should_see(marker="page-title", retries=200)


async def make_token(user: User, name: str) -> str:
    """Through the section: 'Novo token de acesso', a name, 'Criar'; the secret shown."""
    user.find(marker="new-token").click()
    await user.should_see(marker="token-dialog", retries=100)
    user.find(marker="token-name").type(name)
    user.find(marker="token-create").click()
    await user.should_see(marker="token-secret", retries=100)
    await user.should_see("Copie agora: ele não será mostrado de novo.")
    secret = str(element(user, "token-secret-value").value)
    user.find(marker="token-secret-done").click()
    await user.should_not_see(marker="token-secret", retries=100)
    return secret


async def test_an_agent_makes_a_token_sees_it_once_and_it_acts_as_them(user: User) -> None:
    await login(user, BRUNO, then="/agent/profile")
    await user.should_see("Tokens de acesso", retries=100)
    await user.should_see("Nenhum token de acesso ainda.")
    secret = await make_token(user, "Pipeline de deploy")
    assert secret.startswith("aval_pat_")
    await user.should_see("Pipeline de deploy", retries=100)
    await user.should_see("Nunca usado")
    await user.should_not_see(secret)  # gone from the page once the dialog closed
    assert await run_use_case(tokens.authenticate, secret) == await agent(BRUNO)


async def test_a_refused_name_keeps_the_dialog_open_with_the_reason(user: User) -> None:
    await login(user, BRUNO, then="/agent/profile")
    user.find(marker="new-token").click()
    await user.should_see(marker="token-dialog", retries=100)
    user.find(marker="token-create").click()
    await user.should_see("Nome é obrigatório.", retries=100)
    assert await run_use_case(tokens.my_tokens, await agent(BRUNO)) == []


async def test_revoking_a_token_stops_it(user: User) -> None:
    await login(user, BRUNO, then="/agent/profile")
    secret = await make_token(user, "Temporário")
    [row] = await run_use_case(tokens.my_tokens, await agent(BRUNO))
    user.find(marker=f"token-revoke-{row.id}").click()
    await user.should_see(marker="token-revoke-dialog", retries=100)
    user.find(marker="token-revoke-confirm").click()
    await user.should_see("Revogado", retries=100)
    with pytest.raises(NotAuthenticated):
        await run_use_case(tokens.authenticate, secret)


async def test_a_manager_makes_a_token_on_the_portal_profile(user: User) -> None:
    await portal_login(user, FABIO, "/portal/profile")
    await user.should_see("Tokens de acesso", retries=100)
    secret = await make_token(user, "Bot do chat")
    assert await run_use_case(tokens.authenticate, secret) == await customer(FABIO)
    await user.should_see("Bot do chat", retries=100)


async def test_the_account_manager_lists_every_token_and_revokes_one(user: User) -> None:
    made = await run_use_case(tokens.create_token, await customer(FABIO), "Bot do chat")
    await login(user, ANA, then="/agent/admin/tokens")
    await user.should_see("Bot do chat", retries=100)
    await user.should_see("fabio.gerente@demo.test")
    user.find(marker=f"token-revoke-{made.row.id}").click()
    await user.should_see(marker="token-revoke-dialog", retries=100)
    user.find(marker="token-revoke-confirm").click()
    await user.should_see("Revogado", retries=100)

    async def refused() -> bool:
        try:
            await run_use_case(tokens.authenticate, made.secret)
        except NotAuthenticated:
            return True
        return False

    assert await refused()


async def test_other_agents_may_not_open_the_token_list(user: User) -> None:
    await run_use_case(tokens.create_token, await customer(FABIO), "Bot do chat")
    await login(user, BRUNO, then="/agent/admin/tokens")
    await user.should_see(marker="forbidden", retries=100)
    await user.should_not_see("Bot do chat")
