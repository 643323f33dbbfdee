"""The progress of a request under a multi-answer rule ("1 de 2 aprovações", who answered
and when), drawn the same way in the agent's ticket, the manager's list and request page."""

from __future__ import annotations

from nicegui import ui

from domain.answers import AnswerView, Progress
from domain.model import ApprovalRule
from domain.views import RequestRow

from .i18n import _, format_when


def standing_in(name: str, absent: str | None) -> str:
    """A stand-in's name as every view shows it: "Fábio (substituindo Márcia)" (spec §13)."""
    if not absent:
        return name
    return _("{name} (standing in for {absent})").format(name=name, absent=absent)


def decider_name(row: RequestRow) -> str | None:
    """Who approved or rejected the request, naming the absent manager a stand-in decided for."""
    if row.evaluated_by_name is None:
        return None
    return standing_in(row.evaluated_by_name, row.evaluated_on_behalf_of_name)


def progress_text(approvals: int, needed: int, rule: ApprovalRule) -> str:
    if rule == ApprovalRule.STAGES:
        return _("{count} of {needed} stages approved").format(count=approvals, needed=needed)
    if needed == 1:
        return _("{count} of 1 approval").format(count=approvals)
    return _("{count} of {needed} approvals").format(count=approvals, needed=needed)


def row_progress(row: RequestRow) -> str | None:
    """The progress line of a listed request; None under the default rule."""
    if not row.counts_answers:
        return None
    return progress_text(row.approvals_count, row.approvals_needed, row.rule)


def answer_text(answer: AnswerView) -> str:
    name = standing_in(answer.name, answer.on_behalf_of_name)
    if answer.approved:
        return _("{name} approved at {when}").format(name=name, when=format_when(answer.at))
    return _("{name} rejected at {when}").format(name=name, when=format_when(answer.at))


def answers_list(progress: Progress, mark: str) -> None:
    """The progress and one line per answer (names and reasons as text, never HTML)."""
    with ui.column().classes("gap-0").mark(mark):
        ui.label(progress_text(progress.approvals, progress.needed, progress.rule)).classes("text-bold").mark(
            f"{mark}-count"
        )
        for answer in progress.answers:
            ui.label(answer_text(answer)).classes("text-caption")
            if answer.reason:
                ui.label(answer.reason).classes("text-caption whitespace-pre-wrap")
