"""The filtered lists of apprentices and of contracts, and their CSV exports."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apprentices.models import Apprentice, Contract
from tests.apprentices.factories import ApprenticeFactory, ContractFactory, years_ago
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.helpers import assert_marked_in_error, csv_of, listed, text_of

# session, user, roles, count, keys and rows of the page (core.viewutils.NarrowPaginator), the choices
# of its filters (diplomas, cohorts, employers, school tutors)
LIST_QUERIES = 10
# session, user, roles, the rows read in chunks
EXPORT_QUERIES = 4
APPRENTICES = reverse("apprentices:apprentice_list")
APPRENTICES_CSV = reverse("apprentices:apprentice_export")
CONTRACTS = reverse("apprentices:contract_list")
CONTRACTS_CSV = reverse("apprentices:contract_export")
TODAY = timezone.localdate


def names_in(rows) -> list[str]:
    """Last names of an apprentices CSV (its first column), header left out."""
    return [row[0] for row in rows[1:]]


# Apprentices ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [3, 10])
def test_apprentice_list_and_export_run_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, extra
):
    grow(world, "staff", extra)
    client.force_login(world.users["staff"])
    query = {"diploma": world.mine.diploma.pk, "contract_status": "active", "order": "-name"}

    # + the chosen diploma, looked up among those the person sees
    with django_assert_num_queries(LIST_QUERIES + 1):
        page = client.get(APPRENTICES, query)
    with django_assert_num_queries(EXPORT_QUERIES + 1):
        rows = csv_of(client.get(APPRENTICES_CSV, query))

    assert page.status_code == 200
    assert len(rows) == 1 + len(listed(page))


@pytest.mark.parametrize("extra", [3, 10])
def test_apprentice_export_reads_every_row_in_the_same_queries(
    client, world, django_assert_num_queries, extra
):
    grow(world, "staff", extra)
    client.force_login(world.users["staff"])

    with django_assert_num_queries(EXPORT_QUERIES):
        rows = csv_of(client.get(APPRENTICES_CSV))

    assert len(rows) == 1 + Apprentice.objects.filter(organisation=world.organisation).count()


@pytest.mark.parametrize("role", ROLES)
def test_apprentice_list_and_export_hold_only_whom_the_role_follows(client, world, role):
    client.force_login(world.users[role])
    expected = {world.mine.apprentice} | ({world.other.apprentice} if role in ORGANISATION_WIDE else set())

    page = client.get(APPRENTICES)
    rows = csv_of(client.get(APPRENTICES_CSV))

    assert set(listed(page)) == expected
    assert sorted(names_in(rows)) == sorted(a.last_name for a in expected)
    assert world.foreign.apprentice.last_name not in page.content.decode()


def test_a_person_without_a_role_gets_an_empty_list_and_a_header_only_file(client, world):
    from tests.core.factories import UserFactory

    client.force_login(UserFactory(organisation=world.organisation))

    assert listed(client.get(APPRENTICES)) == []
    assert len(csv_of(client.get(APPRENTICES_CSV))) == 1


@pytest.fixture
def apprentices(world):
    """Staff's apprentices: ``mine`` and ``other`` (each under an active contract of their own
    diploma, employer and school tutor), and three without a contract: a minor, one with an RQTH, and
    one whose name starts like a formula."""
    organisation = world.organisation
    return {
        "mine": world.mine.apprentice,
        "other": world.other.apprentice,
        "minor": ApprenticeFactory(organisation=organisation, minor=True, last_name="Mineure"),
        "rqth": ApprenticeFactory(organisation=organisation, rqth=True, last_name="Reconnue"),
        "formula": ApprenticeFactory(organisation=organisation, last_name='=HYPERLINK("http://x")'),
    }


APPRENTICE_FILTERS = {
    "q": (lambda w: {"q": w.other.apprentice.last_name}, {"other"}),
    "diploma": (lambda w: {"diploma": w.mine.diploma.pk}, {"mine"}),
    "cohort": (lambda w: {"cohort": w.other.apprentice.cohort_id}, {"other"}),
    "employer": (lambda w: {"employer": w.mine.employer.pk}, {"mine"}),
    "school_tutor": (lambda w: {"school_tutor": w.other.school_tutor.pk}, {"other"}),
    "with an active contract": (lambda w: {"contract_status": "active"}, {"mine", "other"}),
    "without an active contract": (lambda w: {"contract_status": "none"}, {"minor", "rqth", "formula"}),
    "ruptured contract": (lambda w: {"contract_status": "ruptured"}, set()),
    "minor": (lambda w: {"minor": "yes"}, {"minor"}),
    "rqth": (lambda w: {"rqth": "yes"}, {"rqth"}),
}


@pytest.mark.parametrize("case", APPRENTICE_FILTERS, ids=list(APPRENTICE_FILTERS))
def test_each_apprentice_filter_narrows_the_list_and_its_export_alike(client, world, apprentices, case):
    params, expected_keys = APPRENTICE_FILTERS[case]
    client.force_login(world.users["staff"])
    query = params(world)

    page = client.get(APPRENTICES, query)
    rows = csv_of(client.get(APPRENTICES_CSV, query))

    expected = {apprentices[key] for key in expected_keys}
    assert set(listed(page)) == expected
    assert len(rows) == 1 + len(expected)


def test_the_filter_panel_is_open_and_shows_the_current_values_when_a_filter_is_set(client, world):
    client.force_login(world.users["staff"])

    closed = client.get(APPRENTICES).content.decode()
    opened = client.get(APPRENTICES, {"diploma": world.mine.diploma.pk, "q": "Fam"}).content.decode()

    assert '<details class="list-filters__panel">' in closed
    assert '<details class="list-filters__panel" open>' in opened
    assert f'<option value="{world.mine.diploma.pk}" selected>' in opened
    assert 'value="Fam"' in opened
    assert f'href="{APPRENTICES}">Réinitialiser</a>' in opened


def test_the_choices_of_the_filters_never_name_another_organisation(client, world):
    client.force_login(world.users["staff"])

    html = client.get(APPRENTICES).content.decode()

    assert world.mine.diploma.title in html and world.other.employer.legal_name in html
    assert world.foreign.diploma.title not in html
    assert world.foreign.employer.legal_name not in html
    assert str(world.foreign.school_tutor) not in html


def test_a_company_tutor_is_offered_only_their_own_employer(client, world):
    client.force_login(world.users["company_tutor"])

    html = client.get(APPRENTICES).content.decode()

    assert world.mine.employer.legal_name in html
    assert world.other.employer.legal_name not in html


def test_apprentices_are_sorted_by_the_chosen_order_with_the_primary_key_breaking_ties(client, world):
    twins = [ApprenticeFactory(organisation=world.organisation, last_name="Zola", first_name="Émile")]
    twins.append(ApprenticeFactory(organisation=world.organisation, last_name="Zola", first_name="Émile"))
    client.force_login(world.users["staff"])

    ascending = listed(client.get(APPRENTICES, {"order": "name"}))
    descending = listed(client.get(APPRENTICES, {"order": "-name"}))

    assert ascending[-2:] == twins
    assert descending[:2] == twins
    assert [a.last_name for a in descending[2:]] == sorted(
        (a.last_name for a in descending[2:]), reverse=True
    )


def test_the_youngest_come_first_when_asked(client, world):
    young = ApprenticeFactory(organisation=world.organisation, minor=True)
    client.force_login(world.users["staff"])

    assert listed(client.get(APPRENTICES, {"order": "-birth"}))[0] == young


def test_page_links_keep_the_filters_and_the_export_link_keeps_them_without_the_page(client, world):
    for _ in range(26):
        ApprenticeFactory(organisation=world.organisation, rqth=True)
    client.force_login(world.users["staff"])

    first = client.get(APPRENTICES, {"rqth": "yes", "order": "-name"})
    second = client.get(APPRENTICES, {"rqth": "yes", "order": "-name", "page": 2})

    assert len(listed(first)) == 25 and len(listed(second)) == 1
    assert 'href="?rqth=yes&amp;order=-name&amp;page=2"' in first.content.decode()
    assert f'href="{APPRENTICES_CSV}?rqth=yes&amp;order=-name"' in second.content.decode()
    assert not set(listed(first)) & set(listed(second))


def test_the_apprentice_export_is_the_filtered_list_in_its_order_with_french_headers(
    client, world, apprentices
):
    client.force_login(world.users["staff"])
    query = {"contract_status": "none", "order": "-name"}

    page = client.get(APPRENTICES, query)
    response = client.get(APPRENTICES_CSV, query)
    rows = csv_of(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="apprentis-{TODAY():%Y-%m-%d}.csv"'
    assert rows[0][:5] == ["Nom", "Prénom", "Date de naissance", "Sexe", "Mineur"]
    assert names_in(rows) == [
        a.last_name if a.last_name[0] != "=" else f"'{a.last_name}" for a in listed(page)
    ]
    minor = next(row for row in rows if row[0] == "Mineure")
    assert minor[2] == apprentices["minor"].birth_date.strftime("%d/%m/%Y")
    assert minor[4] == "Oui"


def test_a_formula_in_a_name_is_neutralised_in_the_export(client, world, apprentices):
    client.force_login(world.users["staff"])

    rows = csv_of(client.get(APPRENTICES_CSV, {"q": "HYPERLINK"}))

    assert rows[1][0] == '\'=HYPERLINK("http://x")'


INVALID_APPRENTICE_FILTERS = {
    "another organisation's diploma": ("diploma", lambda w: w.foreign.diploma.pk),
    "an unknown diploma": ("diploma", lambda w: 999999),
    "a diploma that is not a number": ("diploma", lambda w: "abc"),
    "another organisation's employer": ("employer", lambda w: w.foreign.employer.pk),
    "an unknown contract state": ("contract_status", lambda w: "peut-être"),
    "a garbage order": ("order", lambda w: "password"),
}


@pytest.mark.parametrize("case", INVALID_APPRENTICE_FILTERS, ids=list(INVALID_APPRENTICE_FILTERS))
def test_an_invalid_apprentice_filter_shows_no_rows_and_marks_the_field(client, world, case):
    field, value = INVALID_APPRENTICE_FILTERS[case]
    client.force_login(world.users["staff"])
    query = {field: value(world)}

    page = client.get(APPRENTICES, query)
    rows = csv_of(client.get(APPRENTICES_CSV, query))

    assert_marked_in_error(page, field)
    assert "Sélectionnez un choix valide." in text_of(page)
    assert len(rows) == 1  # the header only


# Contracts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [3, 10])
def test_contract_list_and_export_run_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, extra
):
    grow(world, "staff", extra)
    client.force_login(world.users["staff"])
    query = {"status": "active", "order": "employer"}

    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(CONTRACTS, query)
    with django_assert_num_queries(EXPORT_QUERIES):
        rows = csv_of(client.get(CONTRACTS_CSV, query))

    assert len(listed(page)) == 2 + extra
    assert len(rows) == 3 + extra


@pytest.mark.parametrize("role", ROLES)
def test_contract_list_and_export_hold_only_the_contracts_the_role_sees(client, world, role):
    client.force_login(world.users[role])
    expected = {world.mine.contract} | ({world.other.contract} if role in ORGANISATION_WIDE else set())

    page = client.get(CONTRACTS)
    rows = csv_of(client.get(CONTRACTS_CSV))

    assert page.status_code == 200
    assert set(listed(page)) == expected
    assert sorted(row[0] for row in rows[1:]) == sorted(c.apprentice.last_name for c in expected)


@pytest.fixture
def contracts(world):
    """Staff's contracts: ``mine`` and ``other`` (active, started 210 days ago), an old completed one
    with its diploma obtained, and a ruptured one that starts in ten days' time."""
    chain = world.mine
    completed = ContractFactory(
        apprentice=chain.apprentice,
        employer=chain.employer,
        diploma=chain.diploma,
        completed=True,
        diploma_outcome=Contract.Outcome.OBTAINED,
    )
    ruptured = ContractFactory(
        apprentice=world.other.apprentice,
        employer=world.other.employer,
        diploma=world.other.diploma,
        start_date=TODAY() + datetime.timedelta(days=10),
        ruptured=True,
    )
    return {
        "mine": chain.contract,
        "other": world.other.contract,
        "completed": completed,
        "ruptured": ruptured,
    }


