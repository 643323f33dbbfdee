"""The person's profile page, one component drawn by /agent/profile and /portal/profile:
a column of sections (language, time zone; personal access tokens and absence join it).

A section is a title and a function that draws its content for the signed-in person.
To add one, call `add_section` once at start (from the module that owns it), e.g.

    add_section(ProfileSection(N_("Access tokens"), "profile-tokens", draw_tokens))

`draw_tokens(me)` may be async; it runs inside the section's card on each page load and
calls its use cases through ui/context.py like any page."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nicegui import app, ui

import i18n_time
from domain import clock, profile
from domain.errors import DomainError
from domain.messages import N_

from .context import call, error_text, perform
from .frame import Me
from .i18n import LANGUAGE_NAMES, _, current_locale, default_locale, format_when
from .session import PROFILE_PATH as PROFILE_PATH

DrawSection = Callable[[Me], Awaitable[None] | None]
_DEFAULT = ""  # the select's value for "the installation's default"


@dataclass(frozen=True)
class ProfileSection:
    title: str  # an English msgid, translated when drawn
    marker: str  # test marker of the section's card
    draw: DrawSection
    # Whom the section is for; everybody by default (e.g. an absence only for managers).
    shown_to: Callable[[Me], bool] = field(default=lambda me: True)


SECTIONS: list[ProfileSection] = []


def add_section(section: ProfileSection, *, before: str | None = None) -> None:
    """Adds a section to every profile page (once: registering again replaces it), at the
    end or before the section with the marker `before`."""
    SECTIONS[:] = [s for s in SECTIONS if s.marker != section.marker]
    index = next((i for i, s in enumerate(SECTIONS) if s.marker == before), len(SECTIONS))
    SECTIONS.insert(index, section)


async def draw_profile(me: Me) -> None:
    """The sections that apply to this person, each in its own card."""
    for section in list(SECTIONS):
        if not section.shown_to(me):
            continue
        with ui.card().classes("w-full").mark(section.marker):
            ui.label(_(section.title)).classes("text-h6")
            drawn = section.draw(me)
            if inspect.isawaitable(drawn):
                await drawn


async def _language(me: Me) -> None:
    options = {code: name for code, name in LANGUAGE_NAMES.items()}
    select = ui.select(options, value=current_locale(), label=_("Language")).classes("w-80").mark("profile-language")

    async def save() -> None:
        locale = str(select.value or default_locale())
        if await perform(profile.set_locale, me.actor, locale):
            app.storage.user["locale"] = locale
            ui.navigate.reload()

    ui.button(_("Save"), on_click=save).mark("profile-language-save")


async def _time_zone(me: Me) -> None:
    try:
        mine = await call(profile.my_profile, me.actor)
    except DomainError as error:
        ui.label(error_text(error)).classes("text-negative")
        return
    default = _("Default of the installation ({zone})").format(zone=i18n_time.default_zone())
    options = {_DEFAULT: default} | {zone: zone.replace("_", " ") for zone in profile.time_zones()}
    select = ui.select(options, value=mine.timezone or _DEFAULT, label=_("Time zone"), with_input=True)
    select.classes("w-80").mark("profile-time-zone")
    ui.label(_("Now, in this zone: {when}").format(when=format_when(clock.now()))).classes(
        "text-caption text-grey-8"
    ).mark("profile-local-now")

    async def save() -> None:
        zone = str(select.value or "") or None
        if await perform(profile.set_time_zone, me.actor, zone):
            app.storage.user["timezone"] = zone or ""
            ui.navigate.reload()

    ui.button(_("Save"), on_click=save).mark("profile-time-zone-save")


add_section(ProfileSection(N_("Language"), "profile-language-section", _language))
add_section(ProfileSection(N_("Time zone"), "profile-time-zone-section", _time_zone))
