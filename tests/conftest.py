"""Settings for the whole test run, the REQUIRE_SERVICES gate, and one user per role.

The suite runs with ``DEBUG`` off (as in production), so a few production settings are relaxed
here once for the whole run: a fast password hasher, no HTTPS redirect, static files without a
manifest, a per-process cache, tasks run inline, dashboards computed at each request. Tests that
exercise one of these turn it back on.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# Property-based tests: a moderate, derandomized number of examples (the same ones on every run, so
# that CI is reproducible), no deadline (a page render on a busy machine is not a bug), and no example
# database written into the checkout. HYPOTHESIS_PROFILE=dev explores more, at random.
hypothesis_settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
hypothesis_settings.register_profile(
    "dev",
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def chromium_path() -> str | None:
    """Debian's Chromium, or the one CHROMIUM_PATH names; None when there is none."""
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which(candidate)


def worker_redis_url(url: str, worker: str | None) -> str:
    """``url`` with its database number moved by the pytest-xdist worker's index (``gw0`` keeps it,
    ``gw1`` adds one...), so that parallel workers never consume each other's Celery messages."""
    if not url or not worker or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + int(worker[2:])}"))


def redis_problem() -> str | None:
    """Why Redis cannot be used, or None when it answers."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL n'est pas défini"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as error:  # noqa: BLE001 (any failure means the service is unusable)
        return f"Redis ne répond pas à {url} : {error}"
    return None


def pytest_configure(config):
    from django.conf import settings
    from django.test.utils import override_settings

    # One Redis database per pytest-xdist worker (the test databases are already one per worker:
    # pytest-django suffixes their names with the worker's id).
    redis_url = worker_redis_url(os.environ.get("REDIS_URL", ""), os.environ.get("PYTEST_XDIST_WORKER"))
    if redis_url:
        os.environ["REDIS_URL"] = redis_url

    static_root = Path(tempfile.mkdtemp(prefix="livret-tests-static-"))
    media_root = Path(tempfile.mkdtemp(prefix="livret-tests-media-"))
    # override_settings (not plain assignment) so that Django's setting_changed receivers reset the
    # storages, the password hashers and the cache handler.
    override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SECURE_SSL_REDIRECT=False,
        MFA_REQUIRED_FOR_STAFF=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        # WhiteNoise warns (an error here) when STATIC_ROOT is missing; the live server serves
        # static files through the finders anyway.
        STATIC_ROOT=static_root,
        # Uploaded evidence of the tests (and of the demo they seed) never lands in the checkout.
        MEDIA_ROOT=media_root,
        WHITENOISE_USE_FINDERS=True,
        WHITENOISE_AUTOREFRESH=True,
        # The platform has no public media URL (None); Django's live server needs a path there.
        MEDIA_URL="/_media_absent/",
        # The suite never touches the shared Redis cache: rate limits and sessions stay per process.
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        CELERY_TASK_ALWAYS_EAGER=True,
        # Dashboards are computed at each request: a test's writes commit only at its end (on_commit
        # callbacks never run inside its transaction), so a kept dashboard would never go stale.
        # tests/reports/test_dashboard_kept.py turns keeping on, committing its writes.
        DASHBOARD_CACHE_SECONDS=0,
        **(
            {"REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url}
            if redis_url
            else {}
        ),
    ).enable()
    config.add_cleanup(lambda: shutil.rmtree(static_root, ignore_errors=True))
    config.add_cleanup(lambda: shutil.rmtree(media_root, ignore_errors=True))

    from config import celery_app

    if redis_url:
        celery_app.conf.broker_url = redis_url
        celery_app.conf.result_backend = redis_url
    # Tasks queued by the code under test run inline; the worker test switches this off itself.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


def pytest_sessionstart(session):
    if not REQUIRE_SERVICES:
        return
    from django.conf import settings

    problems = []
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        problems.append(f"la base n'est pas PostgreSQL ({engine}) : définissez DATABASE_URL")
    if problem := redis_problem():
        problems.append(problem)
    if chromium_path() is None:
        problems.append("Chromium est introuvable (/usr/bin/chromium ou CHROMIUM_PATH)")
    if problems:
        pytest.exit(
            "REQUIRE_SERVICES=1 mais des services manquent :\n- " + "\n- ".join(problems), returncode=1
        )


@functools.cache
def pdf_problem() -> str | None:
    """Why WeasyPrint cannot make PDFs on this machine, or None when it can."""
    from core.pdf import weasyprint_problem

    return weasyprint_problem()


@pytest.fixture(autouse=True)
def _pdf_libraries(request, monkeypatch):
    """A test that makes a PDF on a machine without WeasyPrint's libraries skips, saying what is
    missing (fails under REQUIRE_SERVICES=1); the other tests run. ``pdf_missing`` tests simulate that
    machine themselves."""
    problem = pdf_problem()
    if problem is None or request.node.get_closest_marker("pdf_missing"):
        return

    def unavailable():
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 : {problem}", pytrace=False)
        pytest.skip(problem)

    monkeypatch.setattr("core.pdf.load_weasyprint", unavailable)


@pytest.fixture
def redis_broker():
    problem = redis_problem()
    if problem:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 : {problem}")
        pytest.skip(problem)
    return os.environ["REDIS_URL"]


@pytest.fixture
def real_worker(redis_broker):
    """An embedded Celery worker consuming from Redis; tasks are no longer run inline."""
    from celery.contrib.testing.worker import start_worker
    from django.db import connections

    from config import celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        assert celery_app.conf.broker_url == redis_broker
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = previous
        # The worker thread's connections must not keep the test database open.
        connections.close_all()


def ensure_referential() -> None:
    """The charter's referential is loaded by a data migration; a transactional test flushes the
    database, data migrations included, so the tests after it reload it when it is missing."""
    from django.apps import apps

    from quality import referential
    from quality.models import Poste

    if not Poste.objects.exists():
        referential.load(apps)


@pytest.fixture(autouse=True)
def _charter_referential(request):
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not names & {"db", "transactional_db"}:
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_referential()


@pytest.fixture(autouse=True)
def _clear_cache():
    """allauth's rate limits live in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# One user per role, in a small world of two organisations.

