"""Reading a manager's one-decision links the way the mail carries them: from the outbox
row written with the request (the only place the raw tokens exist)."""

from __future__ import annotations

import json

from persistence_support import Database


def links_of(db: Database, request_id: int, manager_email: str) -> dict[str, str]:
    """{"approve": token, "reject": token} of that manager's request mail."""
    raw = db.scalar(
        "SELECT o.payload FROM outbox_messages o JOIN customers c ON c.id = o.recipient_id "
        "WHERE o.kind = 'request_created' AND o.channel = 'email' AND c.email = :email "
        "AND o.dedup_key LIKE :key",
        email=manager_email,
        key=f"request:{request_id}:%",
    )
    payload = json.loads(raw) if isinstance(raw, str) else raw
    return {decision: payload[f"{decision}_path"].removeprefix("/e/") for decision in ("approve", "reject")}
