"""The dashboard: who sees what, its key figures, each kind of alert, bad filters, query counts."""

import datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from apprentices.models import Contract
from core.filters import FastSelect
from livret.models import VisitReport
from reports import dashboard as board
from reports.forms import DashboardFilterForm
from tests.apprentices.factories import ApprenticeFactory, ContractFactory, cohort_started
from tests.conftest import ROLES
from tests.livret.factories import LiaisonSheetFactory, MissionDescriptionFactory, VisitReportFactory

URL = reverse("reports:dashboard")
TODAY = timezone.localdate


def scope(world, role="staff", **filters):
    return board.Scope(user=world.users[role], year=world.academic_year, today=TODAY(), **filters)


def kinds(scope_):
    return {kind.key: kind for kind in board.alerts(scope_, stop=100)}


def names(kind):
    return {alert.apprentice.pk for alert in kind.alerts}


@pytest.mark.parametrize("role", ["school_tutor", "head_of_diploma", "staff", "admin"])
def test_the_roles_that_follow_apprentices_see_a_dashboard(world, client_for, role):
    response = client_for(world.users[role]).get(URL)

    assert response.status_code == 200
    assert "Chiffres clés" in response.text


@pytest.mark.parametrize("role", ["apprentice", "company_tutor"])
def test_apprentices_and_company_tutors_have_no_dashboard(world, client_for, role):
    assert client_for(world.users[role]).get(URL).status_code == 404
    assert (
        client_for(world.users[role]).get(reverse("reports:alert_list", args=["fiches"])).status_code == 404
    )


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world):
    assert client.get(URL).status_code == 302


def test_staff_count_the_whole_organisation_and_a_school_tutor_their_own(world):
    staff = {f.key: f for f in board.key_figures(scope(world, "staff"))}
    tutor = {f.key: f for f in board.key_figures(scope(world, "school_tutor"))}

    assert staff["apprentices"].value == "2"  # mine and other, not the foreign organisation's
    assert tutor["apprentices"].value == "1"
    assert staff["running"].value == "2"


def test_a_head_of_diploma_counts_their_diplomas_only(world):
    figures = {f.key: f for f in board.key_figures(scope(world, "head_of_diploma"))}

    assert figures["apprentices"].value == "1"


def test_a_rupture_of_the_year_is_counted_with_its_rate(world):
    contract = world.other.contract
    contract.status = Contract.Status.RUPTURED
    contract.rupture_date = TODAY() - datetime.timedelta(days=3)
    contract.rupture_cause = Contract.RuptureCause.MUTUAL
    contract.save()

    figures = {f.key: f for f in board.key_figures(scope(world))}

    assert figures["ruptures"].value == "1"
    assert "50 %" in figures["ruptures"].detail
    assert figures["running"].value == "1"


def test_sheets_on_time_count_the_due_sheets_countersigned_by_their_due_date(world):
    LiaisonSheetFactory(contract=world.mine.contract, countersigned=True, due_date=TODAY())
    LiaisonSheetFactory(contract=world.mine.contract, due_date=TODAY() - datetime.timedelta(days=2))

    figure = {f.key: f for f in board.key_figures(scope(world))}["sheets"]

    assert figure.value == "50 %"
    assert figure.detail.startswith("1 sur 2")


def test_missions_waiting_are_counted_with_the_late_ones(world):
    MissionDescriptionFactory(contract=world.mine.contract, submitted=True)
    MissionDescriptionFactory(
        contract=world.other.contract,
        submitted=True,
        submitted_at=timezone.now() - datetime.timedelta(days=9),
    )

    figure = {f.key: f for f in board.key_figures(scope(world))}["missions"]

    assert figure.value == "2"
    assert "dont 1 " in figure.detail


def test_an_overdue_sheet_is_an_alert_that_links_to_the_sheet(world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, due_date=TODAY() - datetime.timedelta(days=5))
    LiaisonSheetFactory(contract=world.other.contract, due_date=TODAY() + datetime.timedelta(days=5))

    kind = kinds(scope(world))["fiches"]

    assert kind.count == 1
    assert kind.alerts[0].url == sheet.get_absolute_url()
    assert "à compléter par l'apprenti" in kind.alerts[0].reason


