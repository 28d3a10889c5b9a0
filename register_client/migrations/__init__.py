"""The register's Alembic migrations, applied by :func:`register_client.connect`.

To change the schema:

1. change the tables in ``register_client/_schema.py``;
2. add ``versions/000N_what.py`` by hand (``script.py.mako`` is the template),
   with ``down_revision`` set to the previous revision, using ``op.*`` calls
   (batch mode is on for SQLite);
3. run ``pytest tests/register_client/test_register_migrations.py``: it migrates
   fresh SQLite and PostgreSQL registers and fails on any difference between
   the migrated schema and ``_schema.py``.

``connect()`` upgrades every register it opens to the newest revision, under a
lock, so old registers catch up on their next scan.
"""
