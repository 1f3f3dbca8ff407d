"""The dashboard's figures and alerts kept a few minutes per person (``reports.dashboard.kept``): read
back at the next visit, stale once a counted record's change commits (computed again in the request,
or by the worker where there is one, the page showing what was kept meanwhile), recomputed on demand,
never shared between people, and the page says when they were computed."""

import dataclasses
import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apprentices.models import Apprentice
from core.models import Organisation, OutboxMessage, Role
from core.signals import records_written
from reports import dashboard as board
from reports import tasks
from reports.dashboard import kept
from tests.apprentices.factories import ApprenticeFactory, cohort_started
from tests.core.factories import OrganisationFactory, UserFactory
from tests.reports.test_dashboard import grow_everything

URL = reverse("reports:dashboard")


@pytest.fixture(autouse=True)
def kept_five_minutes(settings):
    settings.DASHBOARD_CACHE_SECONDS = 300


def figures_and_alerts(response) -> str:
    """The page's figures and alerts, from « Chiffres clés » on (the filters before it are the form's)."""
    text = response.text
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text[text.index('id="chiffres-cles"') :])


def without_contract(response) -> int:
    found = re.search(r'href="#alertes-sans-contrat">[^<]*</a> : <strong>(\d+)</strong>', response.text)
    return int(found[1])


def queries_of(client, url=URL):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def enrol_one(world, committed):
    """An apprentice enrolled 75 days ago without a contract: one more « Apprenti sans contrat »."""
    with committed:
        ApprenticeFactory(organisation=world.organisation, cohort=cohort_started(world.mine.diploma, 75))


def test_the_next_visit_reads_what_was_computed_with_the_same_figures(world, client_for, settings):
    grow_everything(world, 2)
    client = client_for(world.users["staff"])
    client.get(URL)  # the session and the content types
    cache.clear()

    first, computing = queries_of(client)
    again, reading = queries_of(client)

    assert figures_and_alerts(again) == figures_and_alerts(first)
    assert without_contract(first) == 2
    # The figures and the alerts are read back: what is left is the session, the person and the
    # filters' form.
    assert reading <= computing - 15
    settings.DASHBOARD_CACHE_SECONDS = 0
    live, _n = queries_of(client)
    assert figures_and_alerts(live) == figures_and_alerts(first)


def test_a_committed_change_empties_every_kept_dashboard(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.users["staff"])
    before = without_contract(client.get(URL))

    enrol_one(world, django_capture_on_commit_callbacks(execute=True))

    assert without_contract(client.get(URL)) == before + 1


def test_a_change_not_yet_committed_leaves_the_kept_dashboard(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.users["staff"])
    before = without_contract(client.get(URL))
    version = cache.get(kept.VERSION_KEY)

    # Written, but its transaction has not committed (and may roll back): nothing is forgotten yet.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ApprenticeFactory(organisation=world.organisation, cohort=cohort_started(world.mine.diploma, 75))

    assert cache.get(kept.VERSION_KEY) == version
    assert without_contract(client.get(URL)) == before
    assert kept.forget in callbacks


def test_records_of_other_apps_leave_it_kept(world, django_capture_on_commit_callbacks):
    from core.models import AuditEvent

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        OrganisationFactory(name="CFA sans rapport")
        UserFactory(organisation=world.organisation)

    assert kept.forget not in callbacks
    assert kept.counts(Apprentice) and not kept.counts(AuditEvent) and not kept.counts(Organisation)


def test_recalculer_recomputes_now_and_returns_to_the_same_filters(world, client_for):
    client = client_for(world.users["staff"])
    query = f"diploma={world.mine.diploma.pk}"
    before = without_contract(client.get(f"{URL}?{query}"))
    # Written in this test's transaction, which never commits: the kept dashboard does not know yet …
    ApprenticeFactory(organisation=world.organisation, cohort=cohort_started(world.mine.diploma, 75))
    assert without_contract(client.get(f"{URL}?{query}")) == before

    # … until « Recalculer maintenant », then the page's own URL, its filters kept.
    page = client.get(f"{URL}?{query}")
    assert f'href="?{query}&amp;recalculer=1"' in page.text
    response = client.get(f"{URL}?{query}&recalculer=1")
    assert response.status_code == 302 and response.url == f"{URL}?{query}"
    assert without_contract(client.get(response.url)) == before + 1

    plain = client.get(f"{URL}?recalculer=1")
    assert plain.status_code == 302 and plain.url == URL