def test_an_open_start_window_without_a_visit_is_an_alert_until_a_visit_is_planned(world):
    contract = world.mine.contract
    contract.start_date = TODAY() - datetime.timedelta(days=20)
    contract.save()

    assert names(kinds(scope(world))["visites"]) == {world.mine.apprentice.pk}

    # Neither a visit cancelled nor one planned with another apprentice organises this one.
    VisitReportFactory(
        contract=contract, planned_date=TODAY(), status=VisitReport.Status.CANCELLED, cancel_reason="Fermé."
    )
    VisitReportFactory(contract=world.other.contract, planned_date=TODAY() + datetime.timedelta(days=3))
    assert names(kinds(scope(world))["visites"]) == {world.mine.apprentice.pk}

    VisitReportFactory(contract=contract, planned_date=TODAY() + datetime.timedelta(days=7))

    assert kinds(scope(world))["visites"].count == 0


def test_a_contract_far_from_its_windows_has_no_visit_alert(world):
    assert kinds(scope(world))["visites"].count == 0


def test_a_mission_waiting_more_than_a_week_is_an_alert(world):
    mission = MissionDescriptionFactory(
        contract=world.mine.contract, submitted=True, submitted_at=timezone.now() - datetime.timedelta(days=8)
    )
    MissionDescriptionFactory(contract=world.other.contract, submitted=True)

    kind = kinds(scope(world))["missions"]

    assert kind.count == 1
    assert kind.alerts[0].url == mission.get_absolute_url()
    assert "8 jours" in kind.alerts[0].reason


def test_a_rupture_of_the_last_30_days_is_an_alert_an_older_one_is_not(world):
    for chain, days in ((world.mine, 10), (world.other, 40)):
        chain.contract.status = Contract.Status.RUPTURED
        chain.contract.rupture_date = TODAY() - datetime.timedelta(days=days)
        chain.contract.save()

    assert names(kinds(scope(world))["ruptures"]) == {world.mine.apprentice.pk}


def test_an_enrolled_apprentice_without_a_contract_is_an_alert_with_a_link_to_record_one(world):
    cohort = cohort_started(world.mine.diploma, 20)
    lonely = ApprenticeFactory(organisation=world.organisation, cohort=cohort)
    graduate = ApprenticeFactory(organisation=world.organisation, cohort=cohort)
    ContractFactory(apprentice=graduate, completed=True)
    # Past the three months, the Tableau de bord counts an abandon: a legal delay, not this alert.
    ApprenticeFactory(organisation=world.organisation, cohort=cohort_started(world.mine.diploma, 100))

    kind = kinds(scope(world))["sans-contrat"]

    assert names(kind) == {lonely.pk}
    assert kind.alerts[0].url.endswith(f"?apprentice={lonely.pk}")


def test_a_booklet_without_activity_for_long_is_an_alert(world, settings):
    settings.DASHBOARD_INACTIVITY_DAYS = 30
    LiaisonSheetFactory(contract=world.other.contract, submitted=True)

    kind = kinds(scope(world))["inactivite"]

    assert names(kind) == {world.mine.apprentice.pk}
    assert kind.alerts[0].url == reverse("livret:booklet", args=[world.mine.apprentice.pk])


def test_a_sheet_the_platform_opened_by_itself_is_not_activity(world, settings):
    settings.DASHBOARD_INACTIVITY_DAYS = 30
    LiaisonSheetFactory(contract=world.mine.contract)

    assert world.mine.apprentice.pk in names(kinds(scope(world))["inactivite"])


def test_filters_narrow_the_figures_and_the_alerts(world, client_for):
    LiaisonSheetFactory(contract=world.mine.contract, due_date=TODAY() - datetime.timedelta(days=5))
    LiaisonSheetFactory(contract=world.other.contract, due_date=TODAY() - datetime.timedelta(days=5))

    assert kinds(scope(world))["fiches"].count == 2
    assert kinds(scope(world, diploma=world.other.diploma))["fiches"].count == 1
    assert kinds(scope(world, school_tutor=world.mine.school_tutor))["fiches"].count == 1
    assert kinds(scope(world, cohort=world.other.apprentice.cohort))["fiches"].count == 1

    response = client_for(world.users["staff"]).get(URL, {"diploma": world.other.diploma.pk})
    assert world.other.apprentice.last_name.upper() in response.text
    assert world.mine.apprentice.last_name.upper() not in response.text


