"""Signing in and out, hardened: argon2 hashes, one answer (and about one cost) for an
unknown e-mail and a wrong password, guessing slowed per account and address pair and
limited per address (tests/integration/test_login_throttle_store.py has the rules),
sign-out and deactivation taking effect at once, and no open redirect after the login."""

from __future__ import annotations

import asyncio
import statistics
import time

import pytest
from nicegui import ElementFilter, ui
from nicegui.testing import User
from security_support import (
    ANA,
    BRUNO,
    CARLA,
    JOAO,
    LOGIN_BUTTON,
    MARCIA,
    agent,
    in_thread,
    login_agent,
    login_portal,
)

from domain import admin, auth
from domain.demo import DEMO_PASSWORD
from domain.errors import NotAuthenticated
from domain.model import AgentRole
from ui.context import ctx
from ui.session import safe_next

WRONG = "E-mail ou senha incorretos."
TOO_MANY = "Muitas tentativas sem sucesso. Aguarde alguns minutos e tente novamente."


def login_error(user: User) -> str:
    with user:
        labels = list(ElementFilter(marker="login-error", local_scope=False))
    assert len(labels) == 1
    return str(labels[0].text)  # type: ignore[attr-defined]


def login_button_enabled(user: User) -> bool:
    with user:
        buttons = list(ElementFilter(marker="login", local_scope=False))
    return bool(buttons and buttons[0].enabled)


async def try_login(user: User, email: str, password: str) -> str:
    """One submit of the form already open; waits for its answer and returns it."""
    with user:
        email_input, password_input = ElementFilter(kind=ui.input, local_scope=False)
        email_input.set_value(email)
        password_input.set_value(password)
    user.find(LOGIN_BUTTON).click()
    await asyncio.sleep(0.05)
    for _ in range(400):
        if login_button_enabled(user) or user.back_history[-1] != user.back_history[0]:
            break
        await asyncio.sleep(0.05)
    return login_error(user)


async def test_every_stored_password_is_an_argon2id_hash(user: User) -> None:
    ana = await agent(ANA)
    hasher = ctx().hasher
    await in_thread(admin.create_agent, ana, hasher, "Nova", "nova@demo.test", "outra-senha-longa", AgentRole.AGENT)
    agents = await in_thread(admin.list_agents, ana)
    customers = await in_thread(admin.list_customers, ana)
    hashes = [a.password_hash for a in agents] + [c.password_hash for c in customers]
    assert len(hashes) == 8
    for stored in hashes:
        assert stored.startswith("$argon2id$"), stored[:12]
        assert DEMO_PASSWORD not in stored and "outra-senha-longa" not in stored


async def test_unknown_email_and_wrong_password_answer_alike_and_cost_alike(user: User) -> None:
    hasher, dummy = ctx().hasher, ctx().dummy_hash

    def attempt(email: str) -> tuple[float, str]:
        started = time.perf_counter()
        try:
            ctx().services.run(auth.authenticate, hasher, "agent", email, "not-the-password", dummy)
        except NotAuthenticated as error:
            return time.perf_counter() - started, error.message
        raise AssertionError("signed in with a wrong password")

    unknown: list[float] = []
    wrong: list[float] = []
    messages: set[str] = set()
    for _ in range(5):  # interleaved, so a slow moment of the machine hits both
        for email, times in (("nobody@demo.test", unknown), (BRUNO, wrong)):
            took, message = await asyncio.to_thread(attempt, email)
            times.append(took)
            messages.add(message)
    assert messages == {auth.WRONG_LOGIN}
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.5 <= ratio <= 2.0, f"unknown {statistics.median(unknown):.3f}s vs wrong {statistics.median(wrong):.3f}s"


def user_at(address: str) -> User:
    """A simulated browser whose requests come from `address`."""
    import httpx
    from nicegui import core

    transport = httpx.ASGITransport(core.app, client=(address, 40000))
    return User(httpx.AsyncClient(transport=transport, base_url="http://test"))


