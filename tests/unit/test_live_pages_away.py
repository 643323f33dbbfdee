"""A page whose browser is not connected (still loading, or away until its reconnect
timeout) is not offered the events one by one: it gets them, in order and filtered as
usual, when its browser connects. The pages of plain GETs that never connect (a mail
scanner, a prefetch) then cost one list append per commit during a burst of 5,000 expiries,
instead of their filters running for every event (docs/benchmarks.md §5)."""

from __future__ import annotations

from typing import Any

from domain.events import ActionExpired, ActionRequested, DomainEvent
from ui.live import PageSubscription


class Browser:
    """The parts of a NiceGUI client a page's subscription looks at."""

    def __init__(self, connected: bool) -> None:
        self.has_socket_connection = connected
        self.is_deleted = False
        self.request: Any = None


def requested(request_id: int) -> ActionRequested:
    return ActionRequested(request_id=request_id, ticket_id=request_id, ticket_number=request_id,
                           action_name="Reembolso")


def expired(request_id: int) -> ActionExpired:
    return ActionExpired(request_id=request_id, ticket_id=request_id, ticket_number=request_id,
                         action_name="Reembolso")


def subscription(browser: Browser, seen: list[DomainEvent], offered: list[DomainEvent]) -> PageSubscription:
    def concerns(event: DomainEvent) -> bool:
        offered.append(event)
        return getattr(event, "request_id", 0) % 2 == 1  # the page shows the odd requests

    return PageSubscription(browser, seen.append, concerns)  # type: ignore[arg-type]


def test_events_reach_a_connected_page_at_once_filtered() -> None:
    seen: list[DomainEvent] = []
    page = subscription(Browser(connected=True), seen, [])
    page.deliver([requested(1), requested(2), expired(3)])
    assert seen == [requested(1), expired(3)]


def test_a_page_without_its_browser_gets_the_events_in_order_when_it_connects() -> None:
    browser = Browser(connected=False)
    seen: list[DomainEvent] = []
    offered: list[DomainEvent] = []
    page = subscription(browser, seen, offered)
    for request_id in range(1, 301):  # a burst's commits while the page loads
        page.deliver([requested(request_id), expired(request_id)])
    assert seen == [] and offered == []  # not even looked at yet

    browser.has_socket_connection = True
    page.release()
    odd = [event for request_id in range(1, 301, 2) for event in (requested(request_id), expired(request_id))]
    assert seen == odd
    page.deliver([requested(301)])
    assert seen[-1] == requested(301)
    page.release()  # a reconnect later hands over nothing twice
    assert len(seen) == len(odd) + 1


def test_a_page_whose_client_was_deleted_gets_nothing() -> None:
    browser = Browser(connected=False)
    seen: list[DomainEvent] = []
    page = subscription(browser, seen, [])
    page.deliver([requested(1)])
    browser.is_deleted = True
    browser.has_socket_connection = True
    page.release()
    page.deliver([requested(3)])
    assert seen == []
