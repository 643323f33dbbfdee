"""Every entity comes back from the database as it went in: enums as enums, datetimes
aware in UTC, JSON as JSON — on both engines."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import Any

from persistence_support import Database
from sqlalchemy import text

from domain.model import (
    AccountSettings,
    ActionRequest,
    Agent,
    AgentNotification,
    AgentRole,
    CatalogAction,
    Channel,
    Customer,
    HistoryEntry,
    HistoryKind,
    NotificationKind,
    Organization,
    OutboxMessage,
    OutboxStatus,
    PushSubscription,
    RequestState,
    Ticket,
    TicketStatus,
)

SAO_PAULO = timezone(timedelta(hours=-3))
WHEN = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=SAO_PAULO)
WHEN_UTC = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 18, 0, 0, 654321, tzinfo=UTC)

PAYLOAD: dict[str, object] = {
    "request_id": 7,
    "ticket_subject": "Cobrança em duplicidade — ação “urgente” ✅",
    "note": "linha 1\nlinha 2",
    "amount": 12.5,
    "approved": True,
    "reason": None,
    "tags": ["a", "ç", 3],
    "nested": {"path": "/portal/approvals/7", "deep": {"list": [1, {"x": "y"}]}},
}


def _build_graph(db: Database) -> list[Any]:
    """One of each entity, every optional field filled, committed."""
    with db.uow() as uow:
        agent = Agent("Zé Agente", "ze.agente@example.test", "hash", AgentRole.ADMIN, active=False, locale="en")
        uow.agents.add(agent)
        parent = Organization("Grupo Ação")
        uow.organizations.add(parent)
        uow.flush()
        child = Organization("Filial Sul", parent_id=parent.id)
        uow.organizations.add(child)
        uow.flush()
        customer = Customer(
            "Çíntia Cliente", "cintia@example.test", "hash", child.id, is_manager=True, active=False,
            in_trash=True, trashed_at=WHEN, locale="pt_BR",
        )
        uow.customers.add(customer)
        action = CatalogAction("Reembólso Especial", "Devolve “tudo”.", active=False)
        uow.catalog.add(action)
        uow.flush()
        assert customer.id is not None and agent.id is not None and action.id is not None
        ticket = Ticket(
            number=uow.settings.next_ticket_number(), subject="Assunto ✅", description="Descrição\nlonga",
            customer_id=customer.id, assigned_agent_id=agent.id, status=TicketStatus.IN_PROGRESS, in_trash=True,
            trashed_at=WHEN, trashed_with_customer=True, created_at=WHEN, updated_at=LATER,
        )
        uow.tickets.add(ticket)
        uow.flush()
        assert ticket.id is not None
        request = ActionRequest(
            ticket_id=ticket.id, action_id=action.id, action_name=action.name,
            action_description=action.description, requested_by_agent_id=agent.id, note="Por favor",
            state=RequestState.REJECTED, requested_at=WHEN, decided_at=LATER,
            evaluated_by_customer_id=customer.id, reason="Não agora",
            cancelled_by_agent_id=agent.id, cancelled_by_customer_id=customer.id,
        )
        uow.requests.add(request)
        uow.flush()
        assert request.id is not None
        entities: list[Any] = [
            agent, parent, child, customer, action, ticket, request,
            HistoryEntry(ticket.id, HistoryKind.ACTION_REJECTED, "Çíntia", "Não agora", request.id, action.name, WHEN),
            AgentNotification(
                agent.id, NotificationKind.REJECTED, ticket.id, ticket.number, request.id, action.name, "Çíntia",
                "Não agora", created_at=WHEN, read_at=LATER,
            ),
            OutboxMessage(
                "request:1:rejected:agent:1:email", Channel.EMAIL, "request_evaluated", "agent", agent.id,
                agent.email, "en", PAYLOAD, status=OutboxStatus.FAILED, attempts=3, next_attempt_at=LATER,
                last_error="SMTP 451", created_at=WHEN, sent_at=LATER,
            ),
            PushSubscription(customer.id, "https://push.example.test/" + "e" * 500, "p" * 87, "a" * 22, WHEN),
        ]
        for entity in entities[7:]:
            uow.session.add(entity)
        settings = uow.settings.get()
        settings.approvals_enabled = False
        uow.commit()
    return [settings, *entities]


def _fields(entity: Any) -> dict[str, Any]:
    return {f.name: getattr(entity, f.name) for f in dataclasses.fields(entity)}


def test_every_entity_round_trips(database: Database) -> None:
    originals = _build_graph(database)
    with database.uow() as uow:
        assert uow.session is not None
        for original in originals:
            loaded = uow.session.get(type(original), original.id)
            assert loaded is not None and loaded is not original, type(original).__name__
            expected, actual = _fields(original), _fields(loaded)
            assert actual == expected, type(original).__name__
            for name, value in expected.items():
                # An enum must come back as that enum, not as its bare string value.
                assert type(actual[name]) is type(value), f"{type(original).__name__}.{name}"
                if isinstance(value, Enum):
                    assert actual[name] is value


def test_enum_columns_store_the_values_the_migrations_expect(database: Database) -> None:
    """The text in the column is the enum's value (the partial index filters on it)."""
    _build_graph(database)
    row = database.rows(
        "SELECT r.state, t.status, a.role FROM action_requests r "
        "JOIN tickets t ON t.id = r.ticket_id JOIN agents a ON a.id = r.requested_by_agent_id "
        "WHERE a.email = 'ze.agente@example.test'"
    )[0]
    assert tuple(row) == ("rejected", "in_progress", "admin")