@pytest.mark.parametrize(
    "params",
    [{"diploma": "999999"}, {"diploma": "abc"}, {"year": "2025-13-45"}, {"school_tutor": "-1"}],
)
def test_a_filter_that_makes_no_sense_empties_the_dashboard_and_is_marked(world, client_for, params):
    LiaisonSheetFactory(contract=world.mine.contract, due_date=TODAY() - datetime.timedelta(days=5))

    response = client_for(world.users["staff"]).get(URL, params)

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    assert world.mine.apprentice.last_name.upper() not in response.text
    assert {f.key: f.value for f in response.context["figures"]}["apprentices"] == "0"


def test_another_organisations_diploma_is_not_a_valid_filter(world, client_for):
    response = client_for(world.users["staff"]).get(URL, {"diploma": world.foreign.diploma.pk})

    assert response.context["scope"].invalid
    assert world.foreign.diploma.code not in response.text


def test_the_alert_page_of_a_kind_paginates_and_keeps_the_filters(world, client_for):
    cohort = cohort_started(world.mine.diploma, 20)
    for _ in range(3):
        ApprenticeFactory(organisation=world.organisation, cohort=cohort)
    url = reverse("reports:alert_list", args=["sans-contrat"])

    response = client_for(world.users["staff"]).get(url, {"diploma": world.mine.diploma.pk})

    assert response.status_code == 200
    assert len(response.context["kind"].alerts) == 3
    assert (
        client_for(world.users["staff"]).get(reverse("reports:alert_list", args=["nope"])).status_code == 404
    )


@pytest.mark.parametrize("role", ["staff", "head_of_diploma"])
def test_each_kind_read_by_keys_pages_the_rows_its_query_finds_in_its_order(world, role):
    """A kind's rows are read once as keys, and a page by key: every page, end to end, gives the rows
    that the kind's query finds, in its order, as counting then slicing it did."""
    grow_everything(world, 4)
    old = ContractFactory(
        apprentice=ApprenticeFactory(organisation=world.organisation, cohort=world.mine.apprentice.cohort),
        diploma=world.mine.diploma,
        start_date=TODAY() - datetime.timedelta(days=400),
    )
    ContractFactory(
        apprentice=ApprenticeFactory(organisation=world.organisation, cohort=world.mine.apprentice.cohort),
        diploma=world.mine.diploma,
        start_date=TODAY() - datetime.timedelta(days=200),
        ruptured=True,
        rupture_date=TODAY() - datetime.timedelta(days=4),
    )
    current = scope(world, role)
    keyed = [kind for kind in board.KINDS.values() if kind.model is not None]
    assert {kind.key for kind in keyed} == {"fiches", "missions", "ruptures", "sans-contrat", "inactivite"}
    seen = set()
    for kind in keyed:
        expected = list(kind.queryset(current))
        pages = []
        number = 1
        while True:
            entry, page = board.alert_page(current, kind.key, number, 2)
            pages += [alert.contract or alert.apprentice for alert in entry.alerts]
            if not page.has_next():
                break
            number += 1
        assert entry.count == len(expected)
        as_read = [row.contract if kind.key in ("fiches", "missions") else row for row in expected]
        assert pages == as_read
        if len(expected) >= 3:
            seen.add(kind.key)
    assert {"fiches", "missions"} <= seen  # several pages of two
    if role == "staff":
        assert "sans-contrat" in seen
        assert old.pk in {row.pk for row in board.KINDS["inactivite"].queryset(current)}
        assert board.KINDS["ruptures"].queryset(current).exists()


def test_a_past_year_shows_figures_but_no_alerts(world):
    from tests.core.factories import AcademicYearFactory

    past = AcademicYearFactory(
        label="2019-2020", start_date=datetime.date(2019, 9, 1), end_date=datetime.date(2020, 8, 31)
    )
    LiaisonSheetFactory(contract=world.mine.contract, due_date=TODAY() - datetime.timedelta(days=5))

    result = kinds(board.Scope(user=world.users["staff"], year=past, today=TODAY()))

    assert all(kind.count == 0 for kind in result.values())


