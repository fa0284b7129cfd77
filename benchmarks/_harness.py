"""Shared set-up of the database benchmarks: Django on a temporary SQLite database (or the
empty database DATABASE_URL names, which `postgres_database` creates and drops), DEBUG off,
migrated; logging to stderr; peak memory. Imported by the scripts next to it (the file name's
underscore keeps `make bench-quick` from running it as a benchmark)."""

from __future__ import annotations

import contextlib
import os
import resource
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextlib.contextmanager
def postgres_database(url: str, keep: bool) -> Iterator[None]:
    """Create the database named in `url` and drop it afterwards."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            log(f"kept database {name}")
        else:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))


def setup_django(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tobacco_crm.settings.dev")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'benchmark.sqlite3'}")
    os.environ.setdefault("TOBACCO_CRM_HOME", str(tmp))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Measure as in production: with DEBUG on, Django keeps the text of every statement.
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