def _iso(days: int) -> str:
    return (TODAY() + datetime.timedelta(days=days)).isoformat()


CONTRACT_FILTERS = {
    "q on the employer": (lambda w: {"q": w.other.employer.legal_name}, {"other", "ruptured"}),
    "status": (lambda w: {"status": "ruptured"}, {"ruptured"}),
    "diploma": (lambda w: {"diploma": w.mine.diploma.pk}, {"mine", "completed"}),
    "cohort": (lambda w: {"cohort": w.other.apprentice.cohort_id}, {"other", "ruptured"}),
    "employer": (lambda w: {"employer": w.mine.employer.pk}, {"mine", "completed"}),
    "school_tutor": (lambda w: {"school_tutor": w.other.school_tutor.pk}, {"other"}),
    "start after": (lambda w: {"start_after": _iso(0)}, {"ruptured"}),
    "start before": (lambda w: {"start_before": _iso(-365)}, {"completed"}),
    "start between": (lambda w: {"start_after": _iso(-300), "start_before": _iso(0)}, {"mine", "other"}),
    "planned end after": (lambda w: {"end_after": _iso(0)}, {"mine", "other", "ruptured"}),
    "planned end before": (lambda w: {"end_before": _iso(0)}, {"completed"}),
    "diploma obtained": (lambda w: {"diploma_outcome": "yes"}, {"completed"}),
}


