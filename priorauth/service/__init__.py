"""The review service: upload packets, a DB-backed work queue, reviewer actions and an audit trail.

`priorauth.service.app.create_app(settings)` builds the FastAPI application;
`priorauth serve` runs it on uvicorn (server.py). SQLite in a data directory by
default, PostgreSQL through a database URL, on the same SQLAlchemy/Alembic path.
"""
