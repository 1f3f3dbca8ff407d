"""Poste 4's job-offer indicators on a hand-built set, the rates worked out by hand below; the register
of former employers (page and CSV); the requirements they make computed."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apprentices.models import Contract
from jobs.models import Digest, OfferPageVisit
from quality.indicators import INDICATORS, Figure
from quality.models import Requirement
from tests.apprentices.factories import ContractFactory
from tests.jobs.factories import JobOfferFactory, former_apprentice

pytestmark = pytest.mark.django_db


def figure(code, world, chain="mine"):
    diploma = getattr(world, chain).diploma
    year = world.academic_year
    return INDICATORS[code].compute([diploma.pk], year, timezone.localdate())[diploma.pk]


@pytest.fixture
def alumni(world):
    """Five former apprentices of ``mine``'s diploma counted (left 30, 60, 200 and 400 days ago, and 600
    days before the year's start: within the two years), and three that are not: one left three years
    before the year's start, one back under contract, one anonymised. Three of the five received a
    digest this year, the fourth only last year; two opened the page this year."""
    year = world.academic_year
    days_since_start = (timezone.localdate() - year.start_date).days
    people = [
        former_apprentice(world.mine, ended_days_ago=d) for d in (30, 60, 200, 400, days_since_start + 600)
    ]
    too_old = former_apprentice(world.mine, ended_days_ago=days_since_start + 3 * 365)
    back = former_apprentice(world.mine)
    ContractFactory(apprentice=back, diploma=world.other.diploma, employer=world.other.employer)
    anonymised = former_apprentice(world.mine, email="apprenti-1@anonyme.invalid")
    this_year = timezone.now()
    last_year = timezone.make_aware(
        datetime.datetime.combine(year.start_date, datetime.time(9))
    ) - datetime.timedelta(days=30)
    for person, sent in zip(people, (this_year, this_year, this_year, last_year), strict=False):
        Digest.objects.create(apprentice=person, week=sent.date(), sent_at=sent)
    for person in (too_old, back, anonymised):
        Digest.objects.create(apprentice=person, week=this_year.date(), sent_at=this_year)
        OfferPageVisit.objects.create(apprentice=person, day=timezone.localdate(), via="link")
    OfferPageVisit.objects.create(apprentice=people[0], day=timezone.localdate(), via="link")
    OfferPageVisit.objects.create(apprentice=people[3], day=timezone.localdate(), via="account")
    # A visit before the year's start does not count.
    OfferPageVisit.objects.create(
        apprentice=people[4], day=year.start_date - datetime.timedelta(days=1), via="link"
    )
    return people


def test_diffusion_is_alumni_reached_this_year_over_alumni_worked_out_by_hand(world, alumni):
    # 5 former apprentices counted; reached this year: the first three (the fourth only last year).
    assert figure("job_offers_diffused", world) == Figure(3, 5, Decimal("60.0"))


def test_the_alumni_network_is_alumni_who_opened_the_offers_this_year(world, alumni):
    # Opened the page this year: the first and the fourth, 2 ÷ 5 = 40.0 %.
    assert figure("alumni_active", world) == Figure(2, 5, Decimal("40.0"))


def test_offers_published_count_the_years_offers_of_the_diploma(world):
    year = world.academic_year
    for _index in range(3):
        JobOfferFactory(employer=world.mine.employer, diplomas=[world.mine.diploma, world.other.diploma])
    withdrawn = JobOfferFactory(employer=world.mine.employer, diplomas=[world.mine.diploma])
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save()
    JobOfferFactory(
        employer=world.mine.employer,
        diplomas=[world.mine.diploma],
        published_at=timezone.make_aware(datetime.datetime.combine(year.start_date, datetime.time(8)))
        - datetime.timedelta(days=2),
    )
    assert figure("job_offers_published", world) == Figure(4, 4, 4)
    assert figure("job_offers_published", world, "other") == Figure(3, 3, 3)
    records = INDICATORS["job_offers_published"].records(world.mine.diploma, year, timezone.localdate())
    assert len(records) == 4 and all(r.url.startswith("/emplois/") for r in records)


def test_the_job_offer_requirements_are_computed():
    found = dict(
        Requirement.objects.filter(
            code__in=["p4-offres-emploi", "p4-publication-offres", "p4-diffusion-offres", "p4-alumni"]
        ).values_list("code", "indicator")
    )
    assert found == {
        "p4-offres-emploi": "job_offers_published",
        "p4-publication-offres": "job_offers_published",
        "p4-diffusion-offres": "job_offers_diffused",
        "p4-alumni": "alumni_active",
    }
    assert not Requirement.objects.filter(code__in=found, kind="evidence").exists()


def test_the_register_of_former_employers_lists_who_hosted_an_apprentice_now_gone(client_for, world):
    former_apprentice(world.mine, ended_days_ago=100)
    former_apprentice(world.mine, ended_days_ago=20)
    former_apprentice(world.foreign)
    client = client_for(world.users["staff"])
    page = client.get(reverse("jobs:former_employers"))
    body = page.content.decode()
    assert page.status_code == 200
    assert str(world.mine.employer) in body
    # Hosts only a running contract: not a former employer. Another organisation's: not shown.
    assert str(world.other.employer) not in body and str(world.foreign.employer) not in body
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("jobs:former_employers") + "?format=csv").content.decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    assert rows[0][:4] == ["Raison sociale", "SIRET", "Ville", "Apprentis accueillis"]
    assert [r[0] for r in rows[1:]] == [world.mine.employer.legal_name]
    assert rows[1][3] == "2" and rows[1][7] == "Oui"
    assert world.mine.company_tutor.email in rows[1][9]
    assert 'href="mailto:' in body
    found = client.get(reverse("jobs:former_employers") + "?q=zzz-inconnu").content.decode()
    assert "Aucun ex-employeur ne correspond" in found


def test_the_register_is_read_in_a_fixed_number_of_queries(client_for, world, django_assert_max_num_queries):
    for chain in (world.mine, world.other):
        for days in (20, 40, 80):
            former_apprentice(chain, ended_days_ago=days)
    client = client_for(world.users["staff"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("jobs:former_employers")).status_code == 200
    assert Contract.objects.filter(status=Contract.Status.COMPLETED).count() == 6
