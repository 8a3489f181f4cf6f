"""Parley's profile and interaction store: users, interests, every turn, feedback, segments and the catalog.

SQLAlchemy over SQLite by default (a file under `var/`) or PostgreSQL by URL (`PARLEY_DB_URL`); Alembic owns the
schema (`python -m store upgrade`). Modules: `schema` (tables), `db` (engines and sessions), `migrate`,
`identity` (who a message is from), `users`, `interactions`, `feedback`, `catalog_sync`, `segments`.
"""
