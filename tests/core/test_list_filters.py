"""What makes the filtered lists cheap at the size of a network: the one-pass ``<select>``, options
read as names, and ``distinct()`` only where a path can reach an object twice. Each must give the
same page as before, only faster."""

import datetime

import pytest
from django import forms
from django.urls import reverse

from apprentices.filters import ApprenticeFilterSet, ContractFilterSet
from apprentices.models import Apprentice, Contract, Diploma
from core.filters import FastSelect
from core.perms import is_multivalued
from employers.models import Employer
from livret.filters import SheetFilterSet
from livret.models import LiaisonSheet
from tests.apprentices.factories import ContractFactory
from tests.conftest import ROLES
from tests.helpers import listed
from tutors.models import CompanyTutor, SchoolTutor

CHOICES = [
    ("", "Tous"),
    (1, "Dupont & fils"),
    (2, '<b>"Cité"</b>'),
    ("Groupe", [(3, "L'Atelier"), (4, "Été")]),
]


@pytest.mark.parametrize("value", [None, "", 1, "2", 3, ["1", "4"]])
def test_fast_select_renders_what_django_select_renders(value):
    attrs = {"id": "id_employer", "aria-describedby": "aide", "class": "filtre"}

    fast = FastSelect(choices=CHOICES).render("employer", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("employer", value, attrs=attrs)

    def normalised(html: str) -> str:
        return "".join(line.strip() for line in html.splitlines())

    assert normalised(fast) == normalised(django)


def test_fast_select_escapes_labels_and_values():
    html = FastSelect(choices=[('"><script>', "<script>alert(1)</script>")]).render("x", None)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'value="&quot;&gt;&lt;script&gt;"' in html


def options(filterset, name) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in filterset.form.fields[name].choices]


@pytest.mark.parametrize("role", ROLES)
def test_employer_and_tutor_options_are_the_names_of_the_scoped_rows(world, role):
    user = world.users[role]
    filterset = ContractFilterSet({}, Contract.objects.visible_to(user), user=user)

    employers = Employer.objects.visible_to(user).order_by("legal_name", "pk")
    tutors = SchoolTutor.objects.visible_to(user).order_by("user__last_name", "user__first_name", "pk")
    assert options(filterset, "employer")[1:] == [(str(e.pk), str(e)) for e in employers]
    assert options(filterset, "school_tutor")[1:] == [(str(t.pk), str(t)) for t in tutors]
    assert options(filterset, "employer")[0] == ("", "Tous les employeurs")


def test_a_tutor_without_a_name_is_offered_under_their_address(world):
    tutor = world.mine.school_tutor
    tutor.user.first_name = tutor.user.last_name = ""
    tutor.user.save()
    staff = world.users["staff"]

    filterset = ApprenticeFilterSet({}, Apprentice.objects.visible_to(staff), user=staff)

    assert (str(tutor.pk), tutor.user.email) in options(filterset, "school_tutor")


def test_another_organisations_employer_is_an_invalid_choice(world):
    staff = world.users["staff"]
    foreign = world.foreign.employer

    filterset = ContractFilterSet({"employer": foreign.pk}, Contract.objects.visible_to(staff), user=staff)

    assert not filterset.is_valid()
    assert "employer" in filterset.form.errors


def test_a_chosen_employer_filters_and_stays_selected(client, world):
    client.force_login(world.users["staff"])
    employer = world.mine.employer

    page = client.get(reverse("apprentices:contract_list"), {"employer": employer.pk})

    assert page.status_code == 200
    assert f'<option value="{employer.pk}" selected>' in page.content.decode()
    assert listed(page) == [world.mine.contract]


def test_every_choice_filter_of_a_list_renders_in_one_pass(world):
    staff = world.users["staff"]
    for filterset in (
        ApprenticeFilterSet({}, Apprentice.objects.visible_to(staff), user=staff),
        SheetFilterSet({}, LiaisonSheet.objects.visible_to(staff), user=staff),
    ):
        for name, field in filterset.form.fields.items():
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
                assert isinstance(field.widget, FastSelect), name


@pytest.mark.parametrize(
    "model, path, expected",
    [
        (Apprentice, "organisation", False),
        (Apprentice, "user", False),
        (Apprentice, "contracts__school_tutor__user", True),
        (Contract, "diploma__organisation", False),
        (Contract, "diploma__heads", True),
        (Contract, "school_tutor__user", False),
        (LiaisonSheet, "contract__diploma__organisation", False),
        (LiaisonSheet, "contract__diploma__heads", True),
        (Diploma, "heads", True),
        (CompanyTutor, "user", False),
        (Employer, "company_tutors__user", True),
    ],
)
def test_multivalued_paths(model, path, expected):
    assert is_multivalued(model, path) is expected


@pytest.mark.parametrize(
    "role, distinct",
    [
        ("staff", False),
        ("admin", False),
        ("apprentice", False),
        ("school_tutor", True),
        ("head_of_diploma", True),
    ],
)
def test_apprentices_are_made_distinct_only_along_a_multivalued_path(world, role, distinct):
    assert Apprentice.objects.visible_to(world.users[role]).query.distinct is distinct


def test_an_apprentice_with_two_contracts_is_listed_once_for_their_tutor(world):
    mine = world.mine
    ContractFactory(
        apprentice=mine.apprentice,
        diploma=mine.diploma,
        employer=mine.employer,
        company_tutor=mine.company_tutor,
        school_tutor=mine.school_tutor,
        start_date=mine.contract.start_date - datetime.timedelta(days=400),
        ruptured=True,
    )
    for role in ("school_tutor", "company_tutor", "head_of_diploma", "staff"):
        visible = list(Apprentice.objects.visible_to(world.users[role]))
        assert visible.count(mine.apprentice) == 1, role


def test_sheets_for_staff_are_not_made_distinct(world):
    # a sheet reaches its organisation along foreign keys only: DISTINCT would only cost a sort
    assert LiaisonSheet.objects.visible_to(world.users["staff"]).query.distinct is False
