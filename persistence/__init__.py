"""Storage of Aval: SQLAlchemy mapping of the domain's entities, repositories, the unit
of work, Alembic migrations and the notification outbox."""