@pytest.mark.parametrize("case", CONTRACT_FILTERS, ids=list(CONTRACT_FILTERS))
def test_each_contract_filter_narrows_the_list_and_its_export_alike(client, world, contracts, case):
    params, expected_keys = CONTRACT_FILTERS[case]
    client.force_login(world.users["staff"])
    query = params(world)

    page = client.get(CONTRACTS, query)
    rows = csv_of(client.get(CONTRACTS_CSV, query))

    assert set(listed(page)) == {contracts[key] for key in expected_keys}
    assert len(rows) == 1 + len(expected_keys)


def test_contracts_come_newest_first_by_default_and_in_the_chosen_order(client, world, contracts):
    client.force_login(world.users["staff"])

    default = listed(client.get(CONTRACTS))
    by_end = listed(client.get(CONTRACTS, {"order": "end"}))

    assert default[0] == contracts["ruptured"] and default[-1] == contracts["completed"]
    assert by_end[0] == contracts["completed"]
    assert [c.planned_end_date for c in by_end] == sorted(c.planned_end_date for c in by_end)


def test_the_contract_export_follows_the_list_with_french_dates_and_labels(client, world, contracts):
    client.force_login(world.users["staff"])
    query = {"order": "start"}

    page = client.get(CONTRACTS, query)
    response = client.get(CONTRACTS_CSV, query)
    rows = csv_of(response)

    assert response["Content-Disposition"] == f'attachment; filename="contrats-{TODAY():%Y-%m-%d}.csv"'
    header = rows[0]
    assert header[:3] == ["Nom de l'apprenti", "Prénom de l'apprenti", "Formation"]
    assert [row[header.index("Date de début")] for row in rows[1:]] == [
        c.start_date.strftime("%d/%m/%Y") for c in listed(page)
    ]
    ruptured = rows[-1]
    assert ruptured[header.index("Statut")] == "Rompu"
    assert ruptured[header.index("Cause de rupture")] == "Rupture d'un commun accord"
    assert ruptured[header.index("SIRET")] == world.other.employer.siret


