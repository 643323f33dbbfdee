"""/agent/reports (spec §15): how fast each organization decides, for the account manager.

For a period (the last 30 days unless the reader picks one): requests by final state per
week, the approval rate, the time from request to decision (median and 90th percentile)
by organization and by action, and the requests awaiting now, which follow every
committed change live. Each table has a CSV download with the same columns and cells;
the use cases re-check the account manager's right at every read, downloads included.
domain/reports.py defines the figures; the database computes them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal, format_percent
from nicegui import ui

import i18n_time
from domain import clock, reports
from domain.errors import DomainError
from domain.events import DomainEvent, PendingVisibilityChanged, RequestEvent
from domain.model import RequestState
from domain.report_views import AwaitingRequest, DecisionTimes, WeekStates

from ..context import attempt, call, ctx, error_text, format_when
from ..frame import Me
from ..i18n import _, current_locale
from ..labels import state_label as request_state_label
from ..refresh import Coalesced
from .layout import agent_page

PATH = "/agent/reports"
NONE = "—"
STATE_COLORS = {
    RequestState.APPROVED: "#21ba45",
    RequestState.REJECTED: "#c10015",
    RequestState.CANCELLED: "#9e9e9e",
    RequestState.EXPIRED: "#f2c037",
}


def reader_zone(me: Me) -> ZoneInfo:
    """The zone the reader's weeks and days are cut in: their own, else the installation's."""
    return i18n_time.zone(me.timezone)


@dataclass(frozen=True)
class Shown:
    """A table as the page shows it and its CSV holds it: headers and text cells."""

    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]


# --- cells ---------------------------------------------------------------------------------


def _hours(seconds: float) -> str:
    return format_decimal(seconds / 3600, format="#,##0.0", locale=current_locale())


def _rate(value: float | None) -> str:
    return NONE if value is None else format_percent(value, format="#,##0.0%", locale=current_locale())


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def _waiting(since: datetime, now: datetime) -> str:
    """Whole days and hours: the cell reads the same in the table and in its CSV."""
    hours = max(0, int((now - since).total_seconds() // 3600))
    if hours == 0:
        return _("less than 1 h")
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if days else f"{hours} h"


def week_cells(weeks: Sequence[WeekStates]) -> Shown:
    headers = (
        _("Week of"), request_state_label(RequestState.APPROVED), request_state_label(RequestState.REJECTED),
        request_state_label(RequestState.CANCELLED), request_state_label(RequestState.EXPIRED), _("Approval rate"),
    )
    return Shown(headers, [
        (_day(w.monday), str(w.approved), str(w.rejected), str(w.cancelled), str(w.expired), _rate(w.approval_rate))
        for w in weeks
    ])


def time_cells(groups: Sequence[DecisionTimes], group_header: str, unnamed: str) -> Shown:
    headers = (
        group_header, _("Decided"), request_state_label(RequestState.APPROVED),
        request_state_label(RequestState.REJECTED), _("Approval rate"), _("Median (hours)"),
        _("90th percentile (hours)"),
    )
    return Shown(headers, [
        (g.name or unnamed, str(g.decided), str(g.approved), str(g.rejected), _rate(g.approval_rate),
         _hours(g.median_seconds), _hours(g.p90_seconds))
        for g in groups
    ])


def awaiting_cells(requests: Sequence[AwaitingRequest], now: datetime) -> Shown:
    headers = (
        _("Organization"), _("Ticket"), _("Action"), _("Requested at"), _("Waiting for"), _("Deadline"),
        _("Overdue"),
    )
    return Shown(headers, [
        (r.organization_name or _("No organization"), f"#{r.ticket_number}", r.action_name,
         format_when(r.requested_at), _waiting(r.requested_at, now), format_when(r.deadline) or NONE,
         _("Yes") if r.overdue else "")
        for r in requests
    ])


def organization_cells(groups: Sequence[DecisionTimes]) -> Shown:
    return time_cells(groups, _("Organization"), _("No organization"))


def action_cells(groups: Sequence[DecisionTimes]) -> Shown:
    return time_cells(groups, _("Action"), NONE)


# --- drawing -------------------------------------------------------------------------------


def _table(shown: Shown, marker: str) -> ui.table:
    columns = [{"name": f"c{i}", "label": h, "field": f"c{i}", "align": "left"} for i, h in enumerate(shown.headers)]
    rows = [{"key": n, **{f"c{i}": cell for i, cell in enumerate(row)}} for n, row in enumerate(shown.rows)]
    # Text cells only (organization and action names are user text: never HTML).
    return ui.table(columns=columns, rows=rows, row_key="key", pagination=25).classes("w-full").props(
        "flat bordered dense"
    ).mark(marker)


def _section(title: str, marker: str) -> ui.column:
    with ui.card().classes("w-full gap-2").mark(marker):
        ui.label(title).classes("text-h6")
        return ui.column().classes("w-full gap-2")


def _weeks_chart(weeks: Sequence[WeekStates]) -> None:
    states = (RequestState.APPROVED, RequestState.REJECTED, RequestState.CANCELLED, RequestState.EXPIRED)
    series: list[dict[str, Any]] = [
        {"name": request_state_label(state), "type": "bar", "stack": "states", "color": STATE_COLORS[state],
         "data": [getattr(week, state.value) for week in weeks]}
        for state in states
    ]
    series.append({
        "name": _("Approval rate"), "type": "line", "yAxisIndex": 1, "color": "#1976d2", "connectNulls": True,
        "data": [None if w.approval_rate is None else round(w.approval_rate * 100, 1) for w in weeks],
    })
    ui.echart({
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 50, "bottom": 30, "top": 40},
        "xAxis": {"type": "category", "data": [f"{w.monday:%d/%m}" for w in weeks]},
        "yAxis": [{"type": "value", "minInterval": 1},
                  {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value} %"}}],
        "series": series,
    }).classes("w-full h-72").mark("weeks-chart")


def _slowest_chart(groups: Sequence[DecisionTimes], unnamed: str) -> None:
    shown = list(reversed(groups[: reports.CHART_ROWS]))  # the slowest on top
    ui.echart({
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 10, "right": 30, "bottom": 20, "top": 40, "containLabel": True},
        "xAxis": {"type": "value", "name": _("hours")},
        "yAxis": {"type": "category", "data": [g.name or unnamed for g in shown]},
        "series": [
            {"name": _("Median"), "type": "bar", "data": [round(g.median_seconds / 3600, 1) for g in shown]},
            {"name": _("90th percentile"), "type": "bar", "data": [round(g.p90_seconds / 3600, 1) for g in shown]},
        ],
    }).classes("w-full").style(f"height: {80 + 28 * len(shown)}px").mark("organizations-chart")


def _awaiting_chart(now_awaiting: reports.AwaitingNow) -> None:
    groups = list(reversed(now_awaiting.by_organization))
    names = [g.organization_name or _("No organization") for g in groups]
    ui.echart({
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 10, "right": 30, "bottom": 20, "top": 40, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": names},
        "series": [
            {"name": _("Awaiting"), "type": "bar", "color": "#f2c037", "data": [g.awaiting - g.overdue for g in groups],
             "stack": "awaiting"},
            {"name": _("Overdue"), "type": "bar", "color": "#c10015", "data": [g.overdue for g in groups],
             "stack": "awaiting"},
        ],
    }).classes("w-full").style(f"height: {80 + 28 * len(groups)}px").mark("awaiting-chart")


def _more_note(shown: int, total: int) -> None:
    if total > shown:
        ui.label(_("Showing {shown} of {total}; the CSV has them all.").format(shown=shown, total=total)).classes(
            "text-caption text-grey-8"
        )


def _figure(label: str, value: str, marker: str) -> None:
    with ui.card().classes("gap-0 px-4 py-2").mark(marker):
        ui.label(label).classes("text-caption text-grey-8")
        ui.label(value).classes("text-h6")


def register() -> None:
    @ui.page(PATH)
    async def reports_page(start: str = "", end: str = "") -> None:
        async with agent_page(PATH, _("Reports"), admin_only=True) as me:
            if me is None:
                return
            await _build(me, start, end)


def _period_form(chosen: reports.ReportPeriod, zone: ZoneInfo) -> None:
    with ui.row().classes("items-end gap-3").mark("period"):
        first = ui.input(_("From"), value=chosen.start.isoformat()).props("type=date").mark("period-start")
        last = ui.input(_("Until"), value=chosen.end.isoformat()).props("type=date").mark("period-end")

        def show() -> None:
            try:
                picked = reports.parse_period(first.value or "", last.value or "", clock.now(), zone)
            except DomainError as error:
                ui.notify(error_text(error), type="negative")
                return
            ui.navigate.to(f"{PATH}?start={picked.start.isoformat()}&end={picked.end.isoformat()}")

        ui.button(_("Show"), icon="query_stats", on_click=show).mark("period-show")
        ui.label(_("Weeks start on Monday; times in {zone}.").format(zone=zone.key)).classes(
            "text-caption text-grey-8"
        )


async def _build(me: Me, start: str, end: str) -> None:
    zone = reader_zone(me)
    now = clock.now()
    try:
        chosen = reports.parse_period(start, end, now, zone)
    except DomainError as error:
        ui.label(error_text(error)).classes("text-negative").mark("period-error")
        chosen = reports.default_period(now, zone)
    _period_form(chosen, zone)
    try:
        report = await call(reports.overview, me.actor, chosen, now)
    except DomainError as error:
        ui.label(error_text(error)).classes("text-negative")
        return

    async def download(table: reports.ReportTable, cells: Callable[[Any], Shown]) -> None:
        when = clock.now()
        rows = await attempt(reports.whole_table, me.actor, table, chosen, when)
        if rows is None:  # refused (no longer the account manager): attempt said why
            return
        shown = cells(rows)
        name = f"aval-{table.value}-{chosen.start.isoformat()}-{chosen.end.isoformat()}.csv"
        ui.download.content(reports.to_csv(shown.headers, shown.rows), name, "text/csv")

    def csv_button(table: reports.ReportTable, cells: Callable[[Any], Shown]) -> None:
        ui.button(_("Download CSV"), icon="download", on_click=lambda: download(table, cells)).props(
            "flat dense"
        ).mark(f"csv-{table.value}")

    decided = sum(report.total(state) for state in ("approved", "rejected", "cancelled", "expired"))
    with ui.row().classes("gap-3").mark("figures"):
        _figure(_("Decided in the period"), str(decided), "figure-decided")
        _figure(_("Approval rate"), _rate(report.approval_rate), "figure-rate")
        overall = report.overall
        _figure(_("Median time to decision (hours)"), _hours(overall.median_seconds) if overall else NONE,
                "figure-median")
        _figure(_("90th percentile (hours)"), _hours(overall.p90_seconds) if overall else NONE, "figure-p90")

    with _section(_("Requests by final state per week"), "section-weeks"):
        if decided:
            _weeks_chart(report.weeks)
        _table(week_cells(report.weeks), "table-weeks")
        csv_button(reports.ReportTable.WEEKS, week_cells)

    with _section(_("Time to decision by organization"), "section-organizations"):
        if report.by_organization.rows:
            _slowest_chart(report.by_organization.rows, _("No organization"))
            _table(organization_cells(report.by_organization.rows), "table-organizations")
            _more_note(len(report.by_organization.rows), report.by_organization.total)
            csv_button(reports.ReportTable.ORGANIZATIONS, organization_cells)
        else:
            ui.label(_("No action was approved or rejected in this period.")).classes("text-grey-7")

    with _section(_("Time to decision by action"), "section-actions"):
        if report.by_action.rows:
            _table(action_cells(report.by_action.rows), "table-actions")
            csv_button(reports.ReportTable.ACTIONS, action_cells)
        else:
            ui.label(_("No action was approved or rejected in this period.")).classes("text-grey-7")

    awaiting_box = _section(_("Awaiting now"), "section-awaiting")

    def draw_awaiting(now_awaiting: reports.AwaitingNow | str, when: datetime) -> None:
        awaiting_box.clear()
        with awaiting_box:
            if isinstance(now_awaiting, str):
                ui.label(now_awaiting).classes("text-negative")
                return
            if not now_awaiting.requests.rows:
                ui.label(_("No action is awaiting approval.")).classes("text-grey-7").mark("awaiting-empty")
                return
            _awaiting_chart(now_awaiting)
            _table(awaiting_cells(now_awaiting.requests.rows, when), "table-awaiting")
            _more_note(len(now_awaiting.requests.rows), now_awaiting.requests.total)
            csv_button(reports.ReportTable.AWAITING, lambda rows: awaiting_cells(rows, clock.now()))

    async def load_awaiting() -> tuple[reports.AwaitingNow | str, datetime]:
        when = clock.now()
        try:
            return await call(reports.awaiting_now, me.actor, when), when
        except DomainError as error:
            return error_text(error), when

    redraw = Coalesced.of(load_awaiting, lambda loaded: draw_awaiting(*loaded))
    draw_awaiting(reports.AwaitingNow(report.awaiting, report.awaiting_by_organization), now)

    def on_event(_event: DomainEvent) -> None:
        redraw.soon()

    ctx().live.subscribe(on_event, lambda event: isinstance(event, RequestEvent | PendingVisibilityChanged))