async def test_five_failures_slow_that_address_at_that_account_but_not_the_owner(user: User) -> None:
    stranger = user_at("203.0.113.66")
    await stranger.open("/agent/login")
    for _ in range(5):
        assert await try_login(stranger, BRUNO, "wrong-password") == WRONG
    # From there, even the right password waits now, whatever the case of the e-mail.
    assert await try_login(stranger, BRUNO, DEMO_PASSWORD) == TOO_MANY
    assert await try_login(stranger, " Bruno.Agente@DEMO.test ", DEMO_PASSWORD) == TOO_MANY
    assert stranger.back_history[-1] == "/agent/login"
    # Another account from the same address still gets in...
    await login_agent(stranger, CARLA)
    await stranger.should_see("Chamados")
    # ...and so does Bruno from his own address: nobody can lock him out.
    owner = user_at("198.51.100.10")
    await login_agent(owner, BRUNO)
    await owner.should_see("Chamados")


async def test_twenty_failures_from_one_address_lock_every_account(user: User) -> None:
    await user.open("/portal/login")
    for index in range(20):
        assert await try_login(user, f"guess{index}@demo.test", "wrong-password") == WRONG
    assert await try_login(user, JOAO, DEMO_PASSWORD) == TOO_MANY
    assert user.back_history[-1] == "/portal/login"


async def test_parallel_guesses_cannot_slip_past_the_limit(user: User, create_user) -> None:
    tabs: list[User] = []
    for _ in range(8):
        tab = create_user()
        await tab.open("/agent/login")
        tab.find("E-mail").type(BRUNO)
        tab.find("Senha").type("wrong-password")
        tabs.append(tab)
    for tab in tabs:  # all at once, before any password check has answered
        tab.find(LOGIN_BUTTON).click()
    for _ in range(400):
        answers = [login_error(tab) for tab in tabs]
        if all(answers):
            break
        await asyncio.sleep(0.05)
    assert sorted(answers) == sorted([WRONG] * 5 + [TOO_MANY] * 3)


async def test_signing_out_ends_the_session(user: User) -> None:
    await login_agent(user, BRUNO, then="/agent/tickets/1")
    user.find(marker="app-header").trigger("sign_out")  # the user menu\'s "Sair"
    await user.should_see(LOGIN_BUTTON, retries=100)
    for path in ("/agent", "/agent/tickets/1", "/agent/notifications"):
        await user.open(path)
        await user.should_see(LOGIN_BUTTON, retries=100)
        await user.should_not_see(marker="history")
    with user:
        from nicegui import app

        assert "agent" not in app.storage.user


async def test_a_deactivated_agent_loses_access_on_the_next_request(user: User) -> None:
    await login_agent(user, BRUNO, then="/agent/tickets/1")
    await user.should_see(marker="history", retries=100)
    bruno = await agent(BRUNO)
    changes = admin.AgentChanges(name="Bruno Agente", email=BRUNO, role=AgentRole.AGENT, active=False)
    await in_thread(admin.update_agent, await agent(ANA), ctx().hasher, bruno.id, changes)
    await user.open("/agent/tickets/2")
    await user.should_see(LOGIN_BUTTON, retries=100)
    await user.should_not_see("Servidor de produção lento")
    assert user.back_history[-1].startswith("/agent/login")


EVIL_TARGETS = [
    "https://evil.example/x",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/agent\\..\\evil",
    "javascript:alert(1)",
    "JaVaScRiPt:window.__xss=1",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "/%2F%2Fevil.example",
    "evil.example",
    "/agent@evil.example",
    "/agentx",
    "/agent/login?next=//evil.example",
    "/portal",
    "/portal/approvals",
    "https:/evil.example",
]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_only_a_path_of_the_same_panel_is_a_target_after_login(target: str) -> None:
    assert safe_next(target, "agent") == "/agent"
    if "portal" not in target:  # the same attacks against the portal's form
        assert safe_next(target.replace("/agent", "/portal"), "customer") == "/portal"


