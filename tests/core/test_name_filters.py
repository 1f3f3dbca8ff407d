"""Filters among many names (a network's employers, its school tutors): a <select> while they are few,
a search field with suggestions beyond ``core.filters.SEARCHABLE_ABOVE``. A typed text filters the list
by the rows it finds, within what the person may see; a key from a link or a <select> works as before."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apprentices.filters import ContractFilterSet
from apprentices.models import Contract
from core import filters
from tests.apprentices.factories import ContractFactory
from tests.employers.factories import EmployerFactory
from tests.helpers import listed

CONTRACTS = "apprentices:contract_list"


@pytest.fixture
def named(world):
    """Two employers of the organisation whose names share words, one of another organisation."""
    world.mine.employer.legal_name = "Boulangerie Martin"
    world.mine.employer.save()
    world.other.employer.legal_name = "Boulangerie Martin et Fils"
    world.other.employer.save()
    world.foreign.employer.legal_name = "Boulangerie Martinez"
    world.foreign.employer.save()
    return world


@pytest.fixture
def searchable(monkeypatch):
    monkeypatch.setattr(filters, "SEARCHABLE_ABOVE", 1)


def field_html(page, name: str) -> str:
    content = page.content.decode()
    match = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', content)
    assert match, f"no field {name}"
    return match.group(0)


def test_few_employers_are_offered_in_a_select(client, named):
    client.force_login(named.users["staff"])

    page = client.get(reverse(CONTRACTS))

    assert field_html(page, "employer").startswith("<select")
    assert ">Boulangerie Martin</option>" in page.content.decode()


def test_many_employers_are_a_search_field_with_suggestions(client, named, searchable):
    client.force_login(named.users["staff"])

    page = client.get(reverse(CONTRACTS))

    field = field_html(page, "employer")
    assert field.startswith("<input") and 'type="search"' in field
    assert 'list="id_employer_suggestions"' in field
    assert f'data-suggestions="{reverse("name_suggestions", args=["employeurs"])}"' in field
    assert 'aria-describedby="id_employer_suggestions_help"' in field
    content = page.content.decode()
    assert '<datalist id="id_employer_suggestions"></datalist>' in content
    assert "Boulangerie Martin</option>" not in content  # no option is read nor rendered


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Boulangerie Martin", ["mine"]),  # a suggestion chosen: that employer, not those containing it
        ("boulangerie martin", ["mine"]),
        ("  Boulangerie   Martin ", ["mine"]),
        ("martin boul", ["mine", "other"]),  # every word, in any order, in the name
        ("Fils", ["other"]),
        ("boulangerie", ["mine", "other"]),  # never another organisation's
    ],
)
def test_a_typed_text_filters_by_the_employers_it_finds(client, named, searchable, text, expected):
    client.force_login(named.users["staff"])

    page = client.get(reverse(CONTRACTS), {"employer": text})

    assert page.status_code == 200
    assert sorted(c.pk for c in listed(page)) == sorted(
        getattr(named, chain).contract.pk for chain in expected
    )
    assert f'value="{html.escape(" ".join(text.split()))}"' in field_html(page, "employer")


@pytest.mark.parametrize("text", ["Boulangerie Martinez", "Pâtisserie", "%", "_"])
def test_a_text_that_finds_no_employer_is_a_clear_error_and_lists_nothing(client, named, searchable, text):
    client.force_login(named.users["staff"])

    page = client.get(reverse(CONTRACTS), {"employer": text})

    assert listed(page) == []
    content = html.unescape(page.content.decode())
    assert f"Aucun employeur ne correspond à « {text} »." in content
    assert 'aria-invalid="true"' in field_html(page, "employer")


def test_the_text_works_the_same_in_a_select_organisation(client, named):
    # a bookmark or a shared address made on a large list works on a small one
    client.force_login(named.users["staff"])

    page = client.get(reverse(CONTRACTS), {"employer": "fils"})

    assert listed(page) == [named.other.contract]


def test_an_employer_chosen_by_its_key_shows_its_name_and_filters_as_before(client, named, searchable):
    client.force_login(named.users["staff"])
    employer = named.mine.employer
    client.get(reverse(CONTRACTS), {"employer": employer.pk})  # warm the session and the caches

    page = client.get(reverse(CONTRACTS), {"employer": employer.pk})

    assert listed(page) == [named.mine.contract]
    assert 'value="Boulangerie Martin"' in field_html(page, "employer")


def test_another_organisations_employer_key_stays_an_invalid_choice(named, searchable):
    staff = named.users["staff"]
    filterset = ContractFilterSet(
        {"employer": named.foreign.employer.pk}, Contract.objects.visible_to(staff), user=staff
    )

    assert not filterset.is_valid()
    assert "employer" in filterset.form.errors


def test_a_school_tutor_is_found_by_full_name_or_address(client, named, searchable):
    tutor = named.mine.school_tutor.user
    tutor.first_name, tutor.last_name = "Anne", "Lefèvre"
    tutor.save()
    client.force_login(named.users["staff"])

    for text in ("Anne Lefèvre", "lefèvre", tutor.email.upper()):
        page = client.get(reverse(CONTRACTS), {"school_tutor": text})
        assert listed(page) == [named.mine.contract], text


def test_an_apprentice_filtered_by_employer_text_uses_their_contracts(client, named, searchable):
    client.force_login(named.users["staff"])

    page = client.get(reverse("apprentices:apprentice_list"), {"employer": "fils"})

    assert listed(page) == [named.other.apprentice]


def test_a_text_matching_many_employers_filters_by_all_of_them(client, named, searchable):
    # the rows found are read as a subquery, never a truncated list of keys
    employers = EmployerFactory.create_batch(3, organisation=named.organisation, legal_name="Garage Central")
    contracts = [
        ContractFactory(
            apprentice=named.mine.apprentice,
            employer=employer,
            company_tutor=named.mine.company_tutor,
            school_tutor=named.mine.school_tutor,
            diploma=named.mine.diploma,
            start_date=named.mine.contract.start_date.replace(
                year=named.mine.contract.start_date.year - 3 - i
            ),
            ruptured=True,
        )
        for i, employer in enumerate(employers)
    ]
    client.force_login(named.users["staff"])

    page = client.get(reverse(CONTRACTS), {"employer": "garage central"})

    assert sorted(c.pk for c in listed(page)) == sorted(c.pk for c in contracts)


def test_the_filters_query_count_does_not_grow_with_the_employers(client, named, monkeypatch):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(CONTRACTS)).status_code == 200
        return len(captured)

    client.force_login(named.users["staff"])
    queries()
    few = queries()
    EmployerFactory.create_batch(5, organisation=named.organisation)
    select = queries()
    monkeypatch.setattr(filters, "SEARCHABLE_ABOVE", 2)
    search = queries()

    assert few == select == search


class TestSuggestions:
    def url(self, key="employeurs"):
        return reverse("name_suggestions", args=[key])

    def test_the_names_the_person_may_see_that_have_every_word(self, client, named):
        client.force_login(named.users["staff"])

        answer = client.get(self.url(), {"q": "  MARTIN  boul "})

        assert answer.status_code == 200
        assert answer.json() == {"suggestions": ["Boulangerie Martin", "Boulangerie Martin et Fils"]}
        assert "no-store" in answer["Cache-Control"]

    def test_never_another_organisations(self, client, named):
        client.force_login(named.users["staff"])

        assert client.get(self.url(), {"q": "martinez"}).json() == {"suggestions": []}

    def test_a_school_tutor_sees_only_the_employers_of_their_apprentices(self, client, named):
        client.force_login(named.users["school_tutor"])

        assert client.get(self.url(), {"q": "boulangerie"}).json() == {"suggestions": ["Boulangerie Martin"]}

    def test_tutors_by_name(self, client, named):
        tutor = named.other.school_tutor.user
        tutor.first_name, tutor.last_name = "Paul", "Zeller"
        tutor.save()
        client.force_login(named.users["staff"])

        answer = client.get(self.url("tuteurs-pedagogiques"), {"q": "zell"})

        assert answer.json() == {"suggestions": ["Paul Zeller"]}

    def test_at_most_a_few_and_each_name_once(self, client, named):
        EmployerFactory.create_batch(3, organisation=named.organisation, legal_name="Garage Central")
        for i in range(filters.SUGGESTIONS + 5):
            EmployerFactory(organisation=named.organisation, legal_name=f"Garage {i:02}")
        client.force_login(named.users["staff"])

        suggestions = client.get(self.url(), {"q": "garage"}).json()["suggestions"]

        assert len(suggestions) <= filters.SUGGESTIONS
        assert len(set(suggestions)) == len(suggestions)
        assert suggestions[0] == "Garage 00"  # in the options' order (by name)
        assert "Garage Central" not in client.get(self.url(), {"q": "garage 0"}).json()["suggestions"]

    @pytest.mark.parametrize("q", ["", "   "])
    def test_nothing_typed_suggests_nothing(self, client, named, q):
        client.force_login(named.users["staff"])

        assert client.get(self.url(), {"q": q}).json() == {"suggestions": []}

    def test_an_unknown_kind_is_not_found(self, client, named):
        client.force_login(named.users["staff"])

        assert client.get(self.url("apprentis")).status_code == 404

    def test_a_visitor_is_sent_to_the_login(self, client, named):
        answer = client.get(self.url(), {"q": "boul"})

        assert answer.status_code == 302
        assert reverse("account_login") in answer["Location"]


def test_a_cohort_is_found_by_its_diploma_and_label(client, named, searchable):
    cohort = named.other.apprentice.cohort
    cohort.label = "Promotion Lovelace"
    cohort.save()
    client.force_login(named.users["staff"])
    shown = f"{cohort.diploma.code} — Promotion Lovelace"

    for text in (shown, shown.lower(), "lovelace", f"{cohort.diploma.code} lovelace"):
        page = client.get(reverse(CONTRACTS), {"cohort": text})
        assert listed(page) == [named.other.contract], text
    page = client.get(reverse("livret:sheet_list"), {"cohort": "lovelace"})
    assert page.status_code == 200 and not page.context["filter"].form.errors
    assert client.get(reverse("name_suggestions", args=["promotions"]), {"q": "lovelace"}).json() == {
        "suggestions": [shown]
    }
    foreign = named.foreign.apprentice.cohort
    foreign.label = "Promotion Hopper"
    foreign.save()
    page = client.get(reverse(CONTRACTS), {"cohort": "hopper"})
    assert listed(page) == []
    assert "Aucune promotion ne correspond à « hopper »." in html.unescape(page.content.decode())


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 40, "Ⅻ", "\x00", "a" * 500])
def test_odd_values_are_a_clear_answer_never_an_error_page(client, named, value, monkeypatch):
    client.force_login(named.users["staff"])
    for above in (1, 150):
        monkeypatch.setattr(filters, "SEARCHABLE_ABOVE", above)
        page = client.get(reverse(CONTRACTS), {"employer": value})
        assert page.status_code in (200, 400), (value, above)
        if page.status_code == 200:
            assert listed(page) == []


def test_a_text_in_a_select_is_shown_as_an_option_chosen(client, named):
    # few employers: a <select>; the text of a link made on a larger list is kept, not lost
    client.force_login(named.users["staff"])

    page = client.get(reverse(CONTRACTS), {"employer": "fils"})

    assert '<option value="fils" selected>« fils »</option>' in page.content.decode()
    assert listed(page) == [named.other.contract]


@pytest.mark.parametrize("value", ["\x00", "Boul\x00angerie"])
def test_a_null_character_is_refused_by_the_field_before_any_query(named, value):
    # the middleware refuses it in a URL; the field refuses it too, wherever its data comes from
    staff = named.users["staff"]
    filterset = ContractFilterSet({"employer": value}, Contract.objects.visible_to(staff), user=staff)

    assert not filterset.is_valid()
    assert "employer" in filterset.form.errors


def test_the_suggestions_ignore_a_null_character(client, named, monkeypatch):
    from core import views

    client.force_login(named.users["staff"])
    request = (
        __import__("django.test", fromlist=["RequestFactory"])
        .RequestFactory()
        .get("/", {"q": "boul\x00martin"})
    )
    request.user = named.users["staff"]

    answer = views.name_suggestions(request, "employeurs")

    assert answer.status_code == 200
    assert b"Boulangerie Martin" in answer.content