INVALID_CONTRACT_FILTERS = {
    "an impossible date": ("start_after", "2025-13-45"),
    "a date that is not one": ("end_before", "demain"),
    "an unknown status": ("status", "suspendu"),
    "a garbage order": ("order", "-password"),
}


@pytest.mark.parametrize("case", INVALID_CONTRACT_FILTERS, ids=list(INVALID_CONTRACT_FILTERS))
def test_an_invalid_contract_filter_shows_no_rows_and_marks_the_field(client, world, case):
    field, value = INVALID_CONTRACT_FILTERS[case]
    client.force_login(world.users["staff"])

    page = client.get(CONTRACTS, {field: value})
    rows = csv_of(client.get(CONTRACTS_CSV, {field: value}))

    assert_marked_in_error(page, field)
    assert len(rows) == 1


def test_an_impossible_date_is_explained_in_french(client, world):
    client.force_login(world.users["staff"])

    assert "Saisissez une date valide." in text_of(client.get(CONTRACTS, {"start_after": "2025-13-45"}))


def test_staff_home_figures_lead_to_the_matching_lists(client, world):
    ApprenticeFactory(organisation=world.organisation, birth_date=years_ago(30))
    client.force_login(world.users["staff"])

    html = client.get(reverse("home")).content.decode()

    assert f'href="{CONTRACTS}?status=active"' in html
    # The dashboard's figure « Apprentis sans contrat »: the status of the Tableau de bord
    assert f'href="{APPRENTICES}?status=inscrit"' in html