ROLES = ("apprentice", "company_tutor", "school_tutor", "head_of_diploma", "staff", "admin")
ORGANISATION_WIDE = ("staff", "admin")


@dataclass
class Chain:
    """An apprentice's contract and everything it leads to."""

    apprentice: object
    contract: object
    diploma: object
    employer: object
    company_tutor: object
    school_tutor: object

    def objects(self) -> dict[str, object]:
        return {
            "apprentice": self.apprentice,
            "contract": self.contract,
            "diploma": self.diploma,
            "employer": self.employer,
        }


@dataclass
class World:
    """``mine`` is followed by the role users; ``other`` belongs to other people of the same
    organisation; ``foreign`` to another organisation."""

    organisation: object
    other_organisation: object
    academic_year: object
    mine: Chain
    other: Chain
    foreign: Chain
    users: dict[str, object] = field(default_factory=dict)

    def visible_chains(self, role: str) -> list[str]:
        return ["mine", "other"] if role in ORGANISATION_WIDE else ["mine"]


def build_chain(organisation, academic_year, *, with_accounts: bool) -> Chain:
    from core.models import Role
    from tests.apprentices.factories import (
        ApprenticeFactory,
        CalendarFactory,
        CohortFactory,
        ContractFactory,
        DiplomaFactory,
    )
    from tests.core.factories import UserFactory
    from tests.employers.factories import EmployerFactory
    from tests.tutors.factories import CompanyTutorFactory, SchoolTutorFactory

    def account(role):
        if not with_accounts:
            return None
        return UserFactory(organisation=organisation, roles=[role])

    head = account(Role.HEAD_OF_DIPLOMA)
    diploma = DiplomaFactory(organisation=organisation, heads=[head] if head else [])
    cohort = CohortFactory(diploma=diploma, entry_year=academic_year)
    CalendarFactory(diploma=diploma, academic_year=academic_year, year_of_study=1)
    apprentice = ApprenticeFactory(organisation=organisation, cohort=cohort, user=account(Role.APPRENTICE))
    employer = EmployerFactory(organisation=organisation)
    company_tutor = CompanyTutorFactory(employer=employer, user=account(Role.COMPANY_TUTOR))
    school_tutor = SchoolTutorFactory(
        organisation=organisation,
        user=account(Role.SCHOOL_TUTOR) or UserFactory(organisation=organisation, roles=[Role.SCHOOL_TUTOR]),
    )
    contract = ContractFactory(
        apprentice=apprentice,
        employer=employer,
        company_tutor=company_tutor,
        school_tutor=school_tutor,
        diploma=diploma,
    )
    return Chain(apprentice, contract, diploma, employer, company_tutor, school_tutor)


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The two organisations, their three chains and the role users (see ``World``)."""
    from core.models import Role
    from tests.core.factories import AcademicYearFactory, OrganisationFactory, UserFactory

    organisation = OrganisationFactory(name="CFA des Tests")
    other_organisation = OrganisationFactory(name="CFA Voisin")
    year = AcademicYearFactory()
    mine = build_chain(organisation, year, with_accounts=True)
    other = build_chain(organisation, year, with_accounts=True)
    foreign = build_chain(other_organisation, year, with_accounts=True)
    users = {
        "apprentice": mine.apprentice.user,
        "company_tutor": mine.company_tutor.user,
        "school_tutor": mine.school_tutor.user,
        "head_of_diploma": mine.diploma.heads.get(),
        "staff": UserFactory(organisation=organisation, roles=[Role.STAFF], is_staff=True),
        "admin": UserFactory(organisation=organisation, roles=[Role.ADMIN], is_staff=True),
    }
    for user in users.values():
        user.__dict__.pop("roles", None)
    return World(organisation, other_organisation, year, mine, other, foreign, users)


@pytest.fixture
def apprentice_user(world):
    return world.users["apprentice"]


@pytest.fixture
def company_tutor_user(world):
    return world.users["company_tutor"]


@pytest.fixture
def school_tutor_user(world):
    return world.users["school_tutor"]


@pytest.fixture
def head_of_diploma_user(world):
    return world.users["head_of_diploma"]


@pytest.fixture
def staff_user(world):
    return world.users["staff"]


@pytest.fixture
def org_admin_user(world):
    """A CFA administrator (role ``admin``) of the world's organisation."""
    return world.users["admin"]


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client logged in as ``user``."""

    def login(user):
        client.force_login(user)
        return client

    return login


def grow(world: World, role: str, n: int) -> None:
    """Add ``n`` contracts (with their apprentices, employers, tutors) that ``role`` sees, so that
    a page's query count can be compared for little and more data."""
    from tests.apprentices.factories import ApprenticeFactory, CohortFactory, ContractFactory, DiplomaFactory
    from tests.employers.factories import EmployerFactory
    from tests.tutors.factories import CompanyTutorFactory

    mine = world.mine
    for _ in range(n):
        if role == "apprentice":
            employer = EmployerFactory(organisation=world.organisation)
            ContractFactory(
                apprentice=mine.apprentice,
                diploma=mine.diploma,
                employer=employer,
                company_tutor=CompanyTutorFactory(employer=employer),
                ruptured=True,
            )
        elif role == "company_tutor":
            ContractFactory(
                apprentice=ApprenticeFactory(organisation=world.organisation),
                employer=mine.employer,
                company_tutor=mine.company_tutor,
            )
        elif role == "school_tutor":
            ContractFactory(
                apprentice=ApprenticeFactory(organisation=world.organisation), school_tutor=mine.school_tutor
            )
        elif role == "head_of_diploma":
            ContractFactory(
                apprentice=ApprenticeFactory(organisation=world.organisation, cohort=mine.apprentice.cohort),
                diploma=mine.diploma,
            )
            diploma = DiplomaFactory(organisation=world.organisation, heads=[world.users["head_of_diploma"]])
            ContractFactory(
                apprentice=ApprenticeFactory(
                    organisation=world.organisation,
                    cohort=CohortFactory(diploma=diploma, entry_year=world.academic_year),
                )
            )
        else:
            ContractFactory(apprentice=ApprenticeFactory(organisation=world.organisation))
            ApprenticeFactory(organisation=world.organisation, minor=True)


@pytest.fixture
def broker_at():
    """``broker_at(url)`` points Celery at that broker, tasks no longer run inline; all is restored
    afterwards. ``redis://127.0.0.1:1/0`` is a broker that refuses every connection."""
    from config import celery_app

    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager)

    def forget_connections():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    def point(url: str) -> None:
        conf.broker_url = url
        conf.task_always_eager = False
        forget_connections()

    yield point
    conf.broker_url, conf.task_always_eager = saved
    forget_connections()