def test_each_person_has_their_own(world, client_for):
    staff = client_for(world.users["staff"])
    staff.get(URL)
    from django.test import Client

    colleague = Client()
    colleague.force_login(UserFactory(organisation=world.organisation, roles=[Role.STAFF], is_staff=True))
    colleague.get(URL)  # the session and the content types
    kept.forget()
    staff.get(URL)

    _response, computing = queries_of(colleague)
    _response, reading = queries_of(colleague)
    assert reading < computing  # the first visit computed: the staff member's was not read

    scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=timezone.localdate())
    other = board.Scope(user=world.users["admin"], year=world.academic_year, today=timezone.localdate())
    assert kept._key(scope) != kept._key(other)
    tomorrow = board.Scope(user=scope.user, year=scope.year, today=scope.today + datetime.timedelta(days=1))
    assert kept._key(scope) != kept._key(tomorrow)
    french = kept._key(scope)
    with translation.override("en"):
        assert kept._key(scope) != french


def test_the_page_says_when_it_was_computed(world, client_for, settings):
    response = client_for(world.users["staff"]).get(URL)
    at = timezone.localtime(response.context["computed_at"]).strftime("%H:%M")

    assert f"Chiffres et alertes calculés à {at}." in response.text
    assert "sinon après 5 minutes" in response.text
    assert "Recalculer maintenant" in response.text

    settings.DASHBOARD_CACHE_SECONDS = 0
    response = client_for(world.users["staff"]).get(URL)
    assert f"calculés à {timezone.localtime(response.context['computed_at']):%H:%M}." in response.text
    assert "sinon après" not in response.text


def test_nothing_is_kept_when_keeping_is_off_or_the_filters_are_wrong(world, client_for, settings):
    client = client_for(world.users["staff"])
    client.get(URL)
    settings.DASHBOARD_CACHE_SECONDS = 0
    _response, first = queries_of(client)
    _response, second = queries_of(client)
    assert second == first

    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    wrong = board.Scope(
        user=world.users["staff"], year=world.academic_year, today=timezone.localdate(), invalid=True
    )
    kept.computed(wrong)
    assert cache.get(kept._key(wrong)) is None


