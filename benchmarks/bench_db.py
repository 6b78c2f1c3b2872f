"""The benchmarks' own database: made beside DATABASE_URL's and dropped afterwards, or (without
DATABASE_URL) made by the embedded server under the name given."""

from __future__ import annotations

import os


def own_database(name: str) -> str | None:
    """A fresh database ``name`` beside DATABASE_URL's; returns the address to drop it from
    (None: the embedded server makes it)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        os.environ["FLEXPORTAL_DB_NAME"] = name
        return None
    import psycopg

    base = url.split("?", 1)[0].rsplit("/", 1)[0]
    admin_url = f"{base}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    return admin_url


def drop_database(admin_url: str | None, name: str) -> None:
    import psycopg
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    if admin_url is None:
        db = settings.DATABASES["default"]
        admin_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
