"""Posting, changing and withdrawing job offers, by the CFA's team and by a company tutor for their own
employer; who sees what; bad input refused with a French message and nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.audit import AuditEvent
from jobs.models import JobOffer, OfferPageVisit
from tests.helpers import text_of
from tests.jobs.factories import JobOfferFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("jobs:offer_create")


def form(world, **changes):
    data = {
        "title": "Technicien méthodes",
        "employer": world.mine.employer.pk,
        "place": "Toulouse",
        "contract_type": "cdi",
        "diplomas": [world.mine.diploma.pk],
        "description": "Industrialisation des nouvelles lignes.\nProfil : ingénieur ou technicien.",
        "how_to_apply": "rh@exemple.test",
        "closes_on": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
    }
    data.update(changes)
    return data


def test_staff_publish_an_offer_for_a_diploma(client_for, world):
    response = client_for(world.users["staff"]).post(CREATE, form(world))
    offer = JobOffer.objects.get()
    assert response.status_code == 302 and response["Location"] == offer.get_absolute_url()
    assert (offer.organisation, offer.employer, offer.posted_by) == (
        world.organisation,
        world.mine.employer,
        world.users["staff"],
    )
    assert list(offer.diplomas.all()) == [world.mine.diploma]
    assert AuditEvent.for_object(offer).filter(action="jobs.offer.published").exists()
    page = text_of(client_for(world.users["staff"]).get(offer.get_absolute_url()))
    assert "Technicien méthodes" in page and "Publiée" in page


def test_a_company_tutor_posts_for_their_own_employer_whatever_the_form_says(client_for, world):
    tutor = world.users["company_tutor"]
    client = client_for(tutor)
    assert 'name="employer"' not in client.get(CREATE).content.decode()
    response = client.post(CREATE, form(world, employer=world.other.employer.pk))
    assert response.status_code == 302
    assert JobOffer.objects.get().employer == world.mine.employer


def test_a_tutor_sees_and_edits_only_their_employers_offers(client_for, world):
    theirs = JobOfferFactory(employer=world.mine.employer, diplomas=[world.mine.diploma])
    others = JobOfferFactory(employer=world.other.employer, diplomas=[world.mine.diploma])
    client = client_for(world.users["company_tutor"])
    listing = text_of(client.get(reverse("jobs:offer_list")))
    assert theirs.title in listing and others.title not in listing
    assert client.get(others.get_absolute_url()).status_code == 404
    assert client.post(reverse("jobs:offer_withdraw", args=[others.pk]), {"confirm": "1"}).status_code == 404
    assert client.get(reverse("jobs:offer_edit", args=[theirs.pk])).status_code == 200


@pytest.mark.parametrize("role", ["apprentice", "school_tutor", "head_of_diploma"])
def test_the_offers_pages_are_a_404_for_who_does_not_post(client_for, world, role):
    offer = JobOfferFactory(employer=world.mine.employer, diplomas=[world.mine.diploma])
    client = client_for(world.users[role])
    for url in (
        reverse("jobs:offer_list"),
        CREATE,
        offer.get_absolute_url(),
        reverse("jobs:former_employers"),
    ):
        assert client.get(url).status_code == 404, url


def test_another_organisations_staff_do_not_see_the_offer(client_for, world):
    from core.models import Role
    from tests.core.factories import UserFactory

    offer = JobOfferFactory(employer=world.mine.employer, diplomas=[world.mine.diploma])
    stranger = UserFactory(organisation=world.other_organisation, roles=[Role.STAFF])
    assert client_for(stranger).get(offer.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_on": "2020-01-01"}, "La date limite de candidature est passée"),
        ({"closes_on": "31/02/2027"}, "Saisissez une date valide"),
        ({"diplomas": []}, "Choisissez au moins une formation."),
        ({"title": ""}, "Donnez l'intitulé du poste."),
        ({"title": "x" * 201}, "200 caractères"),
        ({"description": "a" * 4001}, "4000 caractères"),
        ({"title": "Poste\u0007piégé"}, "caractère de contrôle"),
    ],
)
def test_bad_input_is_refused_in_french_and_writes_nothing(client_for, world, changes, message):
    response = client_for(world.users["staff"]).post(CREATE, form(world, **changes))
    assert response.status_code == 400
    assert message in text_of(response)
    assert not JobOffer.objects.exists()


def test_a_diploma_or_employer_of_another_organisation_is_refused(client_for, world):
    client = client_for(world.users["staff"])
    for changes in ({"diplomas": [world.foreign.diploma.pk]}, {"employer": world.foreign.employer.pk}):
        response = client.post(CREATE, form(world, **changes))
        assert response.status_code == 400 and "Sélectionnez un choix valide" in text_of(response)
    assert not JobOffer.objects.exists()


def test_withdrawing_twice_changes_nothing_the_second_time(client_for, world):
    offer = JobOfferFactory(employer=world.mine.employer, diplomas=[world.mine.diploma])
    client = client_for(world.users["staff"])
    url = reverse("jobs:offer_withdraw", args=[offer.pk])
    unconfirmed = client.post(url, follow=True)
    assert "Cochez la case de confirmation pour retirer l'offre" in text_of(unconfirmed)
    offer.refresh_from_db()
    assert offer.withdrawn_at is None
    client.post(url, {"confirm": "1"})
    offer.refresh_from_db()
    first = offer.withdrawn_at
    assert first is not None
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert "Cette offre est déjà retirée." in text_of(response)
    offer.refresh_from_db()
    assert offer.withdrawn_at == first
    assert client.get(reverse("jobs:offer_edit", args=[offer.pk])).status_code == 404


def test_an_apprentice_reads_the_open_offers_of_their_diploma_and_the_visit_is_kept_once_a_day(
    client_for, world
):
    mine = JobOfferFactory(employer=world.mine.employer, diplomas=[world.mine.diploma], title="Poste ouvert")
    JobOfferFactory(employer=world.other.employer, diplomas=[world.other.diploma], title="Autre formation")
    JobOfferFactory(
        employer=world.mine.employer,
        diplomas=[world.mine.diploma],
        title="Poste retiré",
        withdrawn_at=timezone.now(),
    )
    closed = JobOfferFactory(employer=world.mine.employer, diplomas=[world.mine.diploma], title="Poste clos")
    JobOffer.objects.filter(pk=closed.pk).update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    client = client_for(world.users["apprentice"])
    page = text_of(client.get(reverse("jobs:my_offers")))
    assert mine.title in page
    assert "Autre formation" not in page and "Poste retiré" not in page and "Poste clos" not in page
    client.get(reverse("jobs:my_offers"))
    visit = OfferPageVisit.objects.get()
    assert (visit.apprentice, visit.via) == (world.mine.apprentice, OfferPageVisit.Via.ACCOUNT)


def test_the_menu_leads_each_role_to_its_offers_page(client_for, world):
    home = reverse("home")
    assert reverse("jobs:offer_list") in client_for(world.users["staff"]).get(home).content.decode()
    assert reverse("jobs:offer_list") in client_for(world.users["company_tutor"]).get(home).content.decode()
    assert reverse("jobs:my_offers") in client_for(world.users["apprentice"]).get(home).content.decode()
    assert "/emplois/" not in client_for(world.users["school_tutor"]).get(home).content.decode()


def test_the_offer_list_is_paged_and_reads_a_fixed_number_of_queries(
    client_for, world, django_assert_max_num_queries
):
    from core.viewutils import PAGE_SIZE

    for _index in range(PAGE_SIZE + 3):
        JobOfferFactory(employer=world.mine.employer, diplomas=[world.mine.diploma, world.other.diploma])
    client = client_for(world.users["staff"])
    with django_assert_max_num_queries(12):
        first = client.get(reverse("jobs:offer_list"))
    assert first.content.decode().count('href="/emplois/') >= PAGE_SIZE
    assert "Page 1 sur 2" in text_of(first)
    second = text_of(client.get(reverse("jobs:offer_list") + "?etat=ouvertes&page=2"))
    assert "Page 2 sur 2" in second
