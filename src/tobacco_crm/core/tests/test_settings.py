"""Settings: SQLite runs in WAL mode with IMMEDIATE transactions; production comes from the
environment and refuses to start without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tobacco_crm.settings.base import database_from_env

ROOT = Path(__file__).resolve().parents[4]


def test_sqlite_default_is_wal_immediate_with_a_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    config = database_from_env(tmp_path / "x.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_database_url_is_honoured(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://crm@db.example:5432/crm")

    config = database_from_env(Path("/unused"))

    assert (config["ENGINE"], config["NAME"], config["HOST"]) == (
        "django.db.backends.postgresql", "crm", "db.example",
    )  # fmt: skip


@pytest.mark.django_db  # lifts pytest-django's block on opening database connections
def test_a_sqlite_file_database_opens_in_wal_mode(tmp_path, monkeypatch):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = {**connection.settings_dict, **database_from_env(tmp_path / "wal.sqlite3")}
    wrapper = DatabaseWrapper(config, alias="wal-check")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
            cursor.execute("PRAGMA busy_timeout")
            busy_ms = cursor.fetchone()[0]
    finally:
        wrapper.close()

    assert mode == "wal"
    assert busy_ms >= 5000


def _check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", *args],
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "tobacco_crm.settings.production",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_its_environment():
    result = _check({"SECRET_KEY": "", "DATABASE_URL": "", "ALLOWED_HOSTS": ""})

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_passes_the_deploy_check():
    env = {
        "SECRET_KEY": "x" * 60 + "-production-only-secret-key-for-the-check",
        "DATABASE_URL": "sqlite:////tmp/tobacco-crm-deploy-check.sqlite3",
        "ALLOWED_HOSTS": "crm.example.com",
    }

    result = _check(env, "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
