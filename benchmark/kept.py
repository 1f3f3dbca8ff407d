"""``--keep NAME``: the synthetic CFA written once into a database of its own, named NAME, and measured
again later without generating it anew.

The database sits beside the configured one (same PostgreSQL server, or a SQLite file beside it). The
first run creates it, migrates it, generates the CFA and commits; it records in a small table of its
own (``benchmark_kept``, outside Django's models, so no migration) what it generated and who the
measured personas are. A later run with the same NAME and the same size finds them there.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from apprentices.models import Apprentice, Contract, Diploma
from benchmark.cfa import Generated, Personas
from core.models import AcademicYear, Organisation, User
from livret.models import LiaisonSheet

NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")
TABLE = "benchmark_kept"


@dataclass(frozen=True)
class Size:
    apprentices: int
    years: int
    seed: int


def database_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise CommandError(
            "--keep attend un nom de base en minuscules (lettres, chiffres, _ ; 41 caractères au plus), "
            f"commençant par une lettre (reçu : « {name} »)."
        )
    return f"bench_{name}"


def switch_to(name: str) -> None:
    """Point the default connection at the kept database, created and migrated if needed."""
    database = database_name(name)
    current = connection.settings_dict
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:  # the server's maintenance database, as test runs do
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{database}"')
        target = database
    else:
        folder = os.path.dirname(str(current["NAME"])) if current["NAME"] != ":memory:" else "."
        target = os.path.join(os.path.abspath(folder or "."), f"{database}.sqlite3")
    connection.close()
    current["NAME"] = target
    settings.DATABASES["default"]["NAME"] = target
    call_command("migrate", verbosity=0, interactive=False)


def database_url() -> str:
    """The URL of the database the connection now uses, for another process (the load's server)."""
    current = connection.settings_dict
    if connection.vendor != "postgresql":
        return f"sqlite:///{current['NAME']}"
    user = quote(current.get("USER") or "", safe="")
    password = quote(current.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = current.get("HOST") or "127.0.0.1"
    port = f":{current['PORT']}" if current.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{current['NAME']}"


def _ensure_table(cursor) -> None:
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (size TEXT PRIMARY KEY, generated TEXT NOT NULL)")


def _key(size: Size) -> str:
    return f"{size.apprentices}:{size.years}:{size.seed}"


def load(size: Size) -> Generated | None:
    """What a previous run generated at this size in this database, or None."""
    with connection.cursor() as cursor:
        _ensure_table(cursor)
        cursor.execute(f"SELECT generated FROM {TABLE} WHERE size = %s", [_key(size)])
        row = cursor.fetchone()
    if row is None:
        return None
    stored = json.loads(row[0])
    users = {user.pk: user for user in User.objects.filter(pk__in=stored["users"].values())}
    personas = Personas(
        users={role: users[pk] for role, pk in stored["users"].items() if pk in users},
        apprentice=Apprentice.objects.get(pk=stored["apprentice"]),
        contract=Contract.objects.get(pk=stored["contract"]),
        sheet=LiaisonSheet.objects.filter(pk=stored["sheet"]).first(),
        diploma=Diploma.objects.get(pk=stored["diploma"]),
        year=AcademicYear.objects.get(pk=stored["year"]),
    )
    years = list(AcademicYear.objects.filter(pk__in=stored["years"]).order_by("start_date"))
    return Generated(
        organisation=Organisation.objects.get(pk=stored["organisation"]),
        years=years,
        diplomas=list(Diploma.objects.filter(pk__in=stored["diplomas"]).order_by("pk")),
        personas=personas,
        counts=stored["counts"],
    )


def save(size: Size, data: Generated) -> None:
    personas = data.personas
    stored = {
        "organisation": data.organisation.pk,
        "years": [year.pk for year in data.years],
        "diplomas": [diploma.pk for diploma in data.diplomas],
        "counts": data.counts,
        "users": {role: user.pk for role, user in personas.users.items()},
        "apprentice": personas.apprentice.pk,
        "contract": personas.contract.pk,
        "sheet": personas.sheet.pk if personas.sheet else None,
        "diploma": personas.diploma.pk,
        "year": personas.year.pk,
    }
    with connection.cursor() as cursor:
        _ensure_table(cursor)
        cursor.execute(f"DELETE FROM {TABLE} WHERE size = %s", [_key(size)])
        cursor.execute(
            f"INSERT INTO {TABLE} (size, generated) VALUES (%s, %s)", [_key(size), json.dumps(stored)]
        )
