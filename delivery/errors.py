"""Failure types shared by the senders.

The callers keep undelivered notifications in an outbox (spec §6: a mail server that is
down delays email, it does not drop it), so the one decision they need from a sender is
whether trying the same message again later can ever succeed.
"""

from domain.outbox import DeliveryFailure


class DeliveryError(Exception):
    """A notification could not be delivered.

    ``permanent=True``: retrying this message will never work (recipient refused, payload
    rejected). ``permanent=False``: the server, the network or our configuration is at
    fault, so the message must be kept and retried. ``kind`` says what went wrong in
    terms the admins' outbox page translates; ``message`` is the technical detail.
    """

    def __init__(self, message: str, permanent: bool, kind: DeliveryFailure = DeliveryFailure.PUSH_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.kind = kind

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, permanent={self.permanent}, kind={self.kind.value})"


class SubscriptionGone(DeliveryError):
    """The push service says the browser subscription no longer exists: delete it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)
