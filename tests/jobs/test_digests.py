"""The weekly digest: who receives it (former apprentices of the offers' diplomas, not opted out, with an
address that receives mail), what it carries (the offers no earlier digest brought them), once a week
however often the job runs; the mail and its personal link; every link case."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.conf import settings
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from jobs import links, services, tasks
from jobs.models import AlumniLink, Digest, OfferPageVisit
from tests.helpers import text_of
from tests.jobs.factories import JobOfferFactory, former_apprentice

pytestmark = pytest.mark.django_db


def offer(world, chain="mine", **values):
    chain = getattr(world, chain)
    return JobOfferFactory(employer=chain.employer, diplomas=[chain.diploma], **values)


def digested(apprentice) -> list[set]:
    return [
        set(d.offers.values_list("title", flat=True)) for d in Digest.objects.filter(apprentice=apprentice)
    ]


def test_only_the_former_apprentices_of_the_diploma_receive_its_offers(world):
    alumna = former_apprentice(world.mine)
    other_diploma = former_apprentice(world.other)
    opted_out = former_apprentice(world.mine)
    AlumniLink.objects.create(apprentice=opted_out, nonce=links.new_nonce(), unsubscribed_at=timezone.now())
    anonymised = former_apprentice(world.mine, email="apprenti-9@anonyme.invalid")
    foreign = former_apprentice(world.foreign)
    posted = offer(world, title="Ingénieur qualité")

    services.prepare_digests()

    assert digested(alumna) == [{"Ingénieur qualité"}]
    # Still under contract, another diploma, opted out, anonymised, another organisation: nothing.
    for person in (world.mine.apprentice, other_diploma, opted_out, anonymised, foreign):
        assert digested(person) == [], person
    assert posted.digests.count() == 1


def test_once_a_week_and_each_offer_once(world):
    alumna = former_apprentice(world.mine)
    offer(world, title="Premier poste")
    today = timezone.localdate()
    assert len(services.prepare_digests(today=today)) == 1
    offer(world, title="Deuxième poste")
    # The same week again: nothing more, whatever was published since.
    assert services.prepare_digests(today=today) == []
    # The next week: only what no digest brought yet.
    assert len(services.prepare_digests(today=today + datetime.timedelta(days=7))) == 1
    assert sorted(map(sorted, digested(alumna))) == [["Deuxième poste"], ["Premier poste"]]
    assert sorted(Digest.objects.values_list("week", flat=True)) == [
        services.week_of(today),
        services.week_of(today) + datetime.timedelta(days=7),
    ]
    # And a week with nothing new sends nothing.
    assert services.prepare_digests(today=today + datetime.timedelta(days=14)) == []


def test_the_weekly_job_mails_each_digest_once_with_a_link_that_needs_no_account(
    client, world, django_capture_on_commit_callbacks
):
    alumna = former_apprentice(world.mine, email="lea.ancienne@exemple.test")
    offer(world, title="Chargée d'affaires", how_to_apply="https://exemple.test/annonce/42")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.weekly_job_digests.delay().get() == {"digests": 1, "queued": 1}
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.weekly_job_digests.delay().get() == {"digests": 0, "queued": 0}

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lea.ancienne@exemple.test"]
    assert "1 nouvelle offre d'emploi" in message.subject
    assert "Chargée d'affaires" in message.body
    url = re.search(r"https?://\S+/emplois/anciens/\S+/", message.body).group(0)
    assert url.startswith(settings.SITE_URL)

    page = client.get(url.removeprefix(settings.SITE_URL))
    assert page.status_code == 200
    assert (
        "Chargée d'affaires" in text_of(page) and "https://exemple.test/annonce/42" in page.content.decode()
    )
    assert OfferPageVisit.objects.get().via == OfferPageVisit.Via.LINK
    assert "_auth_user_id" not in client.session
    assert Digest.objects.get(apprentice=alumna).sent_at is not None


def test_the_beat_runs_the_digest_on_mondays():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-job-digests"]
    assert entry["task"] == "jobs.tasks.weekly_job_digests"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].day_of_week == {1}


def test_opting_out_from_the_link_stops_the_digests_and_opting_in_again_restarts_them(client, world):
    alumna = former_apprentice(world.mine)
    link = services.alumni_link(alumna.pk)
    path = links.url_for(link).removeprefix(settings.SITE_URL)
    response = client.post(path, {"subscribed": "0"}, follow=True)
    assert "vous ne recevrez plus les offres" in text_of(response)
    offer(world)
    assert services.prepare_digests() == []
    # Twice: nothing changes the second time.
    link.refresh_from_db()
    first = link.unsubscribed_at
    client.post(path, {"subscribed": "0"})
    link.refresh_from_db()
    assert link.unsubscribed_at == first
    client.post(path, {"subscribed": "1"})
    assert len(services.prepare_digests()) == 1


def test_an_altered_link_says_so_and_records_nothing(client, world):
    alumna = former_apprentice(world.mine)
    link = services.alumni_link(alumna.pk)
    token = links.token_for(link)
    other = former_apprentice(world.mine)
    for path in (
        f"/emplois/anciens/{alumna.pk}/{token[:-3]}abc/",
        f"/emplois/anciens/{other.pk}/{token}/",
        f"/emplois/anciens/{alumna.pk}/nimportequoi/",
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "Ce lien est incomplet ou a été modifié" in text_of(response)
        assert client.post(path, {"subscribed": "0"}).status_code == 400
    link.refresh_from_db()
    assert link.unsubscribed_at is None and not OfferPageVisit.objects.exists()


def test_an_old_link_has_expired_and_a_new_nonce_retires_the_old_ones(client, world, monkeypatch):
    alumna = former_apprentice(world.mine)
    link = services.alumni_link(alumna.pk)
    long_ago = timezone.now().timestamp() - (links.LINK_MAX_AGE_DAYS + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: long_ago)
    old = links.token_for(link)
    monkeypatch.undo()
    response = client.get(f"/emplois/anciens/{alumna.pk}/{old}/")
    assert response.status_code == 410 and "Ce lien a expiré" in text_of(response)

    token = links.token_for(link)
    AlumniLink.objects.filter(pk=link.pk).update(nonce=links.new_nonce())
    assert client.get(f"/emplois/anciens/{alumna.pk}/{token}/").status_code == 400


def test_the_link_of_a_person_anonymised_since_names_no_one(client, world):
    alumna = former_apprentice(world.mine)
    link = services.alumni_link(alumna.pk)
    token = links.token_for(link)
    type(alumna).objects.filter(pk=alumna.pk).update(
        email=f"apprenti-{alumna.pk}@anonyme.invalid", first_name="Anonyme"
    )
    assert client.get(f"/emplois/anciens/{alumna.pk}/{token}/").status_code == 400


def test_the_personal_data_archive_holds_the_digests_visits_and_choice(client_for, world):
    alumna = former_apprentice(world.mine)
    offer(world, title="Responsable de production")
    services.prepare_digests()
    services.record_visit(apprentice_id=alumna.pk, via=OfferPageVisit.Via.LINK)
    services.set_subscription(link=services.alumni_link(alumna.pk), subscribed=False)
    response = client_for(world.users["staff"]).get(reverse("privacy:archive_json", args=[alumna.pk]))
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    jobs = data["job_offers"]
    assert [d["offers"] for d in jobs["digests"]] == [[f"Responsable de production — {world.mine.employer}"]]
    assert [v["via"] for v in jobs["visits"]] == ["link"] and jobs["unsubscribed_at"]