def grow_everything(world, n):
    # Without a contract for 75 days: an apprentice without a contract, whose three months end soon.
    enrolled = cohort_started(world.mine.diploma, 75)
    for _ in range(n):
        cohort = world.mine.apprentice.cohort
        apprentice = ApprenticeFactory(organisation=world.organisation, cohort=cohort)
        contract = ContractFactory(
            apprentice=apprentice,
            diploma=world.mine.diploma,
            school_tutor=world.mine.school_tutor,
            start_date=TODAY() - datetime.timedelta(days=20),
        )
        LiaisonSheetFactory(contract=contract, due_date=TODAY() - datetime.timedelta(days=3))
        MissionDescriptionFactory(
            contract=contract, submitted=True, submitted_at=timezone.now() - datetime.timedelta(days=9)
        )
        ApprenticeFactory(organisation=world.organisation, cohort=enrolled)


@pytest.mark.parametrize("role", ["staff", "head_of_diploma", "school_tutor"])
def test_the_dashboard_query_count_does_not_grow_with_the_data(
    world, client_for, django_assert_num_queries, role
):
    client = client_for(world.users[role])
    grow_everything(world, 2)
    client.get(URL)  # warm the session and the content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    grow_everything(world, 6)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_the_dashboard_runs_a_known_number_of_queries(world, client_for, django_assert_num_queries):
    from apprentices.services import snapshot_statuses

    client = client_for(world.users["staff"])
    grow_everything(world, 2)
    client.get(URL)

    # 26 before the statuses: + the statuses with their legal delays (one query for the figures and
    # both alerts), + the page of legal delays shown, + the contracts and apprentices of the visits to
    # organise shown (their candidate contracts are read as plain rows), + the booklets without
    # activity judged on their documents beside those judged on their stored activity. Nobody's
    # status is stored yet: + their contracts and their promotions' dates, to judge them
    # (``status.rows_among``).
    with django_assert_num_queries(32):
        client.get(URL)
    # The statuses stored by Celery (every few minutes): read with the rest of the statuses.
    snapshot_statuses(today=TODAY())
    with django_assert_num_queries(30):
        client.get(URL)


def test_the_alert_page_query_count_does_not_grow_with_the_data(world, client_for, django_assert_num_queries):
    client = client_for(world.users["staff"])
    url = reverse("reports:alert_list", args=["fiches"])
    grow_everything(world, 2)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow_everything(world, 6)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("role", ROLES)
def test_the_nav_shows_the_dashboard_to_who_has_one(world, client_for, role):
    response = client_for(world.users[role]).get(reverse("home"))

    assert (URL in response.text) == (role in {"school_tutor", "head_of_diploma", "staff", "admin"})


def test_each_figure_drills_down_to_a_list_narrowed_as_the_dashboard(world, client_for):
    contract = world.other.contract
    contract.status = Contract.Status.RUPTURED
    contract.rupture_date = TODAY() - datetime.timedelta(days=3)
    contract.save()
    client = client_for(world.users["staff"])
    figures = {f.key: f for f in board.key_figures(scope(world, diploma=world.other.diploma))}

    for key in ("apprentices", "running", "ruptures", "sheets", "missions"):
        assert f"diploma={world.other.diploma.pk}" in figures[key].url
        page = client.get(figures[key].url)
        assert page.status_code == 200, key
        assert not page.context["filter"].errors, key
    ruptured = client.get(figures["ruptures"].url).context["page"].paginator.count
    assert ruptured == int(figures["ruptures"].value) == 1


def test_the_staffs_visit_figure_reads_the_stored_indicator_once_computed(world):
    from quality.services.computation import compute_indicators

    contract = world.mine.contract
    contract.start_date = TODAY() - datetime.timedelta(days=150)
    contract.save()
    live = {f.key: f for f in board.key_figures(scope(world))}["visits"]
    compute_indicators(
        year=world.academic_year, diplomas=[world.mine.diploma, world.other.diploma], today=TODAY()
    )

    stored = {f.key: f for f in board.key_figures(scope(world))}["visits"]
    narrowed = {f.key: f for f in board.key_figures(scope(world, school_tutor=world.mine.school_tutor))}[
        "visits"
    ]

    assert stored.value == live.value
    assert "calcul du" in stored.detail and "calcul du" not in live.detail
    assert "calcul du" not in narrowed.detail


