"""*Lembretes* in the admin settings and *Lembrar gerentes* on the agent's ticket page
(spec §12): at most once an hour per request, refused with a message, in the history."""

from __future__ import annotations

import re

from agent_support import ANA, BRUNO, agent, element, eventually, login, request_action, run_use_case
from nicegui.testing import User

from domain import admin


async def test_the_admin_turns_reminders_on(user: User) -> None:
    await login(user, ANA, then="/agent/admin/settings")
    await user.should_see("Lembretes", retries=100)
    element(user, "reminders-on").set_value(True)
    element(user, "reminders-every").set_value(12)
    element(user, "reminders-max").set_value(2)
    user.find(marker="reminders-save").click()
    ana = await agent(ANA)

    async def setting() -> object:
        return await run_use_case(admin.reminder_settings, ana)

    await eventually(setting, (12, 2))


async def test_lembrar_gerentes_once_an_hour(user: User) -> None:
    await request_action(1, "Reembolso")
    await login(user, BRUNO, then="/agent/tickets/1")
    await user.should_see("Aguardando Aprovação", retries=100)
    user.find(marker="remind-managers").click()
    await user.should_see("Os gerentes foram lembrados.", retries=100)
    await user.should_see("lembrou os gerentes da ação “Reembolso”", retries=100)
    user.find(marker="remind-managers").click()
    await user.should_see("Os gerentes foram lembrados há menos de uma hora", retries=100)
    refusal = next(m for m in user.notify.messages if "menos de uma hora" in m)
    # When they may try again: on the agent's clock and in their format, never UTC.
    assert re.search(r"de novo em \d\d/\d\d/\d{4} \d\d:\d\d\.$", refusal), refusal
