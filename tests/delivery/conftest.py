"""The delivery tests' real SMTP server (aiosmtpd, tests/delivery/outbox_support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from outbox_support import Mailbox, SmtpServer


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp(mailbox: Mailbox) -> Iterator[SmtpServer]:
    server = SmtpServer(mailbox)
    server.start()
    yield server
    server.stop()
