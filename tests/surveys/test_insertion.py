"""Insertion at 6 and 12 months = in employment ÷ (leavers who answered − those continuing their
studies), on a hand-built set of answers whose rates are worked out below; the rule on fewer than 20
people; the figures on the diploma's page beside InserJeunes; the requirements they make computed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from quality.indicators import INDICATORS, MIN_PUBLISHED_POPULATION, Figure
from quality.levels import MET, NO_DATA, evaluate
from quality.models import Requirement
from quality.services.computation import compute_indicators
from surveys import selectors
from surveys.models import Kind, NationalRate
from tests.surveys.factories import answered, sent_campaign

pytestmark = pytest.mark.django_db


def answers(campaign, diploma, **counts):
    for situation, n in counts.items():
        for index in range(n):
            answered(campaign, diploma, situation=situation, name=f"{situation} {index}")


@pytest.fixture
def surveyed(world):
    """``mine``: 25 answers at 6 months (14 employed, 5 continuing their studies, 4 looking for work,
    2 other) and 3 invited who did not answer; 12 answers at 12 months (9, 2, 1, 0).
    ``other``: 6 answers at 6 months (3 employed, 1 studies, 2 looking)."""
    year, organisation = world.academic_year, world.organisation
    six = sent_campaign(organisation, year, Kind.INSERTION_6)
    twelve = sent_campaign(organisation, year, Kind.INSERTION_12, anonymous=True)
    answers(six, world.mine.diploma, employed=14, studies=5, looking=4, other=2)
    for index in range(3):
        answered(six, world.mine.diploma, answered=False, name=f"Silencieux {index}")
    answers(twelve, world.mine.diploma, employed=9, studies=2, looking=1)
    answers(six, world.other.diploma, employed=3, studies=1, looking=2)
    return world


def figures(code, world):
    return INDICATORS[code].compute(
        [world.mine.diploma.pk, world.other.diploma.pk], world.academic_year, world.academic_year.end_date
    )


def test_insertion_is_employed_over_respondents_minus_studies_worked_out_by_hand(surveyed):
    six = figures("insertion_6_months", surveyed)
    # mine: 14 employed ÷ (25 answers − 5 in studies = 20) = 70.0 %; the 3 silent ones count nowhere
    assert six[surveyed.mine.diploma.pk] == Figure(14, 20, Decimal("70.0"))
    # other: 3 ÷ (6 − 1 = 5) = 60.0 %
    assert six[surveyed.other.diploma.pk] == Figure(3, 5, Decimal("60.0"))
    # mine at 12 months: 9 ÷ (12 − 2 = 10) = 90.0 %
    assert figures("insertion_12_months", surveyed)[surveyed.mine.diploma.pk] == Figure(
        9, 10, Decimal("90.0")
    )


def test_the_continuing_studies_rate_is_over_every_respondent(surveyed):
    studies = figures("studies_6_months", surveyed)
    # mine: 5 ÷ 25 = 20.0 %; other: 1 ÷ 6 = 16.7 %
    assert studies[surveyed.mine.diploma.pk] == Figure(5, 25, Decimal("20.0"))
    assert studies[surveyed.other.diploma.pk] == Figure(1, 6, Decimal("16.7"))


def test_a_rate_on_fewer_than_20_people_is_insufficient(surveyed):
    indicator = INDICATORS["insertion_6_months"]
    six = figures("insertion_6_months", surveyed)
    assert MIN_PUBLISHED_POPULATION == selectors.MIN_PUBLISHED_POPULATION == 20
    assert not indicator.is_insufficient(six[surveyed.mine.diploma.pk])  # 20 people
    assert indicator.is_insufficient(six[surveyed.other.diploma.pk])  # 5 people
    twelve = figures("insertion_12_months", surveyed)[surveyed.mine.diploma.pk]
    assert INDICATORS["insertion_12_months"].is_insufficient(twelve)  # 10 people


def test_the_records_of_an_anonymous_survey_name_no_one(surveyed):
    records = INDICATORS["insertion_12_months"].records(
        surveyed.mine.diploma, surveyed.academic_year, surveyed.academic_year.end_date
    )
    assert len(records) == 10 and all("employed" not in r.label for r in records)
    assert all("anonyme" in r.label for r in records)
    named = INDICATORS["insertion_6_months"].records(
        surveyed.mine.diploma, surveyed.academic_year, surveyed.academic_year.end_date
    )
    assert "employed 0" in {r.label.split(" — ")[0] for r in named}


def test_the_diploma_page_shows_insertion_beside_the_national_rate(client_for, surveyed):
    NationalRate.objects.create(
        diploma=surveyed.mine.diploma, academic_year=surveyed.academic_year, insertion_6=Decimal("62.5")
    )
    page = client_for(surveyed.users["apprentice"]).get(
        reverse("apprentices:diploma_detail", args=[surveyed.mine.diploma.pk])
    )
    content = page.content.decode()
    assert "70 %" in content and "(14/20)" in content and "62,5 %" in content
    assert "effectif insuffisant" in content and "(9/10)" in content


def test_staff_enter_the_national_rate_of_a_year(client_for, surveyed):
    client = client_for(surveyed.users["staff"])
    url = reverse("surveys:diploma_results", args=[surveyed.mine.diploma.pk])
    response = client.post(url, {"academic_year": surveyed.academic_year.pk, "insertion_6": "55.5"})
    assert response.status_code == 302
    assert NationalRate.objects.get(diploma=surveyed.mine.diploma).insertion_6 == Decimal("55.5")
    refused = client.post(url, {"academic_year": surveyed.academic_year.pk, "insertion_6": "120"})
    assert refused.status_code == 400
    assert NationalRate.objects.get(diploma=surveyed.mine.diploma).insertion_6 == Decimal("55.5")


def test_the_insertion_and_satisfaction_requirements_are_computed_from_the_surveys(surveyed):
    for code, indicator in (
        ("p4-enquete-insertion", "insertion_6_months"),
        ("p4-enquete-insertion-12", "insertion_12_months"),
        ("p4-enquete-satisfaction", "satisfaction_apprentice_response"),
        ("p4-enquete-satisfaction-employeurs", "satisfaction_employer_response"),
        ("p3-evaluation-fin", "end_apprentice_response"),
        ("p3-evaluation-fin-ma", "end_tutor_response"),
    ):
        requirement = Requirement.objects.get(code=code)
        assert (requirement.kind, requirement.indicator, requirement.evidence_kind) == (
            "computed",
            indicator,
            "",
        )
    year = surveyed.academic_year
    compute_indicators(year=year)
    states = {
        state.requirement.code: state.status
        for perimeter in evaluate([surveyed.mine.diploma], year)[surveyed.mine.diploma.pk].perimeters
        for level in perimeter.levels
        for state in level.requirements
    }
    assert states["p4-enquete-insertion"] == MET and states["p4-enquete-insertion-12"] == MET
    assert states["p4-enquete-satisfaction"] == NO_DATA  # no satisfaction survey sent
