"""The login forms of both panels (spec §10: E-mail, Senha, Entrar)."""

from __future__ import annotations

from nicegui.testing import User

from domain.demo import DEMO_PASSWORD


async def login(user: User, path: str, email: str, password: str = DEMO_PASSWORD) -> None:
    await user.open(path)
    user.find("E-mail").type(email)
    user.find("Senha").type(password)
    user.find("Entrar").click()


async def test_agent_signs_in_and_lands_on_the_ticket_list(user: User) -> None:
    await login(user, "/agent/login", "bruno.agente@demo.test")
    await user.should_see("Chamados", retries=100)
    await user.should_not_see("Entrar")


async def test_wrong_password_and_unknown_email_get_the_same_message(user: User) -> None:
    await login(user, "/agent/login", "bruno.agente@demo.test", "wrong-password")
    await user.should_see("E-mail ou senha incorretos.", retries=100)
    await login(user, "/agent/login", "nobody@demo.test", "wrong-password")
    await user.should_see("E-mail ou senha incorretos.", retries=100)


async def test_login_goes_back_to_a_same_site_page_only(user: User) -> None:
    await login(user, "/agent/login?next=https://evil.example/x", "bruno.agente@demo.test")
    await user.should_see("Chamados", retries=100)
    await user.should_not_see("Entrar")