def test_bulk_writes_say_so(db, django_capture_on_commit_callbacks):
    """What is written without ``post_save`` (an import's ``bulk_create``, the sheets the hourly job
    opens: their own tests check they send it) sends ``records_written``: forgotten on commit."""
    version = cache.get(kept.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        records_written.send(None, models=(Organisation,))
    assert not callbacks
    with django_capture_on_commit_callbacks(execute=True):
        records_written.send(None, models=(Organisation, Apprentice))
    assert cache.get(kept.VERSION_KEY) != version


STALE = "Ils se recalculent en ce moment : rechargez la page dans un instant"


def refreshes_waiting() -> list[list]:
    return list(
        OutboxMessage.objects.filter(task="reports.tasks.refresh_dashboard").values_list("args", flat=True)
    )


@pytest.mark.parametrize("query", ["", "diploma={diploma}"])
def test_with_a_worker_a_stale_dashboard_is_shown_while_the_worker_computes_it_again(
    world, client_for, broker_at, django_capture_on_commit_callbacks, query
):
    """In a network some document changes every few seconds: with a worker, the page shows what was
    kept, says so, and hands the computation to it, once per change."""
    query = query.format(diploma=world.mine.diploma.pk)
    url = f"{URL}?{query}" if query else URL
    client = client_for(world.users["staff"])
    before = without_contract(client.get(url))
    broker_at(
        "redis://127.0.0.1:1/0"
    )  # a worker's broker, that does not answer: the work waits in the outbox

    enrol_one(world, django_capture_on_commit_callbacks(execute=True))
    with django_capture_on_commit_callbacks(execute=True):
        stale = client.get(url)
        again = client.get(url)

    assert without_contract(stale) == without_contract(again) == before
    assert STALE in stale.text and STALE in again.text
    # Handed over once for this change, with what gives the same scope: the person, the filters, the
    # day and the language.
    (args,) = refreshes_waiting()
    assert args == [world.users["staff"].pk, query, timezone.localdate().isoformat(), "fr"]

    assert tasks.refresh_dashboard(*args) is True  # the worker's part

    fresh = client.get(url)
    assert without_contract(fresh) == before + 1
    assert STALE not in fresh.text
    assert len(refreshes_waiting()) == 1


def test_a_worker_that_does_not_compute_it_within_its_seconds_leaves_it_to_the_request(
    world, client_for, broker_at, django_capture_on_commit_callbacks, monkeypatch
):
    """A worker down, or busy: the figures are not left stale for the day."""
    client = client_for(world.users["staff"])
    before = without_contract(client.get(URL))
    broker_at("redis://127.0.0.1:1/0")
    enrol_one(world, django_capture_on_commit_callbacks(execute=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert STALE in client.get(URL).text  # asked now: the worker has its seconds

    monkeypatch.setattr(kept, "WORKER_WAIT_SECONDS", 0)  # … and they have passed
    page = client.get(URL)

    assert STALE not in page.text and without_contract(page) == before + 1
    assert len(refreshes_waiting()) == 1  # not asked again: the request computed it


def test_without_a_worker_a_stale_dashboard_is_computed_in_the_request(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.users["staff"])
    before = without_contract(client.get(URL))

    enrol_one(world, django_capture_on_commit_callbacks(execute=True))
    page = client.get(URL)

    assert without_contract(page) == before + 1 and STALE not in page.text
    assert refreshes_waiting() == []


def test_with_a_worker_a_dashboard_older_than_its_minutes_is_shown_while_it_is_computed_again(
    world, client_for, broker_at, django_capture_on_commit_callbacks
):
    """Nothing saved, but the hours pass (a mission description turns a week old): past
    ``DASHBOARD_CACHE_SECONDS`` the worker computes it again; kept for the day, a person's visits after
    the first never wait for it."""
    client = client_for(world.users["staff"])
    client.get(URL)
    broker_at("redis://127.0.0.1:1/0")
    scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=timezone.localdate())
    key = kept._key(scope)
    entry = cache.get(key)
    aged = dataclasses.replace(entry.computed, at=entry.computed.at - datetime.timedelta(seconds=301))
    cache.set(key, kept.Kept(entry.version, aged))

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(URL)

    assert STALE in page.text and len(refreshes_waiting()) == 1
    (args,) = refreshes_waiting()
    tasks.refresh_dashboard(*args)
    assert STALE not in client.get(URL).text


def test_a_dashboard_nobody_kept_is_computed_in_the_request_even_with_a_worker(
    world, client_for, broker_at, django_capture_on_commit_callbacks
):
    client = client_for(world.users["staff"])
    client.get(URL)
    broker_at("redis://127.0.0.1:1/0")
    scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=timezone.localdate())
    cache.delete(kept._key(scope))  # never computed today with these filters, or « Recalculer »

    page = client.get(URL)

    assert STALE not in page.text and refreshes_waiting() == []
    assert cache.get(kept._key(scope)).version == cache.get(kept.VERSION_KEY, 0)


def test_without_a_worker_a_dashboard_older_than_its_minutes_is_computed_in_the_request(world, client_for):
    client = client_for(world.users["staff"])
    first = client.get(URL).context["computed_at"]
    scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=timezone.localdate())
    key = kept._key(scope)
    entry = cache.get(key)
    cache.set(
        key,
        kept.Kept(
            entry.version, dataclasses.replace(entry.computed, at=first - datetime.timedelta(seconds=301))
        ),
    )

    page = client.get(URL)

    assert STALE not in page.text and page.context["computed_at"] >= first


def test_the_workers_result_never_replaces_one_computed_after_a_later_change(world):
    scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=timezone.localdate())
    key = kept._key(scope)
    kept.forget()
    later = kept._version()
    newer = kept.computed(scope)  # computed in a request, under the latest version

    kept._compute_and_keep(scope, key, later - 1)  # a worker that started before that change

    assert cache.get(key) == kept.Kept(later, newer)


@pytest.mark.parametrize(
    ("who", "query"),
    [("inactive", ""), ("apprentice", ""), ("staff", "diploma=999999"), ("gone", "")],
)
def test_the_worker_computes_nothing_for_whom_there_is_nothing_to_keep(world, who, query):
    user = world.users["staff" if who in ("inactive", "gone") else who]
    if who == "inactive":
        user.is_active = False
        user.save()
    user_id = 999999 if who == "gone" else user.pk
    scope = board.Scope(user=user, year=world.academic_year, today=timezone.localdate())
    cache.delete(kept._key(scope))

    assert tasks.refresh_dashboard(user_id, query, timezone.localdate().isoformat(), "fr") is False
    assert cache.get(kept._key(scope)) is None


