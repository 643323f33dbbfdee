"""A manager's absences and stand-ins (spec §13): the list, naming a stand-in for a period,
ending one now or removing it. One component, drawn by the manager's profile page (their
own) and by the admins' customers page (any manager's); the use cases check who may.

Importing this module adds the section to the portal's profile page, for managers."""

from __future__ import annotations

from datetime import datetime, timedelta

from nicegui import ui

import i18n_time
from domain import clock, standins
from domain.errors import DomainError
from domain.messages import N_
from domain.standins import ABSENCE_STATE_LABELS, AbsenceState, AbsenceView

from .context import call, draw_list, error_text, load_list, perform
from .frame import Me
from .i18n import _, current_zone, format_when
from .profile import ProfileSection, add_section

SECTION_MARKER = "profile-absences"
# What the browser's date-and-time field reads and writes, on the reader's wall clock.
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
_STATE_COLOURS = {AbsenceState.UPCOMING: "primary", AbsenceState.RUNNING: "positive", AbsenceState.ENDED: "grey"}


def parse_local(text: str, zone: str) -> datetime:
    """The field's value as an instant in the reader's zone; ValueError when blank or not
    a date and a time."""
    return datetime.strptime((text or "").strip(), LOCAL_INPUT_FORMAT).replace(tzinfo=i18n_time.zone(zone))


def local_field_value(moment: datetime, zone: str) -> str:
    return i18n_time.local_now(zone, moment).strftime(LOCAL_INPUT_FORMAT)


def absence_row(row: AbsenceView, end: object) -> None:
    with ui.row().classes("w-full items-center no-wrap gap-4 py-2 border-b").mark(f"absence-{row.id}"):
        with ui.column().classes("grow gap-0"):
            ui.label(_("Stand-in: {name}").format(name=row.standin_name)).classes("text-bold")  # text, never HTML
            period = _("From {start} to {end}").format(start=format_when(row.starts_at), end=format_when(row.ends_at))
            ui.label(period).classes("text-caption text-grey-8")
        ui.badge(_(ABSENCE_STATE_LABELS[row.state]), color=_STATE_COLOURS[row.state]).mark(f"absence-state-{row.id}")
        label = _("End now") if row.state == AbsenceState.RUNNING else _("Remove")
        ui.button(label, on_click=end).props("flat").mark(f"absence-end-{row.id}")  # type: ignore[arg-type]


async def draw_absences(me: Me, manager_id: int | None = None) -> None:
    """The editor; `manager_id` None: the signed-in manager's own absences."""
    ui.label(
        _("While you are away, the stand-in sees, is told about and may decide the requests "
          "awaiting you; you keep every right. Ending the absence takes effect at once.")
    ).classes("text-grey-8")
    listing = ui.column().classes("w-full gap-0").mark("absence-list")
    try:
        choices = await call(standins.standin_choices, me.actor, manager_id)
    except DomainError as error:
        ui.label(error_text(error)).classes("text-negative")
        return
    zone = current_zone()
    now = clock.now()
    if not choices:
        ui.label(
            _("Nobody can stand in: the organization and its parent have no other active customer.")
        ).classes("text-grey-8").mark("absence-nobody")
    with ui.row().classes("w-full items-end gap-4"):
        standin = ui.select({i: name for i, name in choices}, label=_("Stand-in"), with_input=True)
        standin.classes("w-64").mark("absence-standin")
        starts = ui.input(_("Away from"), value=local_field_value(now, zone)).props("type=datetime-local stack-label")
        starts.mark("absence-from")
        ends = ui.input(_("Away until"), value=local_field_value(now + timedelta(days=7), zone))
        ends.props("type=datetime-local stack-label").mark("absence-to")
        add = ui.button(_("Name stand-in"), icon="person_add").mark("absence-add")
    ui.label(_("In your time zone ({zone}).").format(zone=zone)).classes("text-caption text-grey-8")
    error = ui.label("").classes("text-negative").mark("absence-error")

    async def draw() -> None:
        rows, problem = await load_list(standins.absences, me.actor, manager_id)
        draw_list(listing, rows, problem, _("No absence."), lambda row: absence_row(row, lambda: end(row)),
                  empty_marker="absences-empty")

    async def end(row: AbsenceView) -> None:
        if await perform(standins.end_absence, me.actor, row.id):
            done = _("Absence ended.") if row.state == AbsenceState.RUNNING else _("Absence removed.")
            ui.notify(done, type="positive")
        await draw()

    async def save() -> None:
        error.set_text("")
        try:
            start_at, end_at = parse_local(str(starts.value or ""), zone), parse_local(str(ends.value or ""), zone)
        except ValueError:
            error.set_text(_("Enter the start and the end as a date and a time."))
            return
        try:
            await call(standins.add_absence, me.actor, standin.value, start_at, end_at, manager_id)
        except DomainError as refusal:
            error.set_text(error_text(refusal))
            return
        ui.notify(_("Stand-in named."), type="positive")
        await draw()

    add.on_click(save)
    await draw()


add_section(
    ProfileSection(
        N_("Absence and stand-in"),
        SECTION_MARKER,
        draw_absences,
        shown_to=lambda me: me.actor.kind == "customer" and me.privileged,
    )
)
