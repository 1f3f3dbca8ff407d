"""The dashboard's figures and alerts, kept for the person who asked for them.

At the size of a network, computing them reads the organisation's rows (every apprentice's status, the
visit windows of the contracts that start or end, the overdue sheets): hundreds of milliseconds. A
person opens the dashboard, follows an alert, comes back, changes a filter and comes back: each return
within ``DASHBOARD_CACHE_SECONDS`` reads what was computed, and the page says when it was.

A change to what they count makes every kept dashboard stale at once: each save or deletion of the
records they read (apprentices, contracts, the booklet's documents, the school tutors, the diplomas
and their heads, roles, years, indicator values) gives the cache a new version once its transaction
commits, and a dashboard is kept with the version it was computed under. What changes without a save
(a bulk update, the hours passing: a mission description becomes a week old) is computed again once
the dashboard is ``DASHBOARD_CACHE_SECONDS`` old, and « Recalculer » recomputes at once.

A stale dashboard, or one computed more than ``DASHBOARD_CACHE_SECONDS`` ago, is computed again by the
worker where there is one: the page shows what was kept, says that the figures are being computed
again, and hands the work to ``reports.tasks.refresh_dashboard`` (once per version and age). In a
network some document changes every few seconds: computing it again in the request would make every
visit pay the hundreds of milliseconds. With a worker a dashboard is kept for the day (its key holds
the day), so only a person's first visit of the day, with those filters, computes it in the request;
so does a visit once the worker has left it undone for ``WORKER_WAIT_SECONDS`` (down, or busy).
Without a worker (no ``REDIS_URL``: tasks run inline) the request computes a stale or old one, and
nothing is kept past ``DASHBOARD_CACHE_SECONDS``.

Kept per person (their scope, the links their roles offer), year, day, filters and language: never
shared between people.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from core import queue
from core.db import planned_for_their_values
from core.filters import chosen_param
from reports.dashboard.alerts import AlertKind, alerts
from reports.dashboard.figures import KeyFigure, home_figures, home_of, key_figures
from reports.dashboard.scope import Scope

VERSION_KEY = "dashboard:version"
# A stale dashboard is handed to the worker once per version and age; if the worker has not computed it
# within WORKER_WAIT_SECONDS (it is down, or busy), the request computes it.
WORKER_WAIT_SECONDS = 30
REFRESH_LOCK_SECONDS = 60 * 60
# With a worker, how long a dashboard stays in the cache to be shown while it is computed again: the
# day (its key holds the day: nothing older is read).
KEPT_FOR_THE_DAY_SECONDS = 24 * 60 * 60

# The apps whose records the figures and the alerts read, and the models read elsewhere.
COUNTED_APPS = frozenset({"apprentices", "livret", "employers", "tutors"})
COUNTED_MODELS = frozenset({("core", "userrole"), ("core", "academicyear"), ("quality", "indicatorvalue")})


@dataclass
class Computed:
    figures: list[KeyFigure]
    kinds: list[AlertKind]
    at: datetime.datetime  # when they were computed
    stale: bool = False  # shown while the worker computes them again: changed since ``at``, or old

    @property
    def alert_total(self) -> int:
        return sum(kind.count for kind in self.kinds)


@dataclass(frozen=True)
class Kept:
    version: int  # the cache's version they were computed under
    computed: Computed


def counts(model) -> bool:
    """Whether a save or a deletion of ``model`` may change a dashboard."""
    meta = model._meta
    return meta.app_label in COUNTED_APPS or (meta.app_label, meta.model_name) in COUNTED_MODELS


def forget() -> None:
    """Every kept dashboard is stale from now on: the cache's version changes."""
    cache.set(VERSION_KEY, time.time_ns(), None)


def changed() -> None:
    """Something the dashboards count changed: once the transaction commits, every kept dashboard is
    stale (a rolled-back change leaves them as they are). Nothing to do when none are kept."""
    if settings.DASHBOARD_CACHE_SECONDS > 0:
        transaction.on_commit(forget)


def _version() -> int:
    return cache.get(VERSION_KEY, 0)


def _key(scope: Scope) -> str:
    parts = [
        scope.user.pk,
        get_language(),
        scope.year.pk,
        scope.today.isoformat(),
        scope.diploma.pk if scope.diploma is not None else "",
        chosen_param(scope.cohort) if scope.cohort is not None else "",
        chosen_param(scope.school_tutor) if scope.school_tutor is not None else "",
    ]
    # A typed name may be long or hold any character: the key is its digest.
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"dashboard:{digest}"


def _kept_key(scope: Scope) -> str | None:
    """The key ``scope`` is kept under, or None: nothing is kept (the setting is 0, or the scope is in
    error: empty, it costs nothing)."""
    return _key(scope) if settings.DASHBOARD_CACHE_SECONDS > 0 and not scope.invalid else None


