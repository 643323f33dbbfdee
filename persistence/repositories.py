"""Repositories over one SQLAlchemy session. List views are single queries with joins;
nothing here loads a whole table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    column,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    table,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from domain.answers import AnswerView
from domain.model import (
    AccessToken,
    AccountSettings,
    ActionRequest,
    Agent,
    AgentNotification,
    ApprovalRule,
    CatalogAction,
    Customer,
    DueKind,
    DueWork,
    EmailLink,
    HistoryEntry,
    LinkBatch,
    LinkDecision,
    Organization,
    OutboxMessage,
    OutboxStatus,
    PushSubscription,
    RequestAnswer,
    RequestApprover,
    RequestState,
    Ticket,
    WebhookEndpoint,
)
from domain.views import Page, ReminderTarget, RequestRow, TicketDetail, TicketFilter, TicketRow, TrashRow

from .tables import access_tokens as tokens_table
from .tables import (
    account_settings,
    action_requests,
    agents,
    catalog_actions,
    customers,
    email_links,
    history_entries,
    organizations,
    request_answers,
    request_approvers,
    tickets,
)
from .tables import agent_notifications as notifications_table
from .tables import due_work as due_table
from .tables import outbox_messages as outbox_table
from .tables import push_subscriptions as push_table
from .tables import webhook_endpoints as webhooks_table
from .ticket_tallies import tickets_counted
from .types import UTCDateTime


class _Repo:
    entity: type[Any]

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, obj: Any) -> None:
        self.session.add(obj)

    def get(self, obj_id: int) -> Any:
        return self.session.get(self.entity, obj_id)


class SqlSettings:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self) -> AccountSettings:
        settings = self.session.get(AccountSettings, 1)
        if settings is None:
            settings = AccountSettings()
            self.session.add(settings)
            self.session.flush()
        return settings

    def next_ticket_number(self) -> int:
        self.get()
        # One atomic increment: two agents creating tickets at once get distinct numbers.
        result = self.session.execute(
            update(account_settings)
            .where(account_settings.c.id == 1)
            .values(last_ticket_number=account_settings.c.last_ticket_number + 1)
            .returning(account_settings.c.last_ticket_number)
        )
        return int(result.scalar_one())


class SqlAgents(_Repo):
    entity = Agent

    def by_email(self, email: str) -> Agent | None:
        return self.session.scalars(select(Agent).where(agents.c.email == email.strip().lower())).first()

    def list(self) -> list[Agent]:
        return list(self.session.scalars(select(Agent).order_by(agents.c.name)))

    def many(self, agent_ids: Sequence[int]) -> list[Agent]:
        if not agent_ids:
            return []
        return list(self.session.scalars(select(Agent).where(agents.c.id.in_(list(agent_ids)))))


class SqlOrganizations(_Repo):
    entity = Organization

    def list(self) -> list[Organization]:
        return list(self.session.scalars(select(Organization).order_by(organizations.c.name)))

    def children_ids(self, organization_id: int) -> list[int]:
        return self.children_of([organization_id])[organization_id]

    def children_of(self, organization_ids: Sequence[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {organization_id: [] for organization_id in organization_ids}
        if found:
            query = select(organizations.c.parent_id, organizations.c.id).where(
                organizations.c.parent_id.in_(list(found))
            )
            for parent_id, child_id in self.session.execute(query):
                found[parent_id].append(child_id)
        return found


# Built once, the organizations bound at each call (as _PENDING_BY_ORGANIZATION below):
# every request and ticket view asks for the managers in scope.
_is_active_manager = and_(
    customers.c.organization_id.in_(bindparam("organization_ids", expanding=True)),
    customers.c.is_manager.is_(True),
    customers.c.active.is_(True),
    customers.c.in_trash.is_(False),
)
_COUNT_ACTIVE_MANAGERS = select(func.count()).select_from(customers).where(_is_active_manager)


@cache
def _active_managers() -> Any:
    # On first use, not at import: Customer is mapped only by start_mappers().
    return select(Customer).where(_is_active_manager).order_by(customers.c.id)


class SqlCustomers(_Repo):
    entity = Customer

    def many(self, customer_ids: Sequence[int]) -> list[Customer]:
        if not customer_ids:
            return []
        return list(self.session.scalars(select(Customer).where(customers.c.id.in_(list(customer_ids)))))

    def by_email(self, email: str) -> Customer | None:
        return self.session.scalars(select(Customer).where(customers.c.email == email.strip().lower())).first()

    def list(self, *, in_trash: bool = False, search: str = "", limit: int = 200) -> list[Customer]:
        query = select(Customer).where(customers.c.in_trash == in_trash)
        if search:
            term = search.strip().lower()
            query = query.where(
                or_(
                    func.lower(customers.c.name).contains(term, autoescape=True),
                    customers.c.email.contains(term, autoescape=True),
                )
            )
        return list(self.session.scalars(query.order_by(customers.c.name).limit(limit)))

    def active_managers_of(self, organization_ids: Sequence[int]) -> list[Customer]:
        if not organization_ids:
            return []
        return list(self.session.scalars(_active_managers(), {"organization_ids": list(organization_ids)}))

    def count_active_managers_of(self, organization_ids: Sequence[int]) -> int:
        if not organization_ids:
            return 0
        return int(self.session.scalar(_COUNT_ACTIVE_MANAGERS, {"organization_ids": list(organization_ids)}) or 0)

    def active_of_organizations(self, organization_ids: Sequence[int]) -> list[Customer]:
        if not organization_ids:
            return []
        query = select(Customer).where(
            customers.c.organization_id.in_(list(organization_ids)),
            customers.c.active.is_(True),
            customers.c.in_trash.is_(False),
        )
        return list(self.session.scalars(query.order_by(customers.c.name, customers.c.id)))


# SQLite's FTS5 table over the ticket subjects (migration 0004); its hidden column named
# after the table takes MATCH. Not in persistence.tables: the models know no virtual tables.
_subject_index = table("tickets_fts", column("rowid", Integer), column("tickets_fts"))
# Shorter terms make no trigram, so the index finds nothing for them: they scan.
_TRIGRAM = 3

_awaiting = and_(action_requests.c.ticket_id == tickets.c.id, action_requests.c.state == RequestState.AWAITING_APPROVAL)


class SqlTickets(_Repo):
    entity = Ticket

    def many(self, ticket_ids: Sequence[int]) -> list[Ticket]:
        if not ticket_ids:
            return []
        return list(self.session.scalars(select(Ticket).where(tickets.c.id.in_(list(ticket_ids)))))

    def lock_of_requests(self, request_ids: Sequence[int]) -> list[Ticket]:
        # FOR UPDATE on PostgreSQL, in id order: whoever writes a ticket and then its request
        # (a decision, a close) must find these rows taken in the same order. SQLite's write
        # lock taken at BEGIN already serializes writers.
        if not request_ids:
            return []
        owning = select(action_requests.c.ticket_id).where(action_requests.c.id.in_(list(request_ids)))
        query = select(Ticket).where(tickets.c.id.in_(owning)).order_by(tickets.c.id)
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        return list(self.session.scalars(query))

    def by_number(self, number: int) -> Ticket | None:
        return self.session.scalars(select(Ticket).where(tickets.c.number == number)).first()

    def of_customer(self, customer_id: int) -> list[Ticket]:
        return list(self.session.scalars(select(Ticket).where(tickets.c.customer_id == customer_id)))

    def page(self, query: TicketFilter) -> Page[TicketRow]:
        conditions: list[Any] = [tickets.c.in_trash.is_(query.in_trash)]
        if query.status is not None:
            conditions.append(tickets.c.status == query.status)
        if query.assigned_agent_id is not None:
            conditions.append(tickets.c.assigned_agent_id == query.assigned_agent_id)
        search = query.search.strip()
        if search:
            number = search.lstrip("#")
            by_subject = self._subject_contains(search)
            conditions.append(or_(tickets.c.number == int(number), by_subject) if number.isdigit() else by_subject)
        if query.customer_ids is not None or query.organization_ids is not None:
            # One condition on the ticket's own column, not an OR across the join: the scope's
            # customers are found by index, and the count below needs no join.
            owners: list[Any] = []
            if query.customer_ids:
                owners.append(customers.c.id.in_(list(query.customer_ids)))
            if query.organization_ids:
                owners.append(customers.c.organization_id.in_(list(query.organization_ids)))
            if owners:
                conditions.append(tickets.c.customer_id.in_(select(customers.c.id).where(or_(*owners))))
            else:
                conditions.append(literal(False))
        only_status = query.assigned_agent_id is None and not search and (
            query.customer_ids is None and query.organization_ids is None
        )
        if only_status:
            # Only the trash and the status asked: the triggers' tallies (migration 0014),
            # not 100,000 rows whose pages every burst of changes touches.
            status = query.status.value if query.status is not None else None
            total = tickets_counted(self.session, query.in_trash, status)
        else:
            # Counted on the tickets alone: joined to the customers for nothing, it read
            # every ticket row instead of an index (/agent took 322 ms at 100,000 tickets on
            # SQLite, docs/benchmarks.md).
            total = int(self.session.scalar(select(func.count()).select_from(tickets).where(*conditions)) or 0)
        per_page = max(1, min(query.per_page, 200))
        page = max(1, query.page)
        rows = self.session.execute(
            select(
                tickets.c.id,
                tickets.c.number,
                tickets.c.subject,
                tickets.c.status,
                customers.c.name,
                organizations.c.name,
                agents.c.name,
                exists().where(_awaiting),
                tickets.c.updated_at,
            )
            .select_from(
                tickets.join(customers, customers.c.id == tickets.c.customer_id)
                .outerjoin(organizations, organizations.c.id == customers.c.organization_id)
                .outerjoin(agents, agents.c.id == tickets.c.assigned_agent_id)
            )
            .where(*conditions)
            .order_by(tickets.c.updated_at.desc(), tickets.c.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        items = [TicketRow(*row) for row in rows]
        return Page(items=items, total=total, page=page, per_page=per_page)

    def _subject_contains(self, search: str) -> Any:
        """Tickets whose subject contains `search`, ignoring case, by the trigram index of
        migration 0004. On PostgreSQL the GIN index on lower(subject) serves this LIKE as
        it stands (and a database without pg_trgm scans, as before)."""
        if self.session.get_bind().dialect.name == "sqlite" and len(search) >= _TRIGRAM:
            # A quoted FTS5 phrase is a substring match on the trigrams; "%" and "_" are plain
            # characters in it. FTS5's LIKE would need ESCAPE for them, which it cannot
            # answer from the index (it reads the whole table then). Unlike lower() in
            # SQLite, the tokenizer folds case beyond ASCII: "AÇÃO" finds "ação", as on
            # PostgreSQL.
            phrase = '"' + search.replace('"', '""') + '"'
            matching = select(_subject_index.c.rowid).where(_subject_index.c.tickets_fts.match(phrase))
            return tickets.c.id.in_(matching)
        # autoescape: a "%" or "_" typed in the search box is a character, not a wildcard.
        return func.lower(tickets.c.subject).contains(search.lower(), autoescape=True)

    def detail(self, ticket_id: int) -> TicketDetail | None:
        parent = aliased(organizations)
        row = self.session.execute(
            select(
                tickets.c.id,
                tickets.c.number,
                tickets.c.subject,
                tickets.c.description,
                tickets.c.status,
                tickets.c.in_trash,
                customers.c.id,
                customers.c.name,
                customers.c.email,
                organizations.c.id,
                organizations.c.name,
                parent.c.name,
                agents.c.id,
                agents.c.name,
                tickets.c.created_at,
                tickets.c.updated_at,
            )
            .select_from(
                tickets.join(customers, customers.c.id == tickets.c.customer_id)
                .outerjoin(organizations, organizations.c.id == customers.c.organization_id)
                .outerjoin(parent, parent.c.id == organizations.c.parent_id)
                .outerjoin(agents, agents.c.id == tickets.c.assigned_agent_id)
            )
            .where(tickets.c.id == ticket_id)
        ).first()
        return TicketDetail(*row) if row else None

    def trash(self, limit: int = 200) -> list[TrashRow]:
        ticket_rows = (
            select(
                literal("ticket").label("kind"),
                tickets.c.number.label("id"),
                tickets.c.subject.label("label"),
                customers.c.name.label("detail"),
                tickets.c.trashed_at.label("trashed_at"),
            )
            .select_from(tickets.join(customers, customers.c.id == tickets.c.customer_id))
            .where(tickets.c.in_trash.is_(True))
        )
        customer_rows = select(
            literal("customer").label("kind"),
            customers.c.id.label("id"),
            customers.c.name.label("label"),
            customers.c.email.label("detail"),
            customers.c.trashed_at.label("trashed_at"),
        ).where(customers.c.in_trash.is_(True))
        both = union_all(ticket_rows, customer_rows).subquery()
        rows = self.session.execute(select(both).order_by(both.c.trashed_at.desc()).limit(limit)).all()
        return [TrashRow(*row) for row in rows]


class SqlHistory(_Repo):
    entity = HistoryEntry

    def of_ticket(self, ticket_id: int) -> list[HistoryEntry]:
        query = (
            select(HistoryEntry)
            .where(history_entries.c.ticket_id == ticket_id)
            .order_by(history_entries.c.at, history_entries.c.id)
        )
        return list(self.session.scalars(query))


class SqlCatalog(_Repo):
    entity = CatalogAction

    def by_name_key(self, name_key: str) -> CatalogAction | None:
        return self.session.scalars(select(CatalogAction).where(catalog_actions.c.name_key == name_key)).first()

    def list(self, *, active_only: bool = False) -> list[CatalogAction]:
        query = select(CatalogAction).order_by(catalog_actions.c.name)
        if active_only:
            query = query.where(catalog_actions.c.active.is_(True))
        return list(self.session.scalars(query))


def _pending_scope(owner: Any, organization_ids: Any) -> list[Any]:
    """Awaiting requests under the default rule of live tickets of live customers of these
    organizations (a list, or a bound parameter): any manager in scope may answer them."""
    return [
        action_requests.c.state == RequestState.AWAITING_APPROVAL,
        tickets.c.in_trash.is_(False),
        owner.c.in_trash.is_(False),
        owner.c.organization_id.in_(organization_ids),
        action_requests.c.rule == ApprovalRule.ANY,
    ]


def _open_in_places(slot_ids: Any) -> Any:
    """A request under another rule that asks one of these places now (a stand-in's own
    and their absent managers': a list, or a bound parameter) and that place is not filled."""
    place = aliased(request_approvers)
    return and_(
        action_requests.c.rule != ApprovalRule.ANY,
        exists().where(
            place.c.request_id == action_requests.c.id,
            place.c.customer_id.in_(slot_ids),
            place.c.stage == action_requests.c.stage,
            ~exists().where(
                request_answers.c.request_id == place.c.request_id, request_answers.c.slot_id == place.c.customer_id
            ),
        ),
    )


def _asking(*who: Any) -> Any:
    """The approver rows of managers (`who`: a condition on `request_approvers`) asked now
    by an awaiting request under another rule, of a live ticket and customer, their place
    not filled yet: read from the approver rows by customer, an index range each."""
    owner = aliased(customers)
    return (
        request_approvers.join(action_requests, action_requests.c.id == request_approvers.c.request_id)
        .join(tickets, tickets.c.id == action_requests.c.ticket_id)
        .join(owner, owner.c.id == tickets.c.customer_id)
    ), (
        *who,
        action_requests.c.state == RequestState.AWAITING_APPROVAL,
        action_requests.c.rule != ApprovalRule.ANY,
        request_approvers.c.stage == action_requests.c.stage,
        tickets.c.in_trash.is_(False),
        owner.c.in_trash.is_(False),
        ~exists().where(
            request_answers.c.request_id == request_approvers.c.request_id,
            request_answers.c.slot_id == request_approvers.c.customer_id,
        ),
    )


def _pending_ids_for(standing_in: bool = False) -> Any:
    """The ids of what one manager has to answer: default-rule requests in their scope,
    and the requests under other rules that ask them and that they have not answered.

    Two branches of a UNION ALL (the rules exclude each other, so no id comes twice), not
    one OR: an OR across the customer's organization and the approver rows let no index
    drive the join, and PostgreSQL read all 100,000 tickets to find a manager's 200
    requests (39 ms; the union: each branch from its own index, 3 ms). The organizations and
    the manager are bound at each call (`organization_ids`, `customer_id`); `standing_in`,
    the places a stand-in fills (theirs and their absent managers', `slot_ids`), spec §13."""
    owner = aliased(customers)
    in_scope = (
        select(action_requests.c.id)
        .select_from(
            action_requests.join(tickets, tickets.c.id == action_requests.c.ticket_id).join(
                owner, owner.c.id == tickets.c.customer_id
            )
        )
        .where(*_pending_scope(owner, bindparam("organization_ids", expanding=True)))
    )
    if standing_in:
        asker = aliased(customers)
        asked = (
            select(action_requests.c.id)
            .select_from(
                action_requests.join(tickets, tickets.c.id == action_requests.c.ticket_id).join(
                    asker, asker.c.id == tickets.c.customer_id
                )
            )
            .where(
                action_requests.c.state == RequestState.AWAITING_APPROVAL,
                tickets.c.in_trash.is_(False),
                asker.c.in_trash.is_(False),
                _open_in_places(bindparam("slot_ids", expanding=True)),
            )
        )
        return union_all(in_scope, asked)
    # Driven by the manager's own approver rows, as the badges' count is: from the
    # requests' side, SQLite checked every awaiting request for a row of theirs (45,000
    # awaiting: 6 ms of a manager's 8-ms count, and again in their page's list).
    joined, conditions = _asking(request_approvers.c.customer_id == bindparam("customer_id"))
    return union_all(in_scope, select(action_requests.c.id).select_from(joined).where(*conditions))


def _open_by_approver() -> Any:
    """Per manager, the requests under other rules that ask them now and that they have
    not answered."""
    joined, conditions = _asking(request_approvers.c.customer_id.in_(bindparam("customer_ids", expanding=True)))
    return (
        select(request_approvers.c.customer_id, func.count())
        .select_from(joined)
        .where(*conditions)
        .group_by(request_approvers.c.customer_id)
    )


def _pending_by_organization() -> Any:
    owner = aliased(customers)
    return (
        select(owner.c.organization_id, func.count())
        .select_from(
            action_requests.join(tickets, tickets.c.id == action_requests.c.ticket_id).join(
                owner, owner.c.id == tickets.c.customer_id
            )
        )
        .where(*_pending_scope(owner, bindparam("organization_ids", expanding=True)))
        .group_by(owner.c.organization_id)
    )


# Built once, the organizations bound at each call: composing this statement took longer
# than running it (~170 of ~300 µs on SQLite), and every request event and badge read
# runs it. The SQL is the same as an inline `in_(list)` makes.
_PENDING_BY_ORGANIZATION = _pending_by_organization()
_OPEN_BY_APPROVER = _open_by_approver()
_PENDING_IDS_FOR = _pending_ids_for()
_COUNT_PENDING_FOR = select(func.count()).select_from(_PENDING_IDS_FOR.subquery())
_PENDING_IDS_STANDING_IN = _pending_ids_for(standing_in=True)
_COUNT_PENDING_STANDING_IN = select(func.count()).select_from(_PENDING_IDS_STANDING_IN.subquery())


def _pending_params(customer_id: int, organization_ids: Sequence[int], acting_for: Sequence[int]) -> dict[str, Any]:
    """The values `_PENDING_IDS_FOR` (or, for a stand-in, `_PENDING_IDS_STANDING_IN`) is run with."""
    if acting_for:
        return {"slot_ids": [customer_id, *acting_for], "organization_ids": list(organization_ids)}
    return {"customer_id": customer_id, "organization_ids": list(organization_ids)}


@cache
def _rows_statement(mine_only: bool, standing_in: bool = False) -> tuple[Any, Any]:
    """A page's request rows with every name joined, and the ticket owner's alias. Built
    once (composing it cost more than a small page's query); with `mine_only`, driven by
    one manager's request ids (`_PENDING_IDS_FOR`, bound at each call): an IN (…) filter let
    PostgreSQL join every request to its names first (360 ms)."""
    ids = _PENDING_IDS_STANDING_IN if standing_in else _PENDING_IDS_FOR
    mine = ids.subquery("mine") if mine_only else None
    requester = aliased(agents)
    evaluator = aliased(customers)
    absent = aliased(customers)
    canceller_agent = aliased(agents)
    canceller_customer = aliased(customers)
    owner = aliased(customers)
    return select(
        action_requests.c.id,
        tickets.c.id,
        tickets.c.number,
        tickets.c.subject,
        owner.c.name,
        organizations.c.name,
        action_requests.c.action_name,
        action_requests.c.action_description,
        action_requests.c.note,
        action_requests.c.state,
        requester.c.name,
        action_requests.c.requested_at,
        action_requests.c.decided_at,
        evaluator.c.name,
        func.coalesce(canceller_agent.c.name, canceller_customer.c.name),
        action_requests.c.reason,
        action_requests.c.deadline,
        action_requests.c.rule,
        action_requests.c.approvals_count,
        action_requests.c.approvals_needed,
        absent.c.name,
    ).select_from(
        (action_requests if mine is None else mine.join(action_requests, action_requests.c.id == mine.c.id))
        .join(tickets, tickets.c.id == action_requests.c.ticket_id)
        .join(owner, owner.c.id == tickets.c.customer_id)
        .outerjoin(organizations, organizations.c.id == owner.c.organization_id)
        .join(requester, requester.c.id == action_requests.c.requested_by_agent_id)
        .outerjoin(evaluator, evaluator.c.id == action_requests.c.evaluated_by_customer_id)
        .outerjoin(absent, absent.c.id == action_requests.c.evaluated_on_behalf_of_id)
        .outerjoin(canceller_agent, canceller_agent.c.id == action_requests.c.cancelled_by_agent_id)
        .outerjoin(canceller_customer, canceller_customer.c.id == action_requests.c.cancelled_by_customer_id)
    ), owner


@cache
def _manager_page_statement(standing_in: bool) -> Any:
    """A page of one manager's list, whole, its page bound at each call: SQLAlchemy keeps
    the cache key of a statement it is given again, and computing it anew for a statement
    this size was 7 % of /portal/approvals' CPU."""
    query, _owner = _rows_statement(True, standing_in)
    return (
        query.add_columns(func.count().over())
        .order_by(action_requests.c.requested_at, action_requests.c.id)
        .limit(bindparam("page_limit"))
        .offset(bindparam("page_offset"))
    )


class SqlRequests(_Repo):
    entity = ActionRequest

    def pending_of_ticket(self, ticket_id: int) -> ActionRequest | None:
        query = select(ActionRequest).where(
            action_requests.c.ticket_id == ticket_id, action_requests.c.state == RequestState.AWAITING_APPROVAL
        )
        return self.session.scalars(query).first()

    def _rows(self, mine: bool = False, standing_in: bool = False) -> Any:
        return _rows_statement(mine, standing_in)

    def lock(self, request_ids: Sequence[int]) -> list[ActionRequest]:
        """The requests, read afresh and locked until the transaction ends (FOR UPDATE on
        PostgreSQL: a concurrent decision finishes first and is seen; on SQLite the write
        lock taken at BEGIN already serializes writers)."""
        if not request_ids:
            return []
        query = select(ActionRequest).where(action_requests.c.id.in_(list(request_ids)))
        query = query.execution_options(populate_existing=True)
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        return list(self.session.scalars(query))

    def reminder_targets(self, request_ids: Sequence[int]) -> dict[int, ReminderTarget]:
        if not request_ids:
            return {}
        query = (
            select(
                action_requests.c.id,
                tickets.c.id,
                tickets.c.number,
                tickets.c.subject,
                tickets.c.in_trash,
                organizations.c.id,
                organizations.c.parent_id,
            )
            .select_from(
                action_requests.join(tickets, tickets.c.id == action_requests.c.ticket_id)
                .join(customers, customers.c.id == tickets.c.customer_id)
                .outerjoin(organizations, organizations.c.id == customers.c.organization_id)
            )
            .where(action_requests.c.id.in_(list(request_ids)))
        )
        return {
            request_id: ReminderTarget(
                request_id,
                ticket_id,
                number,
                subject,
                bool(in_trash),
                tuple(o for o in (organization_id, parent_id) if o is not None),
            )
            for request_id, ticket_id, number, subject, in_trash, organization_id, parent_id in self.session.execute(
                query
            )
        }

    def rows_of_ticket(self, ticket_id: int) -> list[RequestRow]:
        query, _owner = self._rows()
        rows = self.session.execute(
            query.where(action_requests.c.ticket_id == ticket_id).order_by(
                action_requests.c.requested_at, action_requests.c.id
            )
        ).all()
        return [RequestRow(*row) for row in rows]

    def row(self, request_id: int) -> RequestRow | None:
        query, _owner = self._rows()
        row = self.session.execute(query.where(action_requests.c.id == request_id)).first()
        return RequestRow(*row) if row else None

    def pending_rows_for_organizations(
        self,
        organization_ids: Sequence[int],
        page: int,
        per_page: int,
        customer_id: int | None = None,
        acting_for: Sequence[int] = (),
    ) -> Page[RequestRow]:
        """One page, oldest first; a page past the end gives the last one. With
        `customer_id`, that manager's list: also the requests under other rules that ask
        them, less those they answered."""
        per_page = max(1, min(per_page, 200))
        page = max(1, page)
        if customer_id is not None:
            return self._manager_page(customer_id, organization_ids, acting_for, page, per_page)
        # Two statements whatever the page: the count, then the page's rows with all
        # their names joined.
        total = self.count_pending_for_organizations(organization_ids)
        page = min(page, max(1, -(-total // per_page)))
        if total == 0:
            return Page(items=[], total=0, page=page, per_page=per_page)
        query, owner = self._rows()
        rows = self.session.execute(
            query.where(*_pending_scope(owner, list(organization_ids)))
            .order_by(action_requests.c.requested_at, action_requests.c.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return Page(items=[RequestRow(*row) for row in rows], total=total, page=page, per_page=per_page)

    def _manager_page(
        self, customer_id: int, organization_ids: Sequence[int], acting_for: Sequence[int], page: int, per_page: int
    ) -> Page[RequestRow]:
        """One statement: the rows carry the list's total (a window count), so the
        manager's requests are found once instead of once for a count and again for the
        rows (on PostgreSQL during a burst of expiries, that count was a third of the
        page's time in the database). A page past the end has no row to carry it: then
        the count, and the last page."""
        params = _pending_params(customer_id, organization_ids, acting_for)
        statement = _manager_page_statement(bool(acting_for))

        def read(page: int) -> list[Any]:
            offset = {"page_limit": per_page, "page_offset": (page - 1) * per_page}
            return list(self.session.execute(statement, {**params, **offset}).all())

        rows = read(page)
        if rows:
            total = int(rows[0][-1])
        else:
            total = self.count_pending_for_manager(customer_id, organization_ids, acting_for)
            last = max(1, -(-total // per_page))
            if total == 0 or page <= last:
                return Page(items=[], total=total, page=min(page, last), per_page=per_page)
            page = last
            rows = read(page)
        return Page(items=[RequestRow(*row[:-1]) for row in rows], total=total, page=page, per_page=per_page)

    def count_pending_for_organizations(self, organization_ids: Sequence[int]) -> int:
        return sum(self.count_pending_by_organization(organization_ids).values())

    def count_pending_by_organization(self, organization_ids: Sequence[int]) -> dict[int, int]:
        if not organization_ids:
            return {}
        rows = self.session.execute(_PENDING_BY_ORGANIZATION, {"organization_ids": list(organization_ids)})
        return {int(organization_id): int(count) for organization_id, count in rows}

    def count_pending_for_manager(
        self, customer_id: int, organization_ids: Sequence[int], acting_for: Sequence[int] = ()
    ) -> int:
        statement = _COUNT_PENDING_STANDING_IN if acting_for else _COUNT_PENDING_FOR
        params = _pending_params(customer_id, organization_ids, acting_for)
        return int(self.session.execute(statement, params).scalar_one())

    def count_open_by_approver(self, customer_ids: Sequence[int]) -> dict[int, int]:
        if not customer_ids:
            return {}
        rows = self.session.execute(_OPEN_BY_APPROVER, {"customer_ids": list(customer_ids)})
        return {int(customer_id): int(count) for customer_id, count in rows}


class SqlAnswers:
    """The approvers fixed for a request and their answers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_approvers(self, request_id: int, approvers: Sequence[tuple[int, int]]) -> None:
        """One statement for any number (a request to 1,000 managers)."""
        if approvers:
            self.session.execute(
                insert(request_approvers),
                [{"request_id": request_id, "customer_id": c, "stage": stage} for c, stage in approvers],
            )

    def approver(self, request_id: int, customer_id: int) -> RequestApprover | None:
        query = select(RequestApprover).where(
            request_approvers.c.request_id == request_id, request_approvers.c.customer_id == customer_id
        )
        return self.session.scalars(query).first()

    def approver_ids(self, request_id: int, stage: int) -> list[int]:
        query = select(request_approvers.c.customer_id).where(
            request_approvers.c.request_id == request_id, request_approvers.c.stage == stage
        )
        return list(self.session.scalars(query.order_by(request_approvers.c.customer_id)))

    def unanswered(self, request_ids: Sequence[int]) -> dict[int, set[int]]:
        """Per request, the approvers of the stage asked now who have not answered."""
        if not request_ids:
            return {}
        query = (
            select(request_approvers.c.request_id, request_approvers.c.customer_id)
            .select_from(
                request_approvers.join(action_requests, action_requests.c.id == request_approvers.c.request_id)
            )
            .where(
                request_approvers.c.request_id.in_(list(request_ids)),
                request_approvers.c.stage == action_requests.c.stage,
                ~exists().where(
                    request_answers.c.request_id == request_approvers.c.request_id,
                    request_answers.c.slot_id == request_approvers.c.customer_id,
                ),
            )
        )
        found: dict[int, set[int]] = {request_id: set() for request_id in request_ids}
        for request_id, customer_id in self.session.execute(query):
            found[request_id].add(customer_id)
        return found

    def answer(self, request_id: int, customer_id: int) -> RequestAnswer | None:
        """The answer filling this approver's place (theirs, or their stand-in's)."""
        query = select(RequestAnswer).where(
            request_answers.c.request_id == request_id, request_answers.c.slot_id == customer_id
        )
        return self.session.scalars(query).first()

    def add(self, answer: RequestAnswer) -> None:
        self.session.add(answer)

    def views(self, request_ids: Sequence[int]) -> dict[int, list[AnswerView]]:
        """The answers of these requests with the names, in the order given."""
        if not request_ids:
            return {}
        who = aliased(customers)
        absent = aliased(customers)
        query = (
            select(
                request_answers.c.request_id,
                who.c.name,
                request_answers.c.approved,
                request_answers.c.reason,
                request_answers.c.at,
                absent.c.name,
            )
            .select_from(
                request_answers.join(who, who.c.id == request_answers.c.customer_id).outerjoin(
                    absent, absent.c.id == request_answers.c.on_behalf_of_id
                )
            )
            .where(request_answers.c.request_id.in_(list(request_ids)))
            .order_by(request_answers.c.at, request_answers.c.id)
        )
        found: dict[int, list[AnswerView]] = {}
        for request_id, name, approved, reason, at, absent_name in self.session.execute(query):
            found.setdefault(request_id, []).append(AnswerView(name, bool(approved), reason, at, absent_name))
        return found

    def _latest_of_one(self, request_id: int, limit: int) -> dict[int, list[AnswerView]]:
        """`latest_views` of one request (an answer's own mail): a top-N sort, three times
        cheaper than the window at 1,000 answers. Both read all of the request's answers:
        no index orders them by time (see docs/benchmarks.md §8)."""
        latest = (
            select(request_answers)
            .where(request_answers.c.request_id == request_id)
            .order_by(request_answers.c.at.desc(), request_answers.c.id.desc())
            .limit(limit)
            .subquery()
        )
        who = aliased(customers)
        absent = aliased(customers)
        query = (
            select(who.c.name, latest.c.approved, latest.c.reason, latest.c.at, absent.c.name)
            .select_from(
                latest.join(who, who.c.id == latest.c.customer_id).outerjoin(
                    absent, absent.c.id == latest.c.on_behalf_of_id
                )
            )
            .order_by(latest.c.at, latest.c.id)
        )
        views = [AnswerView(name, bool(approved), reason, at, absent_name)
                 for name, approved, reason, at, absent_name in self.session.execute(query)]
        return {request_id: views} if views else {}

    def latest_views(self, request_ids: Sequence[int], per_request: int) -> dict[int, list[AnswerView]]:
        """The last `per_request` answers of each request, oldest first, in one statement:
        a mail names a few answerers, not the 999 of a request to 1,000 managers."""
        if not request_ids:
            return {}
        if len(request_ids) == 1:
            return self._latest_of_one(request_ids[0], per_request)
        rank = (
            func.row_number()
            .over(
                partition_by=request_answers.c.request_id,
                order_by=(request_answers.c.at.desc(), request_answers.c.id.desc()),
            )
            .label("rank")
        )
        latest = (
            select(request_answers, rank).where(request_answers.c.request_id.in_(list(request_ids))).subquery()
        )
        who = aliased(customers)
        absent = aliased(customers)
        query = (
            select(latest.c.request_id, who.c.name, latest.c.approved, latest.c.reason, latest.c.at, absent.c.name)
            .select_from(
                latest.join(who, who.c.id == latest.c.customer_id).outerjoin(
                    absent, absent.c.id == latest.c.on_behalf_of_id
                )
            )
            .where(latest.c.rank <= per_request)
            .order_by(latest.c.request_id, latest.c.at, latest.c.id)
        )
        found: dict[int, list[AnswerView]] = {}
        for request_id, name, approved, reason, at, absent_name in self.session.execute(query):
            found.setdefault(request_id, []).append(AnswerView(name, bool(approved), reason, at, absent_name))
        return found


class SqlNotifications(_Repo):
    entity = AgentNotification

    def of_agent(self, agent_id: int, limit: int = 50) -> list[AgentNotification]:
        query = (
            select(AgentNotification)
            .where(notifications_table.c.agent_id == agent_id)
            .order_by(notifications_table.c.created_at.desc(), notifications_table.c.id.desc())
        )
        return list(self.session.scalars(query.limit(limit)))

    def unread_count(self, agent_id: int) -> int:
        query = (
            select(func.count())
            .select_from(notifications_table)
            .where(notifications_table.c.agent_id == agent_id, notifications_table.c.read_at.is_(None))
        )
        return int(self.session.scalar(query) or 0)

    def mark_all_read(self, agent_id: int, at: datetime) -> int:
        result = self.session.execute(
            update(notifications_table)
            .where(notifications_table.c.agent_id == agent_id, notifications_table.c.read_at.is_(None))
            .values(read_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class SqlOutbox(_Repo):
    entity = OutboxMessage

    @staticmethod
    def _is_due(now: datetime) -> Any:
        return and_(
            outbox_table.c.status == OutboxStatus.PENDING,
            outbox_table.c.next_attempt_at <= now,
            or_(outbox_table.c.claimed_until.is_(None), outbox_table.c.claimed_until <= now),
        )

    def due(self, now: datetime, limit: int = 20, channels: Sequence[str] | None = None) -> list[OutboxMessage]:
        """Pending messages whose time has come and that no live worker has claimed."""
        conditions = [self._is_due(now)]
        if channels is not None:
            conditions.append(outbox_table.c.channel.in_(list(channels)))
        query = (
            select(OutboxMessage)
            .where(*conditions)
            .order_by(outbox_table.c.next_attempt_at, outbox_table.c.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(self.session.scalars(query))

    def hold_due(self, channel: str, note: str, now: datetime) -> int:
        result = self.session.execute(
            update(outbox_table)
            .where(self._is_due(now), outbox_table.c.channel == channel)
            .values(status=OutboxStatus.HELD, last_error=note, claimed_until=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def release_held(self, channels: Sequence[str], now: datetime) -> int:
        if not channels:
            return 0
        result = self.session.execute(
            update(outbox_table)
            .where(outbox_table.c.status == OutboxStatus.HELD, outbox_table.c.channel.in_(list(channels)))
            .values(status=OutboxStatus.PENDING, next_attempt_at=now, claimed_until=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def add_many(self, messages: Sequence[OutboxMessage]) -> None:
        # An ORM bulk INSERT (executemany): `add` of each one is an INSERT per row, as the
        # ORM reads every new id back, and a reminder round of 50 requests to 2 managers
        # would cost 100 statements.
        if not messages:
            return
        # A Core INSERT of the rows: through the ORM's bulk path the same executemany
        # spent as long again in its per-row bookkeeping (1,000 e-mails of one request).
        columns = [c.key for c in outbox_table.columns if c.key != "id"]
        self.session.execute(insert(outbox_table), [{k: getattr(m, k) for k in columns} for m in messages])

    def existing_keys(self, dedup_keys: Sequence[str]) -> set[str]:
        if not dedup_keys:
            return set()
        query = select(outbox_table.c.dedup_key).where(outbox_table.c.dedup_key.in_(list(dedup_keys)))
        return set(self.session.scalars(query))

    def recent(
        self, limit: int = 200, status: str | None = None, channels: Sequence[str] | None = None
    ) -> list[OutboxMessage]:
        query = select(OutboxMessage).order_by(outbox_table.c.id.desc()).limit(limit)
        if status:
            query = query.where(outbox_table.c.status == OutboxStatus(status))
        if channels is not None:
            query = query.where(outbox_table.c.channel.in_(list(channels)))
        return list(self.session.scalars(query))


class SqlDueWork(_Repo):
    entity = DueWork

    def claim(self, now: datetime, kinds: Sequence[DueKind], limit: int) -> list[DueWork]:
        """Due rows of these kinds, oldest first, locked for this transaction: SKIP LOCKED
        on PostgreSQL, so another instance claiming at the same moment gets other rows (on
        SQLite the write lock taken at BEGIN serializes the claims)."""
        query = (
            select(DueWork)
            .where(due_table.c.due_at <= now, due_table.c.kind.in_([kind.value for kind in kinds]))
            .order_by(due_table.c.due_at, due_table.c.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(self.session.scalars(query))

    def of_subject(self, kind: DueKind, subject_id: int) -> DueWork | None:
        query = select(DueWork).where(due_table.c.kind == kind, due_table.c.subject_id == subject_id)
        return self.session.scalars(query).first()

    def next_due_at(self) -> datetime | None:
        return self.session.scalar(select(func.min(due_table.c.due_at)))

    def delete(self, work: DueWork) -> None:
        self.session.delete(work)


class SqlPushSubscriptions(_Repo):
    entity = PushSubscription

    def by_endpoint(self, endpoint: str) -> PushSubscription | None:
        return self.session.scalars(select(PushSubscription).where(push_table.c.endpoint == endpoint)).first()

    def of_customer(self, customer_id: int) -> list[PushSubscription]:
        return list(self.session.scalars(select(PushSubscription).where(push_table.c.customer_id == customer_id)))

    def customers_among(self, customer_ids: Sequence[int]) -> set[int]:
        if not customer_ids:
            return set()
        query = select(push_table.c.customer_id).where(push_table.c.customer_id.in_(list(customer_ids))).distinct()
        return set(self.session.scalars(query))

    def delete(self, subscription: PushSubscription) -> None:
        self.session.delete(subscription)


_INSERT_LINKS_FROM_ARRAYS = text(
    "INSERT INTO email_links (token_hash, request_id, customer_id, decision, created_at, expires_at) "
    "SELECT link.token_hash, link.request_id, link.customer_id, link.decision, :created_at, :expires_at "
    "FROM unnest(CAST(:hashes AS varchar[]), CAST(:request_ids AS integer[]), CAST(:customer_ids AS integer[]), "
    "CAST(:decisions AS varchar[])) AS link (token_hash, request_id, customer_id, decision)"
).bindparams(
    bindparam("created_at", type_=UTCDateTime()),
    bindparam("expires_at", type_=UTCDateTime()),
    bindparam("hashes", type_=ARRAY(String)),
    bindparam("request_ids", type_=ARRAY(Integer)),
    bindparam("customer_ids", type_=ARRAY(Integer)),
    bindparam("decisions", type_=ARRAY(String)),
)


def _bind(dialect: Any, column_type: Any, value: Any) -> Any:
    process = column_type.bind_processor(dialect)
    return process(value) if process is not None else value


class SqlEmailLinks(_Repo):
    entity = EmailLink

    def add_many(self, *batches: LinkBatch) -> None:
        """One statement for the whole batch. On PostgreSQL an INSERT … SELECT over
        arrays: an executemany still runs one statement per row there (psycopg), and
        2,000 of them added ~0.4 s to a request to 1,000 managers; a multi-row VALUES
        took longer to compile than to run. On SQLite an executemany, a loop in C over
        one prepared statement (docs/benchmarks.md, e-mail links). Several requests'
        batches made at one instant for one lifetime (a reminder round's) share that
        one statement."""
        groups: dict[tuple[datetime, datetime], list[tuple[int, int, LinkDecision, str]]] = {}
        for batch in batches:
            rows = groups.setdefault((batch.created_at, batch.expires_at), [])
            rows += [(batch.request_id, customer_id, decision, hash_) for customer_id, decision, hash_ in batch.links]
        for (created_at, expires_at), rows in groups.items():
            if rows:
                self._insert(created_at, expires_at, rows)

    def _insert(
        self, created_at: datetime, expires_at: datetime, rows: list[tuple[int, int, LinkDecision, str]]
    ) -> None:
        request_ids, customer_ids, decisions, hashes = zip(*rows, strict=True)
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            values = {"request_ids": list(request_ids), "customer_ids": list(customer_ids),
                      "decisions": [d.value for d in decisions], "hashes": list(hashes)}
            self.session.execute(_INSERT_LINKS_FROM_ARRAYS, {"created_at": created_at, "expires_at": expires_at,
                                                             **values})
            return
        # The values every row shares go through their column types once, not 2,000 times.
        created, expires = (
            _bind(connection.dialect, email_links.c[name].type, value)
            for name, value in (("created_at", created_at), ("expires_at", expires_at))
        )
        connection.exec_driver_sql(
            "INSERT INTO email_links (token_hash, request_id, customer_id, decision, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (token_hash, request_id, customer_id, decision.value, created, expires)
                for request_id, customer_id, decision, token_hash in rows
            ],
        )

    def by_hash(self, token_hash: str) -> EmailLink | None:
        return self.session.scalars(select(EmailLink).where(email_links.c.token_hash == token_hash)).first()

    def consume(self, link_id: int, at: datetime) -> bool:
        # Conditional: of two transactions consuming one link, the second matches no row
        # (on PostgreSQL it waits for the first, then re-reads used_at).
        result = self.session.execute(
            update(email_links).where(email_links.c.id == link_id, email_links.c.used_at.is_(None)).values(used_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1


class SqlAccessTokens(_Repo):
    entity = AccessToken

    def by_hash(self, token_hash: str) -> AccessToken | None:
        return self.session.scalars(select(AccessToken).where(tokens_table.c.token_hash == token_hash)).first()

    def of_owner(self, owner_kind: str, owner_id: int) -> list[AccessToken]:
        return list(
            self.session.scalars(
                select(AccessToken)
                .where(tokens_table.c.owner_kind == owner_kind, tokens_table.c.owner_id == owner_id)
                .order_by(tokens_table.c.id.desc())
            )
        )

    def list(self, limit: int = 500) -> list[AccessToken]:
        return list(self.session.scalars(select(AccessToken).order_by(tokens_table.c.id.desc()).limit(limit)))


class SqlWebhooks(_Repo):
    entity = WebhookEndpoint

    def list(self) -> list[WebhookEndpoint]:
        return list(self.session.scalars(select(WebhookEndpoint).order_by(webhooks_table.c.id)))

    def active(self) -> list[WebhookEndpoint]:
        return list(
            self.session.scalars(
                select(WebhookEndpoint).where(webhooks_table.c.active.is_(True)).order_by(webhooks_table.c.id)
            )
        )

    def delete(self, endpoint: WebhookEndpoint) -> None:
        self.session.delete(endpoint)
