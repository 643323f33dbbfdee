"""What the admin pages say about webhooks: each event in words, and each failed delivery
in the admin's language (the sender's technical detail is kept beside it, folded)."""

from __future__ import annotations

from domain.model import WebhookEvent
from domain.outbox import DeliveryFailure

from ..i18n import _


def event_text(event: WebhookEvent) -> str:
    match event:
        case WebhookEvent.REQUEST_CREATED:
            return _("an agent asked for an approval")
        case WebhookEvent.REQUEST_APPROVED:
            return _("the request was approved")
        case WebhookEvent.REQUEST_REJECTED:
            return _("the request was rejected")
        case WebhookEvent.REQUEST_CANCELLED:
            return _("the agent cancelled the request")
        case WebhookEvent.REQUEST_EXPIRED:
            return _("the request expired without a decision")
    return event.value


def webhook_failure_text(kind: DeliveryFailure | None) -> str:
    match kind:
        case DeliveryFailure.CONNECTION_REFUSED:
            return _("The webhook receiver refused the connection.")
        case DeliveryFailure.TIMEOUT:
            return _("The webhook receiver did not answer in time.")
        case DeliveryFailure.HOST_NOT_FOUND:
            return _("The name in the webhook address was not found.")
        case DeliveryFailure.UNREACHABLE:
            return _("The webhook receiver could not be reached.")
        case DeliveryFailure.TLS:
            return _(
                "The secure connection (TLS) to the webhook receiver failed: its certificate is not trusted, "
                "has expired or is for another name."
            )
        case DeliveryFailure.SERVER_REFUSED:
            return _("The webhook receiver answered with an error.")
        case DeliveryFailure.ADDRESS_REFUSED:
            return _("Not sent: the webhook address is not a public https:// address.")
        case DeliveryFailure.REDIRECTED:
            return _("The webhook receiver answered with a redirect, which is not followed.")
        case DeliveryFailure.INTERNAL:
            return _("An error inside the help desk stopped this delivery; it will be tried again.")
    return _("The delivery failed.")
