"""The schema, and the imperative mapping of the domain's plain classes onto it."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import registry

from domain.model import (
    AccessToken,
    AccountSettings,
    ActionRequest,
    Agent,
    AgentNotification,
    AgentRole,
    ApprovalRule,
    CatalogAction,
    Channel,
    Customer,
    DueKind,
    DueWork,
    EmailLink,
    HistoryEntry,
    HistoryKind,
    LinkDecision,
    NotificationKind,
    Organization,
    OutboxMessage,
    OutboxStatus,
    PushSubscription,
    RequestAnswer,
    RequestApprover,
    RequestState,
    Ticket,
    TicketStatus,
    Via,
    WebhookEndpoint,
)
from domain.standins import Absence

from .types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _enum(enum: type[StrEnum], name: str) -> Enum:
    # Stored as plain strings (no native enum type) so adding a state is a code change,
    # not a schema migration on PostgreSQL.
    return Enum(enum, name=name, native_enum=False, create_constraint=False, length=32,
                values_callable=lambda members: [m.value for m in members])


account_settings = Table(
    "account_settings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("approvals_enabled", Boolean, nullable=False, default=False),
    Column("last_ticket_number", Integer, nullable=False, default=0),
    Column("reminder_every_hours", Integer),
    Column("reminder_max", Integer, nullable=False, default=0),
)

agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", _enum(AgentRole, "agent_role"), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("locale", String(10)),
    Column("timezone", String(64)),
)

organizations = Table(
    "organizations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("parent_id", Integer, ForeignKey("organizations.id"), index=True),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("organization_id", Integer, ForeignKey("organizations.id"), index=True),
    Column("is_manager", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("in_trash", Boolean, nullable=False, default=False),
    Column("trashed_at", UTCDateTime()),
    Column("locale", String(10)),
    Column("timezone", String(64)),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", Integer, nullable=False, unique=True),
    Column("subject", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("assigned_agent_id", Integer, ForeignKey("agents.id"), index=True),
    Column("status", _enum(TicketStatus, "ticket_status"), nullable=False),
    Column("in_trash", Boolean, nullable=False, default=False),
    Column("trashed_at", UTCDateTime()),
    Column("trashed_with_customer", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_tickets_list", "in_trash", "updated_at", "id"),
    Index("ix_tickets_status_list", "in_trash", "status", "updated_at", "id"),
    Index("ix_tickets_customer_trash", "customer_id", "in_trash"),  # a manager's scope (0003)
)

# What the tickets' triggers add up (migration 0014): a row per change, +n or −n for a
# (status, trash) pair, folded now and then (persistence.ticket_tallies). The unfiltered
# ticket lists sum these few rows instead of counting every ticket.
ticket_tallies = Table(
    "ticket_tallies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("status", String(32), nullable=False),
    Column("in_trash", Boolean, nullable=False),
    Column("n", Integer, nullable=False),
)

history_entries = Table(
    "history_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False),
    Column("kind", _enum(HistoryKind, "history_kind"), nullable=False),
    Column("actor_name", String(120), nullable=False),
    Column("body", Text, nullable=False, default=""),
    Column("request_id", Integer, ForeignKey("action_requests.id")),
    Column("action_name", String(120)),
    Column("at", UTCDateTime(), nullable=False),
    Column("via", _enum(Via, "decision_via")),  # a decision's channel (0007)
    Column("on_behalf_of_name", String(120)),  # a stand-in's decision: the absent manager (0011)
    Index("ix_history_ticket_at", "ticket_id", "at", "id"),
)

catalog_actions = Table(
    "catalog_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("name_key", String(120), nullable=False, unique=True),
    Column("description", String(500), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("deadline_hours", Integer),
    Column("rule", _enum(ApprovalRule, "approval_rule"), nullable=False, server_default="any"),
    Column("rule_count", Integer),
)

action_requests = Table(
    "action_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("action_id", Integer, ForeignKey("catalog_actions.id"), nullable=False),
    Column("action_name", String(120), nullable=False),
    Column("action_description", String(500), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("state", _enum(RequestState, "request_state"), nullable=False),
    Column("requested_by_agent_id", Integer, ForeignKey("agents.id"), nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime()),
    Column("evaluated_by_customer_id", Integer, ForeignKey("customers.id")),
    Column("evaluated_on_behalf_of_id", Integer, ForeignKey("customers.id")),  # a stand-in's decision (0011)
    Column("reason", Text, nullable=False, default=""),
    Column("cancelled_by_agent_id", Integer, ForeignKey("agents.id")),
    Column("cancelled_by_customer_id", Integer, ForeignKey("customers.id")),
    Column("deadline", UTCDateTime()),
    Column("reminded_at", UTCDateTime()),
    Column("version", Integer, nullable=False),
    # A snapshot like action_name (0009): the reports group by it without joining tickets.
    Column("organization_id", Integer),
    # The approval rule and its counters, fixed when the request is made (0010).
    Column("rule", _enum(ApprovalRule, "approval_rule"), nullable=False, server_default="any"),
    Column("approvals_needed", Integer, nullable=False, server_default="1"),
    Column("approvals_count", Integer, nullable=False, server_default="0"),
    Column("answers_count", Integer, nullable=False, server_default="0"),
    Column("approvers_count", Integer, nullable=False, server_default="0"),
    Column("stage", Integer, nullable=False, server_default="1"),
    # Spec §3: at most one request awaiting approval per ticket, whatever the app does.
    Index(
        "uq_action_requests_one_awaiting",
        "ticket_id",
        unique=True,
        sqlite_where=text("state = 'awaiting_approval'"),
        postgresql_where=text("state = 'awaiting_approval'"),
    ),
    Index("ix_action_requests_awaiting", "state", "requested_at"),
    # The reports (0009): what was decided in a period, each week an index range; with
    # the columns the figures read, the index alone answers them.
    Index("ix_action_requests_decided", "decided_at", "state", "requested_at", "action_id", "organization_id"),
)

# The managers a multi-answer request asks, fixed when it is made, and each one's answer:
# one per manager per request, whatever the clicks racing each other.
request_approvers = Table(
    "request_approvers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("request_id", Integer, ForeignKey("action_requests.id"), nullable=False),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("stage", Integer, nullable=False),
    UniqueConstraint("request_id", "customer_id", name="uq_request_approvers_one"),
    # The badge: a manager's approver rows, read by customer.
    Index("ix_request_approvers_customer", "customer_id", "request_id"),
)

request_answers = Table(
    "request_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("request_id", Integer, ForeignKey("action_requests.id"), nullable=False),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("approved", Boolean, nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("on_behalf_of_id", Integer, ForeignKey("customers.id")),
    Column("at", UTCDateTime(), nullable=False),
    # Whose place the answer fills: the absent manager for a stand-in, else the one who
    # answered. One answer per place (0011; before it, one per person).
    Column("slot_id", Integer, ForeignKey("customers.id"), nullable=False),
    Index("uq_request_answers_one", "request_id", "slot_id", unique=True),
    # A mail names a request's latest answers: read from the end of this index, not sorted.
    Index("ix_request_answers_latest", "request_id", "at", "id"),
)

# *Ausência* (spec §13): the stand-in answers for the manager from starts_at to ends_at.
absences = Table(
    "absences",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("manager_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("standin_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    # Every page load asks whether its reader stands in now; every request, who stands in
    # for its managers.
    Index("ix_absences_standin", "standin_id", "ends_at"),
    Index("ix_absences_manager", "manager_id", "ends_at"),
)

agent_notifications = Table(
    "agent_notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agent_id", Integer, ForeignKey("agents.id"), nullable=False),
    Column("kind", _enum(NotificationKind, "notification_kind"), nullable=False),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False),
    Column("ticket_number", Integer, nullable=False),
    Column("request_id", Integer, ForeignKey("action_requests.id"), nullable=False),
    Column("action_name", String(120), nullable=False),
    Column("actor_name", String(120), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("read_at", UTCDateTime()),
    Column("on_behalf_of_name", String(120)),
    Index("ix_agent_notifications_agent", "agent_id", "read_at", "created_at"),
)

outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dedup_key", String(200), nullable=False, unique=True),
    Column("channel", _enum(Channel, "outbox_channel"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("recipient_kind", String(20), nullable=False),
    Column("recipient_id", Integer, nullable=False),
    Column("recipient_email", String(254), nullable=False),
    Column("locale", String(10)),
    Column("payload", JSON, nullable=False),
    Column("status", _enum(OutboxStatus, "outbox_status"), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime()),
    Column("claimed_until", UTCDateTime()),
    Index("ix_outbox_due", "status", "next_attempt_at"),
)

push_subscriptions = Table(
    "push_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("endpoint", String(2000), nullable=False, unique=True),
    Column("p256dh", String(200), nullable=False),
    Column("auth", String(100), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# A manager's one-decision links (spec §11), looked up by the hash of the token; the
# token itself is never stored.
email_links = Table(
    "email_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("request_id", Integer, ForeignKey("action_requests.id"), nullable=False, index=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("decision", _enum(LinkDecision, "link_decision"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime()),
)

due_work = Table(
    "due_work",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", _enum(DueKind, "due_kind"), nullable=False),
    Column("subject_id", Integer, nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("runs", Integer, nullable=False, default=0),
    UniqueConstraint("kind", "subject_id", name="uq_due_work_subject"),
    Index("ix_due_work_due", "due_at"),
)

access_tokens = Table(
    "access_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner_kind", String(20), nullable=False),
    Column("owner_id", Integer, nullable=False),
    Column("name", String(80), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(20), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime()),
    Column("last_used_at", UTCDateTime()),
    Column("revoked_at", UTCDateTime()),
    Index("ix_access_tokens_owner", "owner_kind", "owner_id"),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("events", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Failed sign-in attempts per "pair:<address>|<account>" and "address:<address>" key
# (domain/login_throttle.py); shared by every instance and kept across restarts. Not
# mapped to a class: persistence/login_throttle.py reads and writes it directly.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("since", UTCDateTime(), nullable=False),
    Column("last", UTCDateTime(), nullable=False, index=True),
)

mapper_registry = registry(metadata=metadata)
_mapped = False


def start_mappers() -> None:
    """Map the domain classes once per process (the test runner builds the app often)."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(AccountSettings, account_settings)
    mapper_registry.map_imperatively(Agent, agents)
    mapper_registry.map_imperatively(Organization, organizations)
    mapper_registry.map_imperatively(Customer, customers)
    mapper_registry.map_imperatively(Ticket, tickets)
    mapper_registry.map_imperatively(HistoryEntry, history_entries)
    mapper_registry.map_imperatively(CatalogAction, catalog_actions)
    # The version column turns every update into "UPDATE … WHERE version = <read>": of two
    # concurrent evaluations, the second updates no row and fails instead of overwriting.
    mapper_registry.map_imperatively(ActionRequest, action_requests, version_id_col=action_requests.c.version)
    mapper_registry.map_imperatively(RequestApprover, request_approvers)
    mapper_registry.map_imperatively(RequestAnswer, request_answers)
    mapper_registry.map_imperatively(Absence, absences)
    mapper_registry.map_imperatively(AgentNotification, agent_notifications)
    mapper_registry.map_imperatively(OutboxMessage, outbox_messages)
    mapper_registry.map_imperatively(PushSubscription, push_subscriptions)
    mapper_registry.map_imperatively(EmailLink, email_links)
    mapper_registry.map_imperatively(DueWork, due_work)
    mapper_registry.map_imperatively(AccessToken, access_tokens)
    mapper_registry.map_imperatively(WebhookEndpoint, webhook_endpoints)
    _mapped = True