def test_a_diploma_not_yet_computed_keeps_the_visit_figure_live(world):
    from quality.services.computation import compute_indicators

    compute_indicators(year=world.academic_year, diplomas=[world.mine.diploma], today=TODAY())

    figure = {f.key: f for f in board.key_figures(scope(world))}["visits"]

    assert "calcul du" not in figure.detail


def test_the_filters_render_as_django_selects_would(world, client_for):
    """A network's dashboard offers hundreds of tutors and cohorts: its selects are rendered in one
    pass (``FastSelect``), with the HTML Django's template widget gives, the chosen options kept."""

    def normalised(html: str) -> str:
        return "".join(line.strip() for line in html.splitlines())

    data = {
        "year": world.academic_year.label,
        "diploma": str(world.mine.diploma.pk),
        "cohort": str(world.mine.apprentice.cohort.pk),
        "school_tutor": str(world.mine.school_tutor.pk),
    }
    form = DashboardFilterForm(data, user=world.users["staff"])
    assert form.is_valid(), form.errors
    for name, field in form.fields.items():
        assert isinstance(field.widget, FastSelect), name
        fast = normalised(str(form[name]))
        field.widget = forms.Select(choices=field.choices)
        assert fast == normalised(str(form[name])), name
        assert "selected" in fast, name

    response = client_for(world.users["staff"]).get(URL, data)
    assert f'<option value="{world.mine.school_tutor.pk}" selected>' in response.text


def _everything_shown(world, role):
    """The figures and every alert of a dashboard, as the page shows them."""
    shown = scope(world, role)
    figures = [(f.key, f.value, f.detail) for f in board.key_figures(shown)]
    alerts = [
        (kind.key, kind.count, [(alert.apprentice.pk, alert.reason, alert.url) for alert in kind.alerts])
        for kind in board.alerts(shown, stop=100)
    ]
    return figures, alerts


@pytest.mark.parametrize("role", ["staff", "head_of_diploma", "school_tutor"])
def test_the_statuses_stored_for_the_day_change_no_figure_and_no_alert(world, client_for, role):
    """The dashboards count the statuses the Celery job stores (apprentices.StatusSnapshot): what
    they show is what the statuses computed from the contracts gave, figure by figure, alert by
    alert; and the apprentices list filtered by each status lists the same people."""
    from apprentices.models import Apprentice, StatusSnapshot
    from apprentices.services import snapshot_statuses
    from apprentices.status import TrainingStatus

    grow_everything(world, 3)
    ruptured = ContractFactory(
        apprentice=ApprenticeFactory(organisation=world.organisation, cohort=world.mine.apprentice.cohort),
        diploma=world.mine.diploma,
        school_tutor=world.mine.school_tutor,
        start_date=TODAY() - datetime.timedelta(days=300),
        ruptured=True,
    )
    assert ruptured.rupture_date is not None
    client = client_for(world.users[role])

    def listed():
        url = reverse("apprentices:apprentice_list")
        return {
            value: {a.pk for a in client.get(url, {"status": value}).context["page"].object_list}
            for value in TrainingStatus.values
        }

    before, before_listed = _everything_shown(world, role), listed()
    assert snapshot_statuses(today=TODAY()) == Apprentice.objects.count()
    assert StatusSnapshot.objects.filter(day=TODAY()).count() == Apprentice.objects.count()

    assert _everything_shown(world, role) == before
    assert listed() == before_listed
    assert any(count for _key, count, _rows in before[1])  # alerts there were to compare
    assert sum(map(len, before_listed.values())) > 1  # and statuses


@pytest.mark.parametrize("role", ["staff", "head_of_diploma", "school_tutor"])
def test_the_booklet_activity_stored_changes_no_alert(world, role, settings):
    """« Livret sans activité » reads the latest activity Celery stores per contract
    (livret.BookletActivity), the documents of the contracts without one: every alert is what the
    documents alone gave."""
    from livret.models import BookletActivity
    from livret.services.activity import store_booklet_activity

    settings.DASHBOARD_INACTIVITY_DAYS = 30
    grow_everything(world, 3)
    LiaisonSheetFactory(contract=world.other.contract, submitted=True)
    before = _everything_shown(world, role)
    assert store_booklet_activity() == BookletActivity.objects.count() > 0

    assert _everything_shown(world, role) == before
    BookletActivity.objects.filter(contract=world.mine.contract).delete()
    assert _everything_shown(world, role) == before
    inactive = dict((key, count) for key, count, _rows in before[1])["inactivite"]
    assert inactive >= 1  # an alert there was to compare


