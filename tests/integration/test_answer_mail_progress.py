"""What a mail of a *Todos os gerentes* request says of its answers, on both engines: the
counts, and only the latest few answerers, oldest first (one windowed statement; a request
to 1,000 managers must not write 999 names into each of its mails)."""

from __future__ import annotations

import json

from persistence_support import ANA, BRUNO, FABIO, MARCIA, Database, PlainHasher

from domain import admin, approvals
from domain.access import Actor
from domain.admin import CustomerFields
from domain.routing import MAIL_ANSWERS_MAX

ALL_MANAGERS = "Rescindir contrato"  # the demo's action under *Todos os gerentes*


def test_the_evaluation_mail_counts_every_answer_and_names_the_latest(database: Database) -> None:
    ana = database.agent(ANA)
    filial = int(database.scalar("SELECT id FROM organizations WHERE name = 'Filial Norte'"))
    extra = [
        Actor.customer(
            database.run(
                admin.create_customer,
                ana,
                PlainHasher(),
                CustomerFields(f"Gerente {i:02d}", f"g{i}@example.test", filial, True, True, password="secret-123"),
            )
        )
        for i in range(MAIL_ANSWERS_MAX + 2)
    ]
    answering = [database.customer(FABIO), database.customer(MARCIA), *extra]  # 14 managers concerned
    request_id = database.run(approvals.request_action, database.agent(BRUNO), 1, database.action_id(ALL_MANAGERS))
    for manager in answering[:-1]:
        database.run(approvals.approve, manager, request_id)
    database.run(approvals.reject, answering[-1], request_id, "Ainda não.")

    raw = database.scalar(
        "SELECT payload FROM outbox_messages WHERE kind = 'request_evaluated' AND recipient_email = :e",
        e=BRUNO,
    )
    progress = (json.loads(raw) if isinstance(raw, str) else raw)["progress"]
    counts = (progress["rule"], progress["approvals"], progress["needed"], progress["answers_count"])
    assert counts == ("all", 13, 14, 14)
    latest = progress["answers"]
    assert [a["name"] for a in latest] == [f"Gerente {i:02d}" for i in range(2, MAIL_ANSWERS_MAX + 2)]
    assert [a["approved"] for a in latest] == [True] * (MAIL_ANSWERS_MAX - 1) + [False]
    assert latest[-1]["reason"] == "Ainda não."
