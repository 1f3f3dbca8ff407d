"""Playwright driving Debian's Chromium against pytest-django's live server.

Without Chromium the browser tests are skipped, unless REQUIRE_SERVICES=1, where they fail.
"""

from __future__ import annotations

import functools

import pytest
from django.core.management import call_command

from tests.conftest import REQUIRE_SERVICES, chromium_path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = "demo-apprentissage"


@pytest.fixture
def chromium_executable():
    path = chromium_path()
    if path is None:
        message = "Chromium est introuvable (/usr/bin/chromium, ou la variable CHROMIUM_PATH)"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 : {message}")
        pytest.skip(message)
    return path


@pytest.fixture
def browser(chromium_executable, monkeypatch):
    """One Chromium per test: Playwright's sync API runs an event loop in this thread, during which
    Django refuses ORM calls unless told that this is on purpose."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # Connections opened while Playwright ran belong to its context: close them here, or
            # they keep the PostgreSQL test database open and it cannot be dropped at the end.
            connections.close_all()


@pytest.fixture
def server(live_server, transactional_db, settings):
    """The live server over plain HTTP: cookies cannot be Secure there."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server


def watch_errors(page) -> list[str]:
    """The page's script errors and, from the console, every refusal of the Content-Security-Policy or
    the Permissions-Policy (also kept in ``page.policy_violations``, which the page fixtures check
    after every test)."""
    errors, violations = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def console(message):
        text = message.text
        if "Content Security Policy" in text or "Permissions-Policy" in text or "Permissions policy" in text:
            errors.append(text)
            violations.append(text)

    page.on("console", console)
    page.policy_violations = violations
    return errors


@pytest.fixture
def phone_page(browser, server):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = watch_errors(page)
    try:
        yield page
    finally:
        context.close()
    assert page.policy_violations == []


NOT_DUMPED = ["sessions", "admin.logentry"]


@pytest.fixture(scope="session")
def demo_dump(tmp_path_factory, django_db_setup, django_db_blocker):
    """The demo, seeded once per session and dumped; the seeding itself is rolled back. Loading the
    dump costs a fraction of seeding again (the demo goes through every workflow's services). Returns
    what puts it back: every table's rows in PostgreSQL's binary COPY format when the database can take
    them back that way, else a ``dumpdata`` file (SQLite)."""
    from django.db import transaction

    from tests.conftest import ensure_referential

    with django_db_blocker.unblock(), transaction.atomic():
        ensure_referential()
        call_command("seed_demo", quiet=True)
        if can_copy_back():
            restore = functools.partial(copy_in, copy_out())
        else:
            path = tmp_path_factory.mktemp("demo") / "demo.json"
            call_command("dumpdata", exclude=NOT_DUMPED, output=str(path), verbosity=0)
            restore = functools.partial(load_in_bulk, path)
        transaction.set_rollback(True)
    return restore


@pytest.fixture
def demo_data(server, demo_dump):
    demo_dump()


# Not data: the migrations applied. Copied back as they were, the sessions (none after seeding) too.
NOT_COPIED = frozenset({"django_migrations"})


def can_copy_back() -> bool:
    """PostgreSQL, as a role that may turn triggers off for its session (a superuser, as in CI): the
    rows then go back exactly as they were, without the triggers that keep the status snapshots."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW is_superuser")
        return cursor.fetchone()[0] == "on"


def copy_out() -> dict[str, bytes]:
    """Every table's rows, as this transaction sees them, in COPY's binary format."""
    from django.db import connection

    quote = connection.ops.quote_name
    copied = {}
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names()) - NOT_COPIED):
            with cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT BINARY)") as copy:
                copied[table] = b"".join(bytes(block) for block in copy)
    return copied


def copy_in(copied: dict[str, bytes]) -> None:
    """The demo back in every table, in one transaction: each table emptied then refilled by COPY with
    the session's triggers off (no foreign key is checked, no snapshot forgotten: the rows are those of
    a consistent database), then the sequences moved past the loaded ids. Ten times faster than
    deserialising the JSON dump."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(quote(table) for table in copied)}")
        for table, data in copied.items():
            with cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(data)
        models = apps.get_models(include_auto_created=True)
        cursor.execute(";".join(connection.ops.sequence_reset_sql(no_style(), models)))
    ContentType.objects.clear_cache()


def load_in_bulk(path) -> None:
    """``loaddata``, one INSERT per model rather than per row: the dump is ordered by dependencies,
    foreign keys are checked at commit, and the sequences are moved past the loaded ids.

    The flush before each test recreates content types and permissions under new ids: they are
    replaced by the dumped ones, so that every reference in the dump holds; so is the charter's
    referential that the quality migration loads."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from django.core.management.color import no_style
    from django.db import connection, transaction

    objects, relations = {}, []
    with open(path, encoding="utf-8") as dump:
        for item in serializers.deserialize("json", dump):
            objects.setdefault(type(item.object), []).append(item.object)
            if item.m2m_data:
                relations.append((item.object, item.m2m_data))
    from quality.models import Perimeter, Poste, ReferentialItem, Requirement
    from surveys.models import Question, Questionnaire

    with transaction.atomic():
        # So do the questionnaire templates that the surveys migration loads.
        Question.objects.all().delete()
        Questionnaire.objects.all().delete()
        # Rows that migrations create (the charter's referential) come back from the dump too.
        Requirement.objects.filter(item__isnull=False).delete()
        ReferentialItem.objects.all().delete()
        Perimeter.objects.all().delete()
        Poste.objects.all().delete()
        Permission.objects.all().delete()
        ContentType.objects.all().delete()
        ContentType.objects.clear_cache()
        for model, rows in objects.items():
            model._base_manager.bulk_create(rows, batch_size=500)
        for row, data in relations:
            for name, values in data.items():
                getattr(row, name).set(values)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(objects)):
                cursor.execute(sql)


def log_in(page, base_url, email, password=DEMO_PASSWORD):
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("form", has=page.locator('input[name="password"]'))
    form.locator('input[name="login"]').fill(email)
    form.locator('input[name="password"]').fill(password)
    form.locator('button[type="submit"]').click()
    page.wait_for_url(f"{base_url}/")


def assert_no_axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    if results.violations_count:
        print(results.generate_report())
    assert results.violations_count == 0, f"{page.url}: {results.violations_count} violation(s) axe-core"
