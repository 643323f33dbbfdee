"""One-decision links for managers (spec §11): the Aprovar and Reprovar buttons of a
request e-mail (and of its Web Push message) open `/e/{token}`.

Opening the page reads; only its confirmation decides, through the same evaluation as
the portal (`approvals.evaluate`), with every right checked at that moment and the token
consumed in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass

from . import approvals, clock, standins
from .access import Actor
from .errors import AlreadyDecided, NotFound
from .link_tokens import token_hash, well_formed
from .messages import N_
from .model import Customer, EmailLink, LinkDecision, RequestState, Via
from .ports import UnitOfWork
from .service import read_only
from .validation import NOTE_MAX, clean_text
from .views import RequestRow, TicketDetail

INVALID_LINK = N_("Invalid or expired link.")


class InvalidLink(NotFound):
    """Unknown, malformed, forged, expired, or its manager lost the right: one answer for
    all, so a guesser learns nothing."""

    def __init__(self) -> None:
        super().__init__(INVALID_LINK)



@dataclass(frozen=True)
class LinkView:
    """What the page shows: the decision the link carries, the request and its ticket,
    the manager's name, language and time zone (None: the installation's); `ended` says
    how the request ended, if it did."""

    decision: LinkDecision
    manager_name: str
    locale: str | None
    detail: TicketDetail
    row: RequestRow
    ended: AlreadyDecided | None
    timezone: str | None = None


def _usable(uow: UnitOfWork, token: str) -> tuple[EmailLink, Customer]:
    """The stored link and its manager, when the token may still be shown: known, not
    expired, its manager still an active manager in scope, its ticket out of the trash."""
    link = uow.email_links.by_hash(token_hash(token))
    if link is None or not well_formed(token) or clock.now() >= link.expires_at:
        raise InvalidLink()
    manager = uow.customers.get(link.customer_id)
    request = uow.requests.get(link.request_id)
    ticket = uow.tickets.get(request.ticket_id) if request else None
    owner = uow.customers.get(ticket.customer_id) if ticket else None
    if manager is None or ticket is None or owner is None or ticket.in_trash or owner.in_trash:
        raise InvalidLink()
    # A stand-in's link is good while their period runs, as their portal is (spec §13).
    if standins.answers_as(uow, manager, approvals.ticket_organization(uow, ticket)) is None:
        raise InvalidLink()
    return link, manager


@read_only
def open_link(uow: UnitOfWork, token: str) -> LinkView:
    """The page behind a link. Writes nothing: mail scanners and previewers open every
    link of a mail."""
    with uow:
        link, manager = _usable(uow, token)
        row = uow.requests.row(link.request_id)
        detail = uow.tickets.detail(row.ticket_id) if row else None
        if row is None or detail is None:
            raise InvalidLink()
        ended = None if row.state == RequestState.AWAITING_APPROVAL else approvals.already_decided_error(row)
        return LinkView(link.decision, manager.name, manager.locale, detail, row, ended, manager.timezone)


def confirm_link(uow: UnitOfWork, token: str, reason: str = "") -> LinkDecision:
    """The page's button: decides as the link's manager, through the portal's evaluation,
    and consumes the token in the same transaction. Of two confirmations at once (two
    tabs, a replayed form, a portal decision by another manager) one decides; the other
    is told who did (AlreadyDecided)."""

    def attempt() -> LinkDecision:
        with uow:
            return _confirm(uow, token, reason)

    return approvals.retry_raced_answers(attempt)


def _confirm(uow: UnitOfWork, token: str, reason: str) -> LinkDecision:
    link, manager = _usable(uow, token)
    approve = link.decision == LinkDecision.APPROVE
    if not approve:
        reason = clean_text(reason, label=N_("Reason"), max_len=NOTE_MAX, multiline=True)
    assert link.id is not None and manager.id is not None

    def consume() -> None:
        if not uow.email_links.consume(link.id or 0, clock.now()):
            raise approvals.lost_to_another_decision(uow, link.request_id)

    approvals.evaluate(
        uow,
        Actor.customer(manager.id),
        link.request_id,
        approve=approve,
        reason="" if approve else reason,
        via=Via.EMAIL,
        claim=consume,
    )
    return link.decision
