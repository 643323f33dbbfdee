"""The agents' ticket search by subject goes through a trigram index (migration 0004: FTS5
on SQLite, pg_trgm on PostgreSQL) and still finds exactly what the plain scan found:
any part of a word, any case, "%" and "_" as typed, short terms, ticket numbers."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from persistence_support import BRUNO, JOAO, LIVIA, Database, PlainHasher, open_database
from sqlalchemy import Engine, create_engine, event, insert
from sqlalchemy.engine import make_url

from domain import clock, demo, tickets
from domain.model import TicketStatus
from domain.views import TicketFilter
from persistence.migrate import alembic_config
from persistence.tables import tickets as tickets_table


def _open(db: Database, subject: str, customer_email: str = JOAO) -> int:
    return db.run(tickets.create_ticket, db.agent(BRUNO), subject, "", db.customer(customer_email).id)


def _found(db: Database, search: str, **criteria: Any) -> list[int]:
    page = db.run(tickets.list_tickets, db.agent(BRUNO), TicketFilter(search=search, per_page=200, **criteria))
    assert page.total == len(page.items)
    return sorted(row.number for row in page.items)


def test_part_of_a_word_in_any_case(database: Database) -> None:
    printer = _open(database, "Impressora não liga no 2º andar")
    _open(database, "Pressão do ar-condicionado")

    assert _found(database, "pressor") == [printer]
    assert _found(database, "IMPRESSORA") == [printer]
    assert _found(database, "ressora NÃO li") == [printer]  # across words, accented capitals
    assert _found(database, "pressora sim") == []


def test_accented_letters_match_in_either_case(database: Database) -> None:
    upper = _open(database, "FALHA NA INTEGRAÇÃO DO ERP")
    lower = _open(database, "Dúvida sobre a integração bancária")

    assert _found(database, "integração") == [upper, lower]
    assert _found(database, "INTEGRAÇÃO") == [upper, lower]
    assert _found(database, "BANCÁRIA") == [lower]


def test_a_changed_subject_is_found_by_its_new_words_only(database: Database) -> None:
    number = _open(database, "Teclado sem fio quebrado")
    with database.uow() as uow:
        ticket = uow.tickets.by_number(number)
        assert ticket is not None
        ticket.subject = "Monitor piscando"
        uow.commit()

    assert _found(database, "teclado") == []
    assert _found(database, "sem fio") == []
    assert _found(database, "piscando") == [number]
    assert _found(database, "tor pis") == [number]


def test_a_deleted_ticket_is_not_found(database: Database) -> None:
    kept = _open(database, "Licença do antivírus vencida")
    removed = _open(database, "Licença do editor vencida")
    # Nothing in the app deletes a ticket yet; a purge would be a plain DELETE like this.
    with database.engine.begin() as connection:
        ticket_id = connection.exec_driver_sql(f"SELECT id FROM tickets WHERE number = {removed}").scalar()
        connection.exec_driver_sql(f"DELETE FROM history_entries WHERE ticket_id = {ticket_id}")
        connection.exec_driver_sql(f"DELETE FROM tickets WHERE id = {ticket_id}")
    # SQLite gives the next ticket the id just freed: the deleted subject must not stick to it.
    toner = _open(database, "Troca de toner")

    assert _found(database, "licença") == [kept]
    assert _found(database, "editor") == []
    assert _found(database, "toner") == [toner]


def test_percent_and_underscore_are_the_characters_typed(database: Database) -> None:
    percent = _open(database, "Desconto de 100% no plano")
    _open(database, "Desconto de 1000 reais no plano")
    underscore = _open(database, "Campo nota_fiscal vazio")
    _open(database, "Nota fiscal vazia")

    assert _found(database, "100%") == [percent]
    assert _found(database, "0% no") == [percent]
    assert _found(database, "0%") == [percent]  # short: the scan
    assert _found(database, "ta_fi") == [underscore]
    assert _found(database, "a_f") == [underscore]
    assert _found(database, "_") == [underscore]
    assert _found(database, "%%") == []


def test_one_and_two_letter_terms_still_search(database: Database) -> None:
    # No demo subject has a "k".
    kit = _open(database, "Kit de boas-vindas")
    _open(database, "Boas-vindas sem brinde")

    assert _found(database, "k") == [kit]
    assert _found(database, "K") == [kit]
    assert _found(database, "iT") == [kit]
    assert _found(database, "nÇ") == [1, 5]  # "Cobrança em duplicidade…", "Alterar e-mail de cobrança"


def test_a_number_finds_that_ticket_and_subjects_containing_it(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE account_settings SET last_ticket_number = 600")
    numbered = _open(database, "Troca de senha")  # 601
    mentions = _open(database, "Pedido 6010 atrasado")  # 602
    assert numbered == 601

    assert _found(database, "601") == [numbered, mentions]
    assert _found(database, "#601") == [numbered]
    assert _found(database, "#602") == [mentions]
    assert _found(database, "6010") == [mentions]
    assert _found(database, "#3") == [3]


def test_pages_order_and_total_are_those_of_a_plain_scan(database: Database) -> None:
    for index in range(30):
        # Every third one is spelt "Manutenção", the others "Manutencao".
        word = "Manutenção" if index % 3 == 0 else "Manutencao"
        _open(database, f"{word} preventiva {index:02d}", LIVIA if index % 2 else JOAO)
    database.run(tickets.reply, database.agent(BRUNO), 7, "Agendada")  # moves #7 to the top

    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT number, subject FROM tickets WHERE in_trash = false ORDER BY updated_at DESC, id DESC"
        ).all()
    bruno = database.agent(BRUNO)
    for term in ("nutenç", "NUTENC", "ventiva 1", "va"):
        expected = [number for number, subject in rows if term.lower() in subject.lower()]
        assert expected, term
        pages = [
            database.run(tickets.list_tickets, bruno, TicketFilter(search=term, page=page, per_page=4))
            for page in (1, 2, 3)
        ]
        assert [row.number for page in pages for row in page.items] == expected[:12], term
        assert {page.total for page in pages} == {len(expected)}, term


def test_the_trash_and_the_scopes_still_apply(database: Database) -> None:
    joao_ticket = _open(database, "Cadeira quebrada na recepção")
    livia_ticket = _open(database, "Cadeira quebrada no depósito", LIVIA)
    database.run(tickets.trash_ticket, database.agent(BRUNO), livia_ticket)

    assert _found(database, "cadeira") == [joao_ticket]
    assert _found(database, "cadeira", in_trash=True) == [livia_ticket]
    assert _found(database, "cadeira", customer_ids=frozenset({database.customer(LIVIA).id})) == []
    assert _found(database, "cobrança", customer_ids=frozenset({database.customer(LIVIA).id})) == [5]
    filial = database.scalar("SELECT id FROM organizations WHERE name = 'Filial Norte'")
    assert _found(database, "cobrança", organization_ids=frozenset({filial})) == [1]


def _search_statements(db: Database, search: str) -> list[tuple[str, Any]]:
    """The statements the ticket list runs for `search`, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if "FROM tickets" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.run(tickets.list_tickets, db.agent(BRUNO), TicketFilter(search=search))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 2, seen  # the count and the page
    return seen


