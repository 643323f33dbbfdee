"""A person's language: one of those Aval speaks, or back to the default; anything else
(the language menu lives in the browser, so its choice arrives as free text) is refused
and changes nothing."""

from __future__ import annotations

import pytest
from unit_desk import Desk

from domain import auth
from domain.errors import InvalidInput


def test_a_supported_language_is_kept_for_the_person(desk: Desk) -> None:
    fabio = desk.customer_actor("fabio.gerente@demo.test")
    desk.run(auth.set_locale, fabio, "en")
    assert desk.customer(fabio).locale == "en"
    desk.run(auth.set_locale, fabio, None)
    assert desk.customer(fabio).locale is None


@pytest.mark.parametrize("locale", ["fr", "", "pt-BR", "en; DROP TABLE", "<b>en</b>"])
def test_any_other_language_is_refused_and_changes_nothing(desk: Desk, locale: str) -> None:
    bruno = desk.agent_actor("bruno.agente@demo.test")
    desk.run(auth.set_locale, bruno, "en")
    with pytest.raises(InvalidInput):
        desk.run(auth.set_locale, bruno, locale)
    assert desk.agent(bruno).locale == "en"
