"""/agent/reports (spec §15) as the account manager uses it: the link in their navigation,
the figures of the demo's decisions, each table's CSV holding exactly the table's cells,
"awaiting now" following a decision live — and everyone else refused, the downloads
included, checked at the click."""

from __future__ import annotations

import csv
import io

import pytest
from agent_support import ANA, BRUNO, FABIO, JOAO, agent, customer, element, login, request_action, run_use_case
from nicegui.testing import User

from domain import admin, approvals, clock, reports
from domain.demo import DEMO_PASSWORD
from domain.errors import Forbidden, NotAuthenticated
from domain.model import AgentRole
from ui.context import ctx

REFUSED = "Somente o gerente da conta pode ver esta página."


def table_cells(user: User, marker: str) -> list[list[str]]:
    """A table's header and rows, as the page holds them."""
    table = element(user, marker)
    columns = table.props["columns"]  # type: ignore[index]
    header = [column["label"] for column in columns]
    rows = [[row[column["field"]] for column in columns] for row in table.props["rows"]]  # type: ignore[index]
    return [header, *rows]


async def download_cells(user: User, marker: str) -> list[list[str]]:
    user.find(marker=marker).click()
    response = await user.download.next(timeout=10)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


async def decided_and_awaiting() -> tuple[int, int]:
    """One request approved by Fábio (Filial Norte), one still awaiting."""
    approved = await request_action(1, "Reembolso")
    await run_use_case(approvals.approve, await customer(FABIO), approved)
    awaiting = await request_action(2, "Reiniciar produção")
    return approved, awaiting


async def test_the_account_manager_reads_the_figures_and_each_csv_is_its_table(user: User) -> None:
    await decided_and_awaiting()
    await login(user, ANA, then="/agent/reports")
    await user.should_see("Relatórios")
    header = user.find(marker="app-header").elements.pop()
    assert ("Relatórios", "/agent/reports") in header.props["nav"]
    await user.should_see("Tempo até a decisão por organização", retries=100)

    with user.scope(marker="figure-decided"):
        await user.should_see("1")
    with user.scope(marker="figure-rate"):
        await user.should_see("100,0%")

    organizations = table_cells(user, "table-organizations")
    assert organizations[0] == ["Organização", "Decididas", "Aprovada", "Reprovada", "Taxa de aprovação",
                                "Mediana (horas)", "90º percentil (horas)"]
    assert [row[:5] for row in organizations[1:]] == [["Filial Norte", "1", "1", "0", "100,0%"]]
    assert table_cells(user, "table-actions")[1][:3] == ["Reembolso", "1", "1"]
    awaiting = table_cells(user, "table-awaiting")
    assert [row[:3] + row[4:] for row in awaiting[1:]] == [
        ["Filial Norte", "#2", "Reiniciar produção", "menos de 1 h", "—", ""]
    ]
    assert awaiting[0][-1] == "Vencida"

    for table in ("weeks", "organizations", "actions", "awaiting"):
        assert await download_cells(user, f"csv-{table}") == table_cells(user, f"table-{table}"), table


async def test_a_decision_while_the_page_is_open_updates_awaiting_now(user: User) -> None:
    _approved, awaiting = await decided_and_awaiting()
    await login(user, ANA, then="/agent/reports")
    await user.should_see(marker="table-awaiting", retries=100)
    await run_use_case(approvals.approve, await customer(FABIO), awaiting)
    await user.should_see("Nenhuma ação aguardando aprovação.", retries=200)
    await user.should_not_see(marker="table-awaiting")


async def test_a_bad_period_is_refused_with_a_message(user: User) -> None:
    await login(user, ANA, then="/agent/reports")
    await user.open("/agent/reports?start=2026-03-10&end=2026-03-01")
    await user.should_see("O fim do período vem antes do início.", retries=100)
    await user.should_see(marker="section-weeks")  # the default period instead


async def test_an_agent_who_is_not_the_account_manager_is_refused(user: User) -> None:
    await login(user, BRUNO, then="/agent/reports")
    await user.should_see(REFUSED, retries=100)
    await user.should_not_see(marker="section-weeks")
    header = user.find(marker="app-header").elements.pop()
    assert "/agent/reports" not in [path for _label, path in header.props["nav"]]
    with pytest.raises(Forbidden):
        await run_use_case(reports.awaiting_now, await agent(BRUNO), clock.now())


async def test_a_customer_is_sent_to_the_agents_login(user: User) -> None:
    await user.open("/portal/login")
    user.find("E-mail").type(JOAO)
    user.find("Senha").type(DEMO_PASSWORD)
    user.find("Entrar").click()
    await user.should_see(marker="ticket-list", retries=200)
    await user.open("/agent/reports")
    await user.should_see("Entrar", retries=100)
    await user.should_not_see(marker="section-weeks")
    with pytest.raises(NotAuthenticated):  # a customer is no agent
        await run_use_case(reports.awaiting_now, await customer(JOAO), clock.now())


async def test_the_download_is_refused_once_the_right_is_gone(user: User) -> None:
    await decided_and_awaiting()
    await login(user, ANA, then="/agent/reports")
    await user.should_see(marker="csv-organizations", retries=100)
    # Another account manager takes Ana's right away while her page is open.
    ana = await agent(ANA)
    other = await run_use_case(admin.create_agent, ana, ctx().hasher, "Olga Admin", "olga@demo.test", "senha-longa-1",
                               AgentRole.ADMIN)
    olga = type(ana).agent(other)
    await run_use_case(admin.update_agent, olga, ctx().hasher, ana.id,
                       admin.AgentChanges("Ana Admin", ANA, AgentRole.AGENT, True))
    downloads = len(user.download.http_responses)
    user.find(marker="csv-organizations").click()
    await user.should_see("Somente o gerente da conta pode fazer isso.", retries=100)
    assert len(user.download.http_responses) == downloads
