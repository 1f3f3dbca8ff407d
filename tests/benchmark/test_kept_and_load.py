"""``--keep NAME`` keeps the synthetic CFA in a database of its own and a second run reuses it;
``--load`` measures pages against a real gunicorn reading that database. Run as a person types it,
in a process of its own: the command points its connection at another database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def run_benchmark(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(ROOT / "manage.py"), "benchmark", "--apprentices", "30", *args]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture
def kept_database(tmp_path):
    """A unique NAME, the environment of the command, and the kept database dropped at the end."""
    name = f"t{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "benchmark-test-key", "REDIS_URL": ""}
    postgres = connection.vendor == "postgresql"
    if not postgres:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    yield name, env
    if postgres:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_a_kept_cfa_is_generated_once_then_reused_and_measured_under_load(kept_database, tmp_path):
    name, env = kept_database
    first_json, second_json = tmp_path / "first.json", tmp_path / "second.json"

    first = run_benchmark(
        env, "--requests", "1", "--roles", "apprentice", "--keep", name, "--json", str(first_json)
    )
    assert first.returncode == 0, first.stderr
    # On PostgreSQL the database's name, on SQLite its file's path: bench_NAME either way.
    kept_line = next(line for line in first.stdout.splitlines() if line.startswith("Base gardée : "))
    assert f"bench_{name}" in kept_line and "Données générées" in first.stdout
    assert "annulées (rollback)" not in first.stdout

    second = run_benchmark(
        env,
        *("--requests", "1", "--roles", "apprentice,staff", "--keep", name, "--json", str(second_json)),
        *("--load", "--clients", "2", "--load-seconds", "0.5", "--workers", "1"),
    )
    assert second.returncode == 0, second.stderr
    assert "réutilisé" in second.stdout and "Données générées" not in second.stdout
    generated, reused = json.loads(first_json.read_text()), json.loads(second_json.read_text())
    assert reused["rows"] == generated["rows"] and reused["generation_s"] is None
    load = reused["load"]
    assert [row["page"] for row in load["pages"]] == [
        "Accueil de l'apprenti",
        "Fiche de liaison",
        "Tableau de bord (personnel)",
        "Mon compte (plancher)",
    ]
    for row in load["pages"]:
        # Every request was answered 200 by gunicorn as the persona: the sessions and the data are there.
        assert row["done"] > 0 and row["errors"] == 0, row
        assert row["rps"] > 0 and row["p95_ms"] >= row["p50_ms"] > 0
        assert (row["rps_target"] is None) == (row["page"] == "Mon compte (plancher)"), row
        if sys.platform == "linux":
            # The server answered every request: its processes used CPU; PostgreSQL's are read when
            # they run on this machine (CI's do), SQLite has none.
            assert row["cpu"]["server"] > 0 and row["cpu"]["clients"] >= 0 and row["server_ms"] > 0, row
            assert (row["cpu"]["database"] is None) == (env["DATABASE_URL"].startswith("sqlite")), row
    assert "Sous charge (gunicorn, 1 processus" in second.stdout
    # The floor is reported as a reference, and judged as no goal.
    assert "Mon compte (plancher) (Apprenti) : " in second.stdout and "référence, sans cible" in second.stdout
    assert not [goal for goal in reused["goals"] if "plancher" in goal["name"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"load": True}, "--load demande --keep"),
        ({"keep": "Pas Un Nom"}, "--keep attend un nom"),
        ({"keep": "x", "load": True, "clients": 0}, "nombres positifs"),
    ],
)
def test_keep_and_load_refuse_what_they_cannot_do(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("benchmark", apprentices=5, stdout=StringIO(), stderr=StringIO(), **options)
