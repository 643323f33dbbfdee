"""/agent/profile and /portal/profile: one page of sections (language, time zone, and
those other parts of Aval add), reached from the user menu; a person's zone and language
change every time their pages show."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from agent_support import BRUNO, FABIO, agent, element, eventually, login, run_use_case, texts
from nicegui import ui
from nicegui.testing import User

import i18n_time
from domain import profile, tickets
from ui import profile as profile_page
from ui.frame import Me
from ui.profile import ProfileSection, add_section


async def _portal_login(user: User, email: str, then: str) -> None:
    await user.open(f"/portal/login?next={then}")
    user.find("E-mail").type(email)
    user.find("Senha").type("demo1234")
    user.find("Entrar").click()
    await user.should_see(marker="page-title", retries=200)


async def test_the_user_menu_leads_to_the_profile_with_language_and_time_zone(user: User) -> None:
    await login(user, BRUNO, then="/agent/profile")
    await user.should_see("Meu perfil", retries=100)
    assert element(user, "app-header").props["profile"] == ("Meu perfil", "/agent/profile")
    assert texts(user, "profile-language-section")[0] == "Idioma"
    assert texts(user, "profile-time-zone-section")[0] == "Fuso horário"
    assert element(user, "profile-time-zone").value == ""  # the installation's default, São Paulo
    await user.should_see("Padrão da instalação (America/Sao_Paulo)")


async def test_a_new_zone_changes_the_times_of_the_agent_s_pages(user: User) -> None:
    bruno = await agent(BRUNO)
    ticket = (await run_use_case(tickets.ticket_view, bruno, 1)).ticket
    await login(user, BRUNO, then=f"/agent/tickets/{ticket.number}")
    sao_paulo = i18n_time.format_when(ticket.created_at, "pt_BR", "America/Sao_Paulo")
    assert texts(user, "ticket-created")[-1] == sao_paulo

    await user.open("/agent/profile")
    await user.should_see(marker="profile-time-zone", retries=100)
    element(user, "profile-time-zone").set_value("Asia/Tokyo")
    user.find(marker="profile-time-zone-save").click()

    async def zone() -> str | None:
        return (await run_use_case(profile.my_profile, bruno)).timezone

    await eventually(zone, "Asia/Tokyo")

    await user.open(f"/agent/tickets/{ticket.number}")
    await user.should_see(marker="ticket-created", retries=100)
    tokyo = i18n_time.format_when(ticket.created_at, "pt_BR", "Asia/Tokyo")
    assert tokyo != sao_paulo
    assert texts(user, "ticket-created")[-1] == tokyo


async def test_the_portal_draws_the_same_profile_and_switches_language(user: User) -> None:
    await _portal_login(user, FABIO, "/portal/profile")
    await user.should_see("Meu perfil", retries=100)
    await user.should_see("Fuso horário")
    element(user, "profile-language").set_value("en")
    user.find(marker="profile-language-save").click()
    await user.should_see("My profile", retries=100)
    await user.should_see("Time zone")


@pytest.fixture
def extra_section() -> Iterator[None]:
    saved = list(profile_page.SECTIONS)

    def draw(me: Me) -> None:
        ui.label(f"Tokens of {me.name}").mark("tokens-body")

    add_section(ProfileSection("Access tokens", "profile-tokens", draw), before="profile-time-zone-section")
    yield
    profile_page.SECTIONS[:] = saved


async def test_a_section_added_by_another_part_shows_on_both_profiles(user: User, extra_section: None) -> None:
    await login(user, BRUNO, then="/agent/profile")
    await user.should_see("Tokens of Bruno Agente", retries=100)
    markers = [s.marker for s in profile_page.SECTIONS]
    assert markers.index("profile-tokens") == markers.index("profile-time-zone-section") - 1