def test_datetimes_come_back_aware_in_utc_whatever_the_session_time_zone(database: Database) -> None:
    _build_graph(database)
    with database.uow() as uow:
        assert uow.session is not None
        if database.kind == "postgresql":
            # The server hands timestamptz back in the session's zone; the type must undo it.
            uow.session.execute(text("SET TIME ZONE 'America/Sao_Paulo'"))
        ticket = uow.tickets.by_number(6)
        assert ticket is not None
        for value, expected in ((ticket.created_at, WHEN_UTC), (ticket.updated_at, LATER), (ticket.trashed_at, WHEN)):
            assert value is not None
            assert value.tzinfo is UTC, value
            assert value == expected
            assert value.isoformat() == expected.astimezone(UTC).isoformat()


def test_naive_datetimes_are_taken_as_utc(database: Database) -> None:
    naive = datetime(2026, 5, 4, 3, 2, 1, 500)
    customer_id = database.customer("joao.cliente@demo.test").id
    with database.uow() as uow:
        ticket = Ticket(number=99, subject="Naive", description="", customer_id=customer_id,
                        created_at=naive, updated_at=naive)
        uow.tickets.add(ticket)
        uow.commit()
    with database.uow() as uow:
        loaded = uow.tickets.by_number(99)
        assert loaded is not None
        assert loaded.created_at == naive.replace(tzinfo=UTC)
        assert loaded.created_at.tzinfo is UTC


def test_json_payload_round_trips_and_stays_a_dict(database: Database) -> None:
    _build_graph(database)
    with database.uow() as uow:
        (message,) = uow.outbox.recent(status="failed")
        assert message.payload == PAYLOAD
        assert isinstance(message.payload["nested"], dict)
        assert message.payload["reason"] is None


def test_request_version_goes_up_with_every_change(database: Database) -> None:
    """The optimistic lock the concurrent evaluations rely on."""
    _build_graph(database)
    with database.uow() as uow:
        assert uow.session is not None
        request = uow.session.query(ActionRequest).one()
        assert request.version == 1
        request.reason = "changed"
        uow.commit()
    assert database.scalar("SELECT version FROM action_requests") == 2


def test_settings_is_a_single_row_created_on_demand(database: Database) -> None:
    with database.uow() as uow:
        settings = uow.settings.get()
        assert isinstance(settings, AccountSettings)
        assert settings.id == 1 and settings.approvals_enabled is True  # the demo turned them on
        assert settings.last_ticket_number == 5
    assert database.scalar("SELECT count(*) FROM account_settings") == 1