def test_a_school_tutor_typed_by_name_narrows_the_dashboard_as_the_chosen_one(world, client_for, monkeypatch):
    # A network's hundreds of tutors are a search field (core.filters.SearchableSelect): the text
    # « Prénom Nom » counts what the tutor's key counts, and the figures' links carry the text.
    from core import filters

    monkeypatch.setattr(filters, "SEARCHABLE_ABOVE", 1)
    LiaisonSheetFactory(contract=world.mine.contract, due_date=TODAY() - datetime.timedelta(days=5))
    LiaisonSheetFactory(contract=world.other.contract, due_date=TODAY() - datetime.timedelta(days=5))
    tutor = world.mine.school_tutor
    tutor.user.first_name, tutor.user.last_name = "Irène", "Vasseur"
    tutor.user.save()
    client = client_for(world.users["staff"])

    by_key = client.get(URL, {"school_tutor": tutor.pk})
    by_name = client.get(URL, {"school_tutor": "irène vasseur"})

    assert 'type="search" name="school_tutor"' in by_name.text
    assert 'value="Irène Vasseur"' in by_key.text  # the key chosen shows as the name
    figures = {f.key: f.value for f in by_name.context["figures"]}
    assert figures == {f.key: f.value for f in by_key.context["figures"]}
    assert {k.key: k.count for k in by_name.context["kinds"]} == {
        k.key: k.count for k in by_key.context["kinds"]
    }
    assert {k.key: k.count for k in by_name.context["kinds"]}["fiches"] == 1
    running = next(f for f in by_name.context["figures"] if f.key == "running")
    assert "school_tutor=ir%C3%A8ne+vasseur" in running.url
    assert client.get(running.url).context["page"].paginator.count == int(figures["running"])


def test_a_school_tutor_name_that_finds_no_one_empties_the_dashboard(world, client_for, monkeypatch):
    from core import filters

    monkeypatch.setattr(filters, "SEARCHABLE_ABOVE", 1)
    response = client_for(world.users["staff"]).get(URL, {"school_tutor": "Personne de ce nom"})

    assert response.context["scope"].invalid
    assert "Aucun tuteur pédagogique ne correspond à « Personne de ce nom »." in response.text.replace(
        "&#x27;", "'"
    )


@pytest.mark.parametrize("stored", [False, True])
@pytest.mark.parametrize("role", ["staff", "head_of_diploma", "school_tutor"])
def test_the_status_counts_grouped_in_sql_are_those_of_the_rows(world, role, stored):
    """The staff home counts the statuses with one GROUP BY; the dashboard, whose alerts read the
    apprentices without a contract, rupturants and dropped out, counts those rows: both give the same
    figures, live or stored."""
    from collections import Counter

    from apprentices.services import snapshot_statuses

    grow_everything(world, 2)
    # Ruptures 240 and 30 days ago (the factory's contract is broken off 60 days after its start): dropped
    # out once the six months to find an employer have run, and a rupturant.
    for started in (300, 90):
        ContractFactory(
            apprentice=ApprenticeFactory(
                organisation=world.organisation, cohort=world.mine.apprentice.cohort
            ),
            diploma=world.mine.diploma,
            school_tutor=world.mine.school_tutor,
            start_date=TODAY() - datetime.timedelta(days=started),
            ruptured=True,
        )
    if stored:
        snapshot_statuses(today=TODAY())

    grouped = scope(world, role).status_counts()
    read = scope(world, role)
    rows = read.statuses()
    counted = read.status_counts()

    assert grouped == counted
    assert counted == {**dict.fromkeys(grouped, 0), **Counter(row.value for row in rows.values())}
    assert sum(grouped.values()) == len(rows) > 0
    assert len([value for value, n in grouped.items() if n]) >= 2  # several statuses compared
    # Only the statuses the dashboard reads one by one: an apprentice under contract is not read.
    assert set(grouped) == set(board.WATCHED)
    assert world.mine.apprentice.pk not in rows
