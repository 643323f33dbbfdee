"""What a mail of a *Todos os gerentes* request says of its answers, on both engines: the
counts, and only the latest few answerers, oldest first (one windowed statement; a request
to 1,000 managers must not write 999 names into each of its mails)."""

from __future__ import annotations

import json
from typing import Any

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


def test_the_latest_answers_of_several_requests_are_read_in_one_statement(database: Database) -> None:
    # A reminder round's batch: each request's own latest answers, oldest first.
    action = database.action_id(ALL_MANAGERS)
    bruno, fabio, marcia = database.agent(BRUNO), database.customer(FABIO), database.customer(MARCIA)
    first = database.run(approvals.request_action, bruno, 1, action)
    second = database.run(approvals.request_action, bruno, 2, action)
    database.run(approvals.approve, marcia, first)
    database.run(approvals.approve, fabio, second)
    database.run(approvals.approve, marcia, second)

    def read(uow: Any) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
        with uow:
            both = uow.answers.latest_views([first, second], 1)
            one = uow.answers.latest_views([second], 5)
            names = {r: [a.name for a in views] for r, views in both.items()}
            return names, {r: [a.name for a in views] for r, views in one.items()}

    both, one = database.run(read)
    assert both == {first: ["Márcia Gerente"], second: ["Márcia Gerente"]}  # the latest one of each
    assert one == {second: ["Fábio Gerente", "Márcia Gerente"]}
