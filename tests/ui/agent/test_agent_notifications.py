"""The notification hub as a page (/agent/notifications, spec §6): entries with a link to
the request, marking one or all read (the bell follows), and the browser permission."""

from __future__ import annotations

import re
from datetime import timedelta

from agent_support import (
    BRUNO,
    CARLA,
    FABIO,
    JOAO,
    MARCIA,
    bell_count,
    customer,
    login,
    request_action,
    run_use_case,
    until,
)
from nicegui.testing import User

from domain import approvals, clock, standins

APPROVED = "Fábio Gerente aprovou “Reembolso” no chamado #1."
REJECTED = "Márcia Gerente reprovou “Reiniciar produção” no chamado #2."


async def two_decisions() -> tuple[int, int]:
    first = await request_action(1, "Reembolso")
    second = await request_action(2, "Reiniciar produção")
    await run_use_case(approvals.approve, await customer(FABIO), first)
    await run_use_case(approvals.reject, await customer(MARCIA), second, "Sem contrato para isso.")
    return first, second


async def test_entries_show_who_decided_what_with_the_reason(user: User) -> None:
    await two_decisions()
    await login(user, BRUNO, then="/agent/notifications")
    await user.should_see(APPROVED, retries=100)
    await user.should_see(REJECTED)
    await user.should_see("Motivo: Sem contrato para isso.")
    await until(lambda: bell_count(user) == "2")


async def test_an_agent_not_concerned_gets_nothing(user: User) -> None:
    await two_decisions()
    await login(user, CARLA, then="/agent/notifications")
    await user.should_see("Nenhuma notificação ainda.", retries=100)
    assert bell_count(user) is None


async def test_marking_one_read_then_all_read_lowers_the_bell(user: User) -> None:
    await two_decisions()
    await login(user, BRUNO, then="/agent/notifications")
    await until(lambda: bell_count(user) == "2")
    assert len(user.find(marker="unread").elements) == 2
    user.find(marker="mark-read").click()  # the first button: the newest entry
    await until(lambda: bell_count(user) == "1")
    await until(lambda: len(user.find(marker="unread").elements) == 1)
    user.find(marker="mark-all-read").click()
    await until(lambda: bell_count(user) is None)
    await user.should_not_see(marker="unread")
    await user.should_not_see(marker="mark-read")


async def test_opening_an_entry_goes_to_the_exact_request_and_marks_it_read(user: User) -> None:
    _first, second = await two_decisions()
    await login(user, BRUNO, then="/agent/notifications")
    await user.should_see(REJECTED, retries=100)
    user.find(marker="open-notification").click()  # the newest: the rejection on #2
    await user.should_see(marker=f"request-{second}", retries=100)
    await user.should_see("Reprovada")
    await until(lambda: bell_count(user) == "1")


async def test_the_browser_permission_is_asked_from_a_click(user: User) -> None:
    await login(user, BRUNO, then="/agent/notifications")
    await user.should_see("Ativar notificações do navegador", retries=100)
    user.javascript_rules[re.compile(r".*askPermission.*")] = lambda _match: "granted"
    user.find(marker="enable-browser-notifications").click()
    await user.should_see("As notificações do navegador estão ativas.", retries=100)


async def test_the_bell_opens_the_hub(user: User) -> None:
    await two_decisions()
    await login(user, BRUNO, then="/agent/trash")
    await until(lambda: bell_count(user) == "2")
    user.find(marker="bell").click()
    await user.should_see(APPROVED, retries=100)
    await user.should_see("Marcar todas como lidas")


async def test_a_stand_ins_decision_names_the_absent_manager_live(user: User) -> None:
    fabio, joao = await customer(FABIO), await customer(JOAO)
    now = clock.now()
    await run_use_case(standins.add_absence, fabio, joao.id, now - timedelta(hours=1), now + timedelta(hours=8))
    await login(user, BRUNO, then="/agent/notifications")
    await user.should_see("Nenhuma notificação ainda.", retries=100)
    request_id = await request_action(1, "Reembolso")

    await run_use_case(approvals.approve, joao, request_id)

    await user.should_see("João Cliente (substituindo Fábio Gerente) aprovou “Reembolso” no chamado #1.", retries=100)
    await until(lambda: bell_count(user) == "1")