@pytest.mark.parametrize(("worker", "seconds"), [(True, kept.KEPT_FOR_THE_DAY_SECONDS), (False, 300)])
def test_a_dashboard_is_kept_for_the_day_with_a_worker_and_its_minutes_without(
    world, broker_at, monkeypatch, worker, seconds
):
    if worker:
        broker_at("redis://127.0.0.1:1/0")
    timeouts = []

    class Spy:
        def __getattr__(self, name):
            return getattr(cache, name)

        def set(self, key, value, timeout=None):
            timeouts.append((key, timeout))
            return cache.set(key, value, timeout)

    monkeypatch.setattr(kept, "cache", Spy())
    scope = board.Scope(user=world.users["staff"], year=world.academic_year, today=timezone.localdate())

    kept.computed(scope)

    assert timeouts == [(kept._key(scope), seconds)]


HOME = reverse("home")
FROM_THE_DASHBOARD = "Chiffres du tableau de bord, calculés à"


def home_figures_of(response) -> str:
    text = response.text
    start = text.index('<ul class="key-figures">')
    return text[start : text.index("</ul>", start)]


def test_the_staff_home_reads_its_figures_from_the_kept_dashboard(world, client_for, settings):
    grow_everything(world, 2)
    client = client_for(world.users["staff"])
    settings.DASHBOARD_CACHE_SECONDS = 0
    computed, computing = queries_of(client, HOME)
    settings.DASHBOARD_CACHE_SECONDS = 300
    assert FROM_THE_DASHBOARD not in computed.text

    client.get(URL)  # the dashboard, computed and kept
    read, reading = queries_of(client, HOME)

    assert home_figures_of(read) == home_figures_of(computed)
    assert FROM_THE_DASHBOARD in read.text and STALE not in read.text
    assert reading < computing


def test_without_a_kept_dashboard_the_staff_home_computes_its_own(world, client_for):
    page = client_for(world.users["staff"]).get(HOME)

    assert FROM_THE_DASHBOARD not in page.text and refreshes_waiting() == []
    assert "Apprentis sous contrat" in home_figures_of(page)


def test_with_a_worker_the_staff_home_asks_it_for_the_dashboard_then_reads_it(
    world, client_for, broker_at, django_capture_on_commit_callbacks
):
    client = client_for(world.users["staff"])
    broker_at("redis://127.0.0.1:1/0")

    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(HOME)
        client.get(HOME)

    assert FROM_THE_DASHBOARD not in first.text  # computed for the home, in the request
    (args,) = refreshes_waiting()  # asked once
    assert args == [world.users["staff"].pk, "", timezone.localdate().isoformat(), "fr"]
    tasks.refresh_dashboard(*args)

    read = client.get(HOME)
    assert FROM_THE_DASHBOARD in read.text and home_figures_of(read) == home_figures_of(first)

    # A change: the home shows the kept figures, marked, while the worker computes them again.
    enrol_one(world, django_capture_on_commit_callbacks(execute=True))
    with django_capture_on_commit_callbacks(execute=True):
        stale = client.get(HOME)
    assert FROM_THE_DASHBOARD in stale.text and STALE in stale.text
    assert len(refreshes_waiting()) == 2


def test_with_the_cache_down_the_staff_home_asks_the_worker_for_nothing(
    world, client_for, broker_at, django_capture_on_commit_callbacks, monkeypatch
):
    """Redis down: ``core.cache.TolerantRedisCache`` answers every read as a miss and every ``add`` as
    done. Nothing could be kept: the home computes its figures and queues nothing."""

    class Down:
        def get(self, key, default=None):
            return default

        def add(self, key, value, timeout=None):
            return True

        def set(self, key, value, timeout=None):
            pass

    client = client_for(world.users["staff"])
    broker_at("redis://127.0.0.1:1/0")
    monkeypatch.setattr(kept, "cache", Down())

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(HOME)

    assert FROM_THE_DASHBOARD not in page.text and "Apprentis sous contrat" in home_figures_of(page)
    assert refreshes_waiting() == []