def test_a_same_panel_path_is_kept() -> None:
    assert safe_next("/agent/tickets/3", "agent") == "/agent/tickets/3"
    assert safe_next("/portal/approvals/7", "customer") == "/portal/approvals/7"
    assert safe_next("/agent/tickets/3", "customer") == "/portal"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/agent/login", "https://evil.example"),
        ("/agent/login", "//evil.example"),
        ("/agent/login", "/\\evil.example"),
        ("/agent/login", "javascript:window.__xss=1"),
        ("/agent/login", "/portal"),
        ("/portal/login", "/agent/tickets/1"),
        ("/portal/login", "//evil.example/portal"),
    ],
)
async def test_the_login_form_never_leaves_the_panel(user: User, path: str, target: str) -> None:
    from urllib.parse import quote

    await user.open(f"{path}?next={quote(target, safe='')}")
    email = BRUNO if path.startswith("/agent") else MARCIA
    user.find("E-mail").type(email)
    user.find("Senha").type(DEMO_PASSWORD)
    user.find(LOGIN_BUTTON).click()
    home = "/agent" if path.startswith("/agent") else "/portal"
    for _ in range(200):
        if user.back_history[-1] != user.back_history[0]:
            break
        await asyncio.sleep(0.05)
    assert user.back_history[-1] == home


async def test_signed_in_visitor_of_the_login_page_is_not_sent_away_either(user: User) -> None:
    await login_portal(user, MARCIA)
    await user.open("/portal/login?next=https://evil.example")
    for _ in range(100):
        if user.back_history[-1] == "/portal":
            break
        await asyncio.sleep(0.05)
    assert user.back_history[-1] == "/portal"


@pytest.mark.parametrize("change", ["password", "deactivation"])
async def test_a_new_password_or_a_deactivation_ends_the_persons_open_pages_at_once(
    user: User, create_user, change: str
) -> None:
    carla_tab = create_user()
    await login_agent(carla_tab, CARLA, then="/agent/tickets/1")
    await carla_tab.should_see(marker="history", retries=100)
    carla = await agent(CARLA)
    await login_agent(user, ANA, then="/agent/admin/agents")
    await user.should_see("Carla Agente", retries=100)
    with user.scope(marker=f"agent-{carla.id}"):
        user.find(marker="edit-agent").click()
    await user.should_see(marker="agent-dialog", retries=50)
    with user.scope(marker="agent-dialog"):
        if change == "password":
            user.find(marker="agent-password").clear().type("outra-senha-longa")
        else:
            user.find(marker="agent-active").click()
        user.find(marker="agent-save").click()
    await user.should_not_see(marker="agent-dialog", retries=200)
    # Carla's open page leaves for the login by itself, without her doing anything...
    for _ in range(200):
        if carla_tab.back_history[-1].startswith("/agent/login"):
            break
        await asyncio.sleep(0.05)
    assert carla_tab.back_history[-1].startswith("/agent/login"), carla_tab.back_history
    # ...and her browser is no longer signed in.
    await carla_tab.open("/agent/notifications")
    await carla_tab.should_see(LOGIN_BUTTON, retries=100)


async def test_a_password_changed_elsewhere_ends_the_sign_in_at_the_next_page(user: User) -> None:
    """Changed by another instance (no page of this one told): the database says so."""
    await login_agent(user, CARLA, then="/agent")
    carla = await agent(CARLA)
    changes = admin.AgentChanges(
        name="Carla Agente", email=CARLA, role=AgentRole.AGENT, active=True, password="outra-senha-longa"
    )
    await in_thread(admin.update_agent, await agent(ANA), ctx().hasher, carla.id, changes)
    await user.open("/agent/notifications")
    await user.should_see(LOGIN_BUTTON, retries=100)
    await login_agent(user, CARLA, then="/agent", password="outra-senha-longa")  # the new one works
    await user.should_see("Chamados")