def _compute(scope: Scope) -> Computed:
    # The alerts first: they read the statuses the dashboard watches (``Scope.statuses``), which the
    # figures then count without a query of their own (``Scope.status_counts``).
    with planned_for_their_values():
        kinds = alerts(scope)
        figures = key_figures(scope)
    return Computed(figures=figures, kinds=kinds, at=timezone.now())


def computed(scope: Scope, *, query: str = "") -> Computed:
    """The figures and alerts of ``scope``: those kept for it, else computed now and kept. Kept but
    stale, with a worker: those kept, marked ``stale``, while the worker computes them again from
    ``query`` (the page's query string, which gives ``scope``: ``reports.scopes``)."""
    key = _kept_key(scope)
    if key is None:
        return _compute(scope)
    version = _version()
    return _shown(scope, key, cache.get(key), version, query) or _compute_and_keep(scope, key, version)


def _shown(scope: Scope, key: str, kept, version: int, query: str) -> Computed | None:
    """What is ``kept`` for ``scope`` that a page may show: fresh, or stale while the worker computes it
    again. None: the request must compute it."""
    if isinstance(kept, Kept):
        if kept.version == version and not _old(kept.computed):
            return kept.computed
        if _refresh_in_background(scope, key, version, kept.computed.at, query):
            return dataclasses.replace(kept.computed, stale=True)
    return None


def for_the_home(scope: Scope) -> tuple[list[KeyFigure], Computed | None]:
    """The staff home's figures (``figures.HOME``) and what they were read from: the person's dashboard
    over their whole scope where it may be shown (the same functions on the same scope, read rather than
    computed: at 200,000 apprentices the home's status counts took a third of a second), else computed
    for the home alone (None). With a worker, a dashboard not kept yet is handed to it then, so that
    the next visits, of the home or of the dashboard, read it."""
    key = _kept_key(scope)
    if key is None:
        return home_figures(scope), None
    kept = cache.get(key)
    shown = _shown(scope, key, kept, _version(), "")
    if shown is not None:
        return home_of(shown.figures), shown
    if kept is None and not queue.inline():
        _ask_the_worker_once(scope, f"{key}:asked", "")
    return home_figures(scope), None


def _ask_the_worker_once(scope: Scope, lock: str, query: str) -> bool:
    """Queue the computation of ``scope``'s dashboard unless ``lock`` says it was asked (holding when):
    True when asked now. The lock is read back: a cache that does not answer (Redis down) says « added »,
    and could keep nothing the worker computed, so nobody is asked (and no request waits on the broker)."""
    now = time.time()
    if not cache.add(lock, now, REFRESH_LOCK_SECONDS) or cache.get(lock) != now:
        return False
    queue.enqueue(
        "reports.tasks.refresh_dashboard", scope.user.pk, query, scope.today.isoformat(), get_language()
    )
    return True


def _old(result: Computed) -> bool:
    return timezone.now() - result.at >= datetime.timedelta(seconds=settings.DASHBOARD_CACHE_SECONDS)


def _compute_and_keep(scope: Scope, key: str, version: int) -> Computed:
    """Computed now and kept under ``version``, read before computing: a change committed meanwhile
    leaves it stale. A worker's result never replaces one computed under a later version."""
    result = _compute(scope)
    kept = cache.get(key)
    if not (isinstance(kept, Kept) and kept.version > version):
        seconds = settings.DASHBOARD_CACHE_SECONDS
        cache.set(
            key, Kept(version, result), seconds if queue.inline() else max(seconds, KEPT_FOR_THE_DAY_SECONDS)
        )
    return result


def _refresh_in_background(scope: Scope, key: str, version: int, at: datetime.datetime, query: str) -> bool:
    """Hand the computation of a stale or old dashboard (computed ``at``) to the worker, once per
    version and age: True while it may still do it. False when the page must compute it: tasks run
    inline (no worker), or the worker was asked more than ``WORKER_WAIT_SECONDS`` ago and has not
    done it."""
    if queue.inline():
        return False
    lock = f"{key}:refreshing:{version}:{at.timestamp()}"
    if _ask_the_worker_once(scope, lock, query):
        return True
    asked = cache.get(lock)
    return asked is not None and time.time() - asked < WORKER_WAIT_SECONDS


def recompute(scope: Scope) -> bool:
    """The worker's part: ``scope`` computed again and kept, under the version current when it
    started. False when nothing is kept for such a scope (keeping off, a scope in error)."""
    key = _kept_key(scope)
    if key is None:
        return False
    _compute_and_keep(scope, key, _version())
    return True


def refresh(scope: Scope) -> None:
    """« Recalculer »: what is kept for ``scope`` is dropped, the next :func:`computed` computes it."""
    key = _kept_key(scope)
    if key is not None:
        cache.delete(key)
