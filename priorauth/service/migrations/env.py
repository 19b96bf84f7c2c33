"""Alembic environment: always run in-process by priorauth.service.db.migrate on a given connection."""

from alembic import context

from priorauth.service.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations through priorauth.service.db.migrate (priorauth serve does it on start)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