def _add_many(db: Database, subjects: list[str]) -> None:
    """Tickets in bulk, as bench/volume_data.py loads them: one INSERT, no use case."""
    now = clock.now()
    customer_id = db.customer(JOAO).id
    with db.engine.begin() as connection:
        connection.execute(
            insert(tickets_table),
            [
                {"number": 10_000 + index, "subject": subject, "description": "", "customer_id": customer_id,
                 "status": TicketStatus.OPEN, "in_trash": False, "trashed_with_customer": False,
                 "created_at": now - timedelta(seconds=index), "updated_at": now - timedelta(seconds=index)}
                for index, subject in enumerate(subjects)
            ],
        )  # fmt: skip
    if db.kind == "postgresql":
        # What autovacuum does soon after such a load: move the new rows out of the GIN
        # index's pending list into the index proper, and count them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE tickets")


def _plan(db: Database, statement: str, parameters: Any) -> str:
    with db.engine.connect() as connection:
        if db.kind == "sqlite":
            return " ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
        return " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))


def test_the_search_uses_the_trigram_index(database: Database) -> None:
    _add_many(database, [f"Rotina {index}" for index in range(5_000)])
    assert _found(database, "tina 1234") == [11_234]
    if database.kind == "postgresql":
        assert database.scalar("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_tickets_subject_trgm'") == (
            "CREATE INDEX ix_tickets_subject_trgm ON public.tickets USING gin (lower((subject)::text) gin_trgm_ops)"
        )
    index = "tickets_fts VIRTUAL TABLE" if database.kind == "sqlite" else "Bitmap Index Scan on ix_tickets_subject_trgm"
    count, page = _search_statements(database, "tina 1234")
    assert index in _plan(database, *count)
    assert index in _plan(database, *page)
    # Two letters make no trigram, so no index can answer: the scan does, as before.
    count, page = _search_statements(database, "ti")
    assert index not in _plan(database, *count) + _plan(database, *page)


@pytest.fixture
def postgres_without_extension_rights(postgres_admin: Engine) -> Iterator[str]:
    """An empty database whose migrating role may create tables but not extensions (no
    CREATE on the database, as on a managed server's application role)."""
    suffix = secrets.token_hex(6)
    name, role = f"aval_test_norights_{suffix}", f"aval_app_{suffix}"
    with postgres_admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    own_url = make_url(postgres_admin.url).set(database=name)
    grantor = create_engine(own_url, isolation_level="AUTOCOMMIT")
    with grantor.connect() as connection:
        connection.exec_driver_sql(f'GRANT CREATE ON SCHEMA public TO "{role}"')
        connection.exec_driver_sql(f'REVOKE CREATE ON DATABASE "{name}" FROM PUBLIC')
    grantor.dispose()
    try:
        yield own_url.set(username=role).render_as_string(hide_password=False)
    finally:
        with postgres_admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')


def test_without_rights_to_pg_trgm_the_migration_warns_and_search_scans(
    postgres_without_extension_rights: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="aval.migrations"):
        db = open_database("postgresql", postgres_without_extension_rights)
    try:
        assert any("no trigram index" in record.getMessage() for record in caplog.records), caplog.text
        assert db.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'") == 0
        assert db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_tickets_subject_trgm'") == 0
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert db.scalar("SELECT version_num FROM alembic_version") == head

        db.run(demo.seed_demo, PlainHasher())
        assert _found(db, "COBRANÇA") == [1, 5]
        assert _found(db, "#2") == [2]
    finally:
        db.engine.dispose()
