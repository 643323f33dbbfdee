"""The SQLAlchemy unit of work: one session, one transaction, events after commit."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from domain.errors import AlreadyAwaiting, Conflict
from domain.events import DomainEvent
from domain.messages import N_
from domain.ports import UnitOfWork

from . import repositories as repos
from .absences import SqlAbsences
from .database import READ_ONLY
from .reports import SqlReports

Publisher = Callable[[list[DomainEvent]], None]
# Runs in the transaction right before COMMIT when there are events (on PostgreSQL: the
# NOTIFY to the other instances, delivered only if the commit succeeds).
BeforeCommit = Callable[[Session, list[DomainEvent]], None]


def _translate(error: Exception) -> Exception:
    text = str(getattr(error, "orig", error))
    if isinstance(error, IntegrityError) and "uq_action_requests_one_awaiting" in text:
        return AlreadyAwaiting(N_("This ticket already has an action awaiting approval."))
    if isinstance(error, IntegrityError) and "action_requests.ticket_id" in text:
        return AlreadyAwaiting(N_("This ticket already has an action awaiting approval."))
    if isinstance(error, IntegrityError) and (
        "uq_request_answers_one" in text or "request_answers.request_id, request_answers.slot_id" in text
    ):
        return Conflict(N_("You already answered this request."))
    if isinstance(error, StaleDataError):
        return Conflict(N_("Someone changed this at the same moment; reload and try again."))
    if isinstance(error, OperationalError) and "could not serialize" in text:
        return Conflict(N_("Someone changed this at the same moment; reload and try again."))
    return error


class SqlUnitOfWork(UnitOfWork):
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        publisher: Publisher | None = None,
        before_commit: BeforeCommit | None = None,
    ) -> None:
        super().__init__()
        self.session_factory = session_factory
        self.publisher = publisher
        self.before_commit = before_commit
        self.session: Session | None = None
        self._depth = 0

    def __enter__(self) -> SqlUnitOfWork:
        # A use case called by another inside its `with uow` joins that transaction (a
        # page's sign-in check and first read, domain.auth.signed_in_reading).
        self._depth += 1
        if self._depth > 1:
            return self
        super().__enter__()
        self.session = self.session_factory()
        session = self.session
        if self.read_only:
            # Nothing it reads makes it write: it ends with a COMMIT (see __exit__).
            session.autoflush = False
            # Begins now, without the write lock (see persistence/database.py).
            session.connection(execution_options={READ_ONLY: True})
        self.settings = repos.SqlSettings(session)
        self.agents = repos.SqlAgents(session)
        self.organizations = repos.SqlOrganizations(session)
        self.customers = repos.SqlCustomers(session)
        self.tickets = repos.SqlTickets(session)
        self.history = repos.SqlHistory(session)
        self.catalog = repos.SqlCatalog(session)
        self.requests = repos.SqlRequests(session)
        self.answers = repos.SqlAnswers(session)
        self.absences = SqlAbsences(session)
        self.notifications = repos.SqlNotifications(session)
        self.outbox = repos.SqlOutbox(session)
        self.push_subscriptions = repos.SqlPushSubscriptions(session)
        self.email_links = repos.SqlEmailLinks(session)
        self.due_work = repos.SqlDueWork(session)
        self.access_tokens = repos.SqlAccessTokens(session)
        self.webhooks = repos.SqlWebhooks(session)
        self.reports = SqlReports(session)
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        if self.session is not None:
            # Detach first: a rollback would expire what was read, and use cases hand
            # those plain objects back to pages after the transaction ends.
            self.session.expunge_all()
            if self.read_only and exc[0] is None:
                # What was only read ends with a COMMIT, which writes nothing: psycopg forgets
                # its prepared statements at every ROLLBACK, so the pages' reads, planned
                # anew each time, spent longer in PostgreSQL's planner than in running
                # (the manager's list: 5.9 ms planning, 3.9 ms running; docs/benchmarks.md §5).
                self.session.commit()
            else:
                self.session.rollback()
            self.session.close()
            self.session = None
        error = exc[1] if len(exc) > 1 else None
        if isinstance(error, IntegrityError | StaleDataError | OperationalError):
            # A write rejected by a concurrent transaction may surface in a query's
            # autoflush instead of flush()/commit(); it is still a conflict, not a crash.
            translated = _translate(error)
            if translated is not error:
                raise translated from error

    def flush(self) -> None:
        assert self.session is not None
        try:
            self.session.flush()
        except (IntegrityError, StaleDataError, OperationalError) as error:
            self.session.rollback()
            raise _translate(error) from error

    def _commit(self) -> None:
        assert self.session is not None
        try:
            if self.before_commit is not None and self.events:
                self.before_commit(self.session, list(self.events))
            self.session.commit()
        except (IntegrityError, StaleDataError, OperationalError) as error:
            self.session.rollback()
            raise _translate(error) from error

    def rollback(self) -> None:
        if self.session is not None:
            self.session.rollback()

    def _publish(self, events: list[DomainEvent]) -> None:
        if self.publisher is not None and events:
            self.publisher(events)
