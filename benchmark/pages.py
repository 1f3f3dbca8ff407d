"""The pages each role opens every day, measured as that person: one request whose SQL queries are
counted, then timed requests (p50, p95) against a target."""

from __future__ import annotations

import contextlib
import gc
import math
import os
import statistics
import time
from dataclasses import dataclass, field

from celery import current_app
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from benchmark.cfa import Personas
from core.models import Role
from reports.dashboard import kept

TARGET_MS = 150


@contextlib.contextmanager
def handed_to_a_worker():
    """Queued work goes to a worker, as in production where a broker is configured (``REDIS_URL``),
    instead of running inline: the page writes its message to the outbox and hands it to the broker
    (this command's: in memory without ``REDIS_URL``); the worker's part is not the page's."""
    conf = current_app.conf
    inline = conf.task_always_eager
    conf.task_always_eager = False
    try:
        yield
    finally:
        conf.task_always_eager = inline


# (label, URL name, arguments from the personas[, what to do before each request, untimed[, the
# conditions of the requests]]): the pages a person opens every day. A name that does not exist (yet)
# in this checkout is left out, so the command keeps working as the platform grows.
PAGES = [
    ("Accueil", "home", lambda p: []),
    ("Apprentis", "apprentices:apprentice_list", lambda p: []),
    ("Employeurs", "employers:employer_list", lambda p: []),
    ("Contrats", "apprentices:contract_list", lambda p: []),
    ("Fiches de liaison", "livret:sheet_list", lambda p: []),
    ("Visites", "livret:visit_list", lambda p: []),
    ("Registre des visites", "livret:visit_report_list", lambda p: []),
    ("Missions", "livret:mission_list", lambda p: []),
    ("Livret d'un apprenti", "livret:booklet", lambda p: [p.apprentice.pk]),
    ("Contrat", "apprentices:contract_detail", lambda p: [p.contract.pk]),
    ("Fiche de liaison", "livret:sheet_detail", lambda p: [p.sheet.pk] if p.sheet else None),
    ("Qualité : tableau de bord", "quality:dashboard", lambda p: []),
    ("Qualité : trajectoire", "quality:trajectory", lambda p: [p.diploma.pk, p.year.label]),
    ("Tableau de bord", "reports:dashboard", lambda p: []),
    # The same page after a change to the records, at each request: with a worker, what was kept is
    # shown and the worker computes it again (``reports.dashboard.kept``) …
    (
        "Tableau de bord, après un changement",
        "reports:dashboard",
        lambda p: [],
        kept.forget,
        handed_to_a_worker,
    ),
    # … and computed in the request: « Recalculer », a dashboard nobody kept, or no worker (no REDIS_URL).
    ("Tableau de bord, recalculé", "reports:dashboard", lambda p: [], kept.forget),
]
ROLES = ["apprentice", "company_tutor", "school_tutor", "head_of_diploma", "staff", "admin"]


@dataclass
class PageTimings:
    """One row per (page, role) measured; the pages a role may not open and the URL names this
    checkout lacks, named for the report."""

    rows: list[dict] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: p95 of 20 samples is the 19th smallest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def page_settings():
    """The settings under which the test client can request pages as production serves them."""
    overrides = {
        "ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"],
        "SECURE_SSL_REDIRECT": False,
        # Staff have enrolled their second factor in production: the check passes once per session.
        "MFA_REQUIRED_FOR_STAFF": False,
    }
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" in backend and not os.path.exists(os.path.join(settings.STATIC_ROOT, "staticfiles.json")):
        # Without collectstatic the manifest storage cannot name a file; the plain storage costs the
        # same once the manifest is in memory.
        overrides["STORAGES"] = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    return override_settings(**overrides)


def _nothing() -> None:
    pass


def measure(personas: Personas, roles: list[str], requests: int) -> PageTimings:
    timings = PageTimings()
    # The content types, which a server's worker reads once and keeps: else the first page to name one
    # counts its query, and a run on a kept database (where nothing named one before the pages) counts
    # one more than a run that generated it.
    ContentType.objects.get_for_models(*django_apps.get_models())
    # As a server's worker once it has loaded the platform (config/wsgi.py): what lives until now is
    # left out of the garbage collector's full collections, which would otherwise traverse the whole
    # process (this command's too) every few requests.
    gc.collect()
    gc.freeze()
    urls = []
    for label, name, arguments, *hooks in PAGES:
        args = arguments(personas)
        if args is None:
            continue
        before = hooks[0] if hooks else _nothing
        conditions = hooks[1] if len(hooks) > 1 else contextlib.nullcontext
        try:
            urls.append((label, name, reverse(name, args=args), before, conditions))
        except NoReverseMatch:
            timings.missing.append(name)
    with page_settings():
        for role in roles:
            user = personas.users.get(role)
            if user is None:
                continue
            client = Client()
            client.force_login(user)
            for label, name, url, before, conditions in urls:
                with conditions():
                    before()
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(url)
                    # Read now: the captured queries are a slice of a log that the next request clears.
                    count = len(queries)
                    if response.status_code != 200:
                        timings.refused.append(f"{label} ({Role(role).label} : {response.status_code})")
                        continue
                    samples = []
                    for _ in range(requests):
                        before()
                        started = time.perf_counter()
                        response = client.get(url)
                        samples.append((time.perf_counter() - started) * 1000)
                        if response.status_code != 200:
                            raise CommandError(f"{url} a répondu {response.status_code} à {role}.")
                p95 = percentile(samples, 0.95)
                timings.rows.append(
                    {
                        "page": label,
                        "url_name": name,
                        "url": url,
                        "role": role,
                        "p50_ms": round(statistics.median(samples), 1),
                        "p95_ms": round(p95, 1),
                        "queries": count,
                        "ok": p95 < TARGET_MS,
                    }
                )
    return timings
