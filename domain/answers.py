"""Who may answer a request, and what the answers so far decide (spec §13).

Under *Qualquer gerente* (the default) nothing here is used: any manager in scope decides
at once, as the seed always did. Under the other rules the approvers are fixed when the
request is made (RequestApprover rows) and each answer is kept (RequestAnswer rows, one
per manager per request); the request carries its counters, so judging one more answer
costs the same whatever the number of answers already given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from .errors import Conflict, Forbidden, InvalidInput
from .messages import N_
from .model import ActionRequest, ApprovalRule, CatalogAction, Customer, RequestAnswer, RequestApprover

if TYPE_CHECKING:  # the ports name this module's views
    from .ports import UnitOfWork

RULE_COUNT_MAX = 1000

NOT_AN_APPROVER = N_("You are not among the managers asked to answer this request.")
STAGE_NOT_REACHED = N_("This request awaits the organization's managers first.")
ALREADY_ANSWERED = N_("You already answered this request.")


class Outcome(Enum):
    WAITING = "waiting"  # more answers are needed
    NEXT_STAGE = "next_stage"  # *Em etapas*: the organization approved, the parent is asked now
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Plan:
    """What a new request asks for: the approvers with their stage, how many approvals
    approve it, and the stage asked first."""

    rule: ApprovalRule
    approvers: tuple[tuple[int, int], ...]  # (customer id, stage)
    needed: int
    stage: int

    def told_first(self, managers: list[Customer]) -> list[Customer]:
        """The managers told when the request is made: everyone in scope under the default
        rule, else the approvers of the first stage."""
        if self.rule == ApprovalRule.ANY:
            return managers
        first = {customer_id for customer_id, stage in self.approvers if stage == self.stage}
        return [m for m in managers if m.id in first]


def checked_rule(rule: ApprovalRule | str, count: int | None) -> tuple[ApprovalRule, int | None]:
    """A catalog action's rule as an admin chose it; N only for *Pelo menos N* (≥ 1)."""
    try:
        chosen = ApprovalRule(rule)
    except ValueError:
        raise InvalidInput(N_("Choose an approval rule from the list.")) from None
    if chosen != ApprovalRule.AT_LEAST:
        return chosen, None
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= RULE_COUNT_MAX:
        raise InvalidInput(N_("The number of approvals must be a whole number from 1 to {max}."), max=RULE_COUNT_MAX)
    return chosen, count


def plan(action: CatalogAction, organization_id: int | None, managers: list[Customer]) -> Plan:
    """The approvers of a new request of `action`, from the active managers in scope
    (the ticket's organization and its parent). A stage without a manager is skipped."""
    if action.rule == ApprovalRule.ANY:
        return Plan(ApprovalRule.ANY, (), 1, 1)
    ids = list(dict.fromkeys(m.id for m in managers if m.id is not None))
    if action.rule == ApprovalRule.ALL:
        return Plan(action.rule, tuple((i, 1) for i in ids), len(ids), 1)
    if action.rule == ApprovalRule.AT_LEAST:
        needed = action.rule_count or 1
        if needed > len(ids):
            raise InvalidInput(
                N_("This action needs {needed} approvals, but only {managers} managers can answer for this ticket."),
                needed=needed,
                managers=len(ids),
            )
        return Plan(action.rule, tuple((i, 1) for i in ids), needed, 1)
    own = [m.id for m in managers if m.id is not None and m.organization_id == organization_id]
    parent = [m.id for m in managers if m.id is not None and m.organization_id != organization_id]
    stages = [(number, people) for number, people in ((1, own), (2, parent)) if people]
    approvers = tuple((i, number) for number, people in stages for i in people)
    return Plan(action.rule, approvers, len(stages), stages[0][0] if stages else 1)


def check_may_answer(request: ActionRequest, approver: RequestApprover | None, answered: bool) -> None:
    """Only an approver fixed at request time, of the stage now asked, once."""
    if approver is None:
        raise Forbidden(NOT_AN_APPROVER)
    if answered:
        raise Conflict(ALREADY_ANSWERED)
    if approver.stage != request.stage:
        raise Forbidden(STAGE_NOT_REACHED)


def outcome_of(request: ActionRequest, approved: bool) -> Outcome:
    """What one more answer would do to the request, judged from its counters alone (the
    cost of an answer does not grow with the answers already given). The request knows
    the number of approvers fixed when it was made: under *Pelo menos N* a rejection
    rejects only once N approvals can no longer be reached."""
    approvals = request.approvals_count + (1 if approved else 0)
    answered = request.answers_count + 1
    if request.rule == ApprovalRule.AT_LEAST:
        if approvals >= request.approvals_needed:
            return Outcome.APPROVED
        still_possible = approvals + (request.approvers_count - answered)
        return Outcome.REJECTED if still_possible < request.approvals_needed else Outcome.WAITING
    if not approved:
        return Outcome.REJECTED  # *Todos*: one rejection rejects; *Em etapas*: each stage is "any one"
    if approvals >= request.approvals_needed:
        return Outcome.APPROVED
    return Outcome.NEXT_STAGE if request.rule == ApprovalRule.STAGES else Outcome.WAITING


def count(request: ActionRequest, answer: RequestAnswer, outcome: Outcome) -> None:
    """Adds `answer` to the request's counters (`outcome` is `outcome_of` it)."""
    request.answers_count += 1
    if answer.approved:
        request.approvals_count += 1
    if outcome == Outcome.NEXT_STAGE:
        request.stage = 2


def still_to_answer(uow: UnitOfWork, requests: Sequence[ActionRequest]) -> dict[int, set[int]]:
    """For the requests under a multi-answer rule: the approvers asked now who have not
    answered (one statement for a whole batch)."""
    return uow.answers.unanswered([r.id for r in requests if r.rule != ApprovalRule.ANY and r.id is not None])


def to_remind(request: ActionRequest, managers: list[Customer], unanswered: dict[int, set[int]]) -> list[Customer]:
    """Of the managers in scope, the ones a reminder of `request` goes to: all of them under
    the default rule, else the approvers of the stage asked now who have not answered."""
    if request.rule == ApprovalRule.ANY:
        return managers
    asked = unanswered.get(request.id or 0, set())
    return [m for m in managers if m.id in asked]


@dataclass(frozen=True)
class Progress:
    """"1 de 2 aprovações" and who answered, for the pages and the e-mails."""

    rule: ApprovalRule
    approvals: int
    needed: int
    answers: tuple[AnswerView, ...] = ()
    # For a manager reading it: why they may not answer (already answered, not asked,
    # not their stage yet) as a message id; None when they may.
    blocked: str | None = None


@dataclass(frozen=True)
class AnswerView:
    name: str
    approved: bool
    reason: str
    at: datetime
    on_behalf_of_name: str | None = None
