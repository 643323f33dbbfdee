"""Stand-ins on the pages (spec §13): a manager names one on /portal/profile, an admin for
any manager on the customers page; while the period runs the stand-in's open portal shows
the requests awaiting the absent manager, and ending the absence takes them away live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from nicegui.testing import User
from portal_support import (
    ANA,
    FABIO,
    JOAO,
    NewUser,
    agent,
    approvals_tab,
    customer,
    login,
    request_action,
    run_use_case,
)

from domain import approvals, clock, standins
from ui.absences import local_field_value


def _element(user: User, marker: str):  # type: ignore[no-untyped-def]
    elements = user.find(marker=marker).elements
    assert len(elements) == 1, f"{len(elements)} elements marked {marker}"
    return next(iter(elements))


async def _name_joao(user: User) -> None:
    await user.should_see(marker="absence-standin", retries=100)
    joao_id = (await customer(JOAO)).id
    _element(user, "absence-standin").set_value(joao_id)
    user.find(marker="absence-add").click()


async def test_a_manager_names_a_stand_in_who_sees_the_requests_live(user: User, create_user: NewUser) -> None:
    await login(user, FABIO)
    await user.open("/portal/profile")
    await user.should_see("Ausência e substituto", retries=100)
    await user.should_see("Nenhuma ausência.")
    joao = create_user()
    await login(joao, JOAO)  # his portal is open before the period begins
    await joao.should_not_see(marker="approvals-tab")

    await _name_joao(user)

    await user.should_see("Substituto: João Cliente", retries=100)
    await user.should_see("Em andamento")
    await request_action(1)
    await joao.should_see("Aprovar Ações (1)", retries=100)

    absence_id = (await run_use_case(standins.absences, await customer(FABIO)))[0].id
    user.find(marker=f"absence-end-{absence_id}").click()

    await user.should_see("Ausência encerrada.", retries=100)
    await user.should_see("Encerrada")
    await joao.should_not_see(marker="approvals-tab", retries=100)
    assert await run_use_case(approvals.pending_count, await customer(JOAO)) == 0


async def test_a_request_that_finds_a_stand_in_first_brings_the_tab_and_its_announcement(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A period that began with no event yet (the worker that tells it at its start is not
    running here): João's open page has no tab until the request's own event builds it,
    which announces the request as a manager's open tab does."""
    fabio, joao = await customer(FABIO), await customer(JOAO)
    starts = clock.now() + timedelta(minutes=1)
    await run_use_case(standins.add_absence, fabio, joao.id, starts, starts + timedelta(days=1))
    await login(user, JOAO)
    assert user.client is not None
    assert not [e for e in user.client.elements.values() if "approvals-tab" in e._markers]

    monkeypatch.setattr(clock, "now", lambda: starts + timedelta(minutes=1))
    request_id = await request_action(1, "Reembolso")
    await user.should_see("Aprovar Ações (1)", retries=100)
    text = "Nova ação para aprovar no chamado #1: Reembolso"
    arrival = (str(request_id), text, "Ação aguardando sua aprovação", text, f"/portal/approvals/{request_id}")
    assert approvals_tab(user).announcement == arrival


async def test_a_period_ending_before_it_starts_is_refused_and_nothing_is_saved(user: User) -> None:
    await login(user, FABIO)
    await user.open("/portal/profile")
    await user.should_see(marker="absence-to", retries=100)
    _element(user, "absence-to").set_value(local_field_value(clock.now() - timedelta(days=1), "America/Sao_Paulo"))

    await _name_joao(user)

    await user.should_see("A ausência deve terminar depois de começar.", retries=100)
    assert await run_use_case(standins.absences, await customer(FABIO)) == []


async def test_a_customer_who_manages_nothing_has_no_absence_section(user: User) -> None:
    await login(user, JOAO)
    await user.open("/portal/profile")
    await user.should_see("Fuso horário", retries=100)
    await user.should_not_see("Ausência e substituto")


async def test_an_admin_names_a_stand_in_for_a_manager_on_the_customers_page(user: User) -> None:
    await user.open("/agent/login")
    user.find("E-mail").type(ANA)
    user.find("Senha").type("demo1234")
    user.find("Entrar").click()
    await user.should_see(marker="page-title", retries=200)
    await user.open("/agent/admin/customers")
    fabio_id = (await customer(FABIO)).id
    joao_id = (await customer(JOAO)).id
    await user.should_see(marker=f"customer-absences-{fabio_id}", retries=100)
    await user.should_not_see(marker=f"customer-absences-{joao_id}")  # João manages nothing

    user.find(marker=f"customer-absences-{fabio_id}").click()
    await user.should_see("Ausências de Fábio Gerente", retries=100)
    await _name_joao(user)

    await user.should_see("Substituto: João Cliente", retries=100)
    rows = await run_use_case(standins.absences, await agent(ANA), fabio_id)
    assert [r.standin_name for r in rows] == ["João Cliente"]
