"""Writes of the job offers: post, change and withdraw an offer; the weekly digests; the former
apprentice's opting out and visits. Each runs in one transaction, checks the state, writes an audit
event and queues its mails on commit."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Apprentice
from core import audit
from core.queue import enqueue
from core.workflow import Refusal
from jobs import links, perms, selectors
from jobs.links import alumni_link
from jobs.models import AlumniLink, Digest, JobOffer, OfferPageVisit

OFFER_FIELDS = ("title", "employer", "place", "contract_type", "description", "how_to_apply", "closes_on")


def _check(
    *, organisation_id: int, employer, diplomas, closes_on: datetime.date, today: datetime.date
) -> None:
    if employer.organisation_id != organisation_id:
        raise Refusal(_("Cet employeur n'est pas dans le registre de votre établissement."))
    if not diplomas:
        raise Refusal(_("Choisissez au moins une formation."))
    if any(d.organisation_id != organisation_id for d in diplomas):
        raise Refusal(_("Une des formations choisies n'est pas de votre établissement."))
    if closes_on < today:
        raise Refusal(_("La date limite de candidature est passée."))


@transaction.atomic
def post_offer(*, by, organisation_id: int, diplomas, today=None, **values) -> JobOffer:
    """Publish an offer now. ``values``: the fields of :data:`OFFER_FIELDS`. A company tutor posts for
    their own employer only."""
    today = today or timezone.localdate()
    employer_id = values["employer"].pk
    if not perms.manages_offers(by) and employer_id != perms.tutor_employer_id(by):
        raise Refusal(_("Vous ne pouvez publier que les offres de votre entreprise."))
    _check(
        organisation_id=organisation_id,
        employer=values["employer"],
        diplomas=diplomas,
        closes_on=values["closes_on"],
        today=today,
    )
    offer = JobOffer.objects.create(organisation_id=organisation_id, posted_by=by, **values)
    offer.diplomas.set(diplomas)
    audit.record("jobs.offer.published", offer, {"diplomas": sorted(d.pk for d in diplomas)}, actor=by)
    return offer


@transaction.atomic
def change_offer(*, offer: JobOffer, by, diplomas, today=None, **values) -> JobOffer:
    today = today or timezone.localdate()
    offer = JobOffer.objects.select_for_update().get(pk=offer.pk)
    if not perms.can_edit(by, offer):
        raise Refusal(_("Vous ne pouvez pas modifier cette offre."))
    if offer.withdrawn_at is not None:
        raise Refusal(_("Cette offre a été retirée : elle ne se modifie plus."))
    if values.get("employer") and values["employer"].pk != offer.employer_id and not perms.manages_offers(by):
        raise Refusal(_("Vous ne pouvez publier que les offres de votre entreprise."))
    _check(
        organisation_id=offer.organisation_id,
        employer=values.get("employer", offer.employer),
        diplomas=diplomas,
        closes_on=values.get("closes_on", offer.closes_on),
        today=today,
    )
    for name, value in values.items():
        setattr(offer, name, value)
    offer.save()
    offer.diplomas.set(diplomas)
    return offer


@transaction.atomic
def withdraw_offer(*, offer: JobOffer, by) -> JobOffer:
    """Take an offer down (the post is filled, or was a mistake): no digest carries it from now on.
    Withdrawing twice changes nothing the second time."""
    offer = JobOffer.objects.select_for_update().get(pk=offer.pk)
    if not perms.can_edit(by, offer):
        raise Refusal(_("Vous ne pouvez pas retirer cette offre."))
    if offer.withdrawn_at is not None:
        raise Refusal(_("Cette offre est déjà retirée."))
    offer.withdrawn_at = timezone.now()
    offer.save(update_fields=["withdrawn_at"])
    audit.record("jobs.offer.withdrawn", offer, actor=by)
    return offer


# The alumni -------------------------------------------------------------------------------------------


@transaction.atomic
def set_subscription(*, link: AlumniLink, subscribed: bool) -> AlumniLink:
    """Opt out of the weekly digest, or back in. Asking twice changes nothing."""
    link = AlumniLink.objects.select_for_update().get(pk=link.pk)
    if subscribed == (link.unsubscribed_at is None):
        return link
    link.unsubscribed_at = None if subscribed else timezone.now()
    link.save(update_fields=["unsubscribed_at"])
    action = "jobs.alumni.subscribed" if subscribed else "jobs.alumni.unsubscribed"
    audit.record(action, link.apprentice, actor=None)
    return link


def record_visit(*, apprentice_id: int, via: str, today=None) -> None:
    """Keep that the apprentice opened the offers page today (once a day)."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            OfferPageVisit.objects.get_or_create(
                apprentice_id=apprentice_id, day=today, defaults={"via": via}
            )
    except IntegrityError:
        # The same person in two tabs at the same second: the visit of the day is kept once.
        pass


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def prepare_digests(*, today=None, organisation_id: int | None = None) -> list[int]:
    """Write this week's digest of each former apprentice who has one due: the offers open today for
    their diplomas that no earlier digest brought them, unless they opted out or their address cannot
    receive mail. A person has one digest a week however often this runs; returns the new digests' ids.
    ``organisation_id``: that organisation's former apprentices only (all by default)."""
    today = today or timezone.localdate()
    week = week_of(today)
    alumni = selectors.alumni_diplomas(organisation_id)
    if not alumni:
        return []
    offers = list(JobOffer.objects.open_on(today).prefetch_related("diplomas"))
    if not offers:
        return []
    by_diploma: dict[int, list[JobOffer]] = {}
    for offer in offers:
        for diploma in offer.diplomas.all():
            by_diploma.setdefault(diploma.pk, []).append(offer)
    people = Apprentice.objects.filter(pk__in=list(alumni)).only("pk", "email", "organisation_id")
    opted_out = set(
        AlumniLink.objects.filter(apprentice_id__in=list(alumni), unsubscribed_at__isnull=False).values_list(
            "apprentice_id", flat=True
        )
    )
    done_this_week = set(
        Digest.objects.filter(apprentice_id__in=list(alumni), week=week).values_list(
            "apprentice_id", flat=True
        )
    )
    already = set(
        Digest.offers.through.objects.filter(digest__apprentice_id__in=list(alumni)).values_list(
            "digest__apprentice_id", "joboffer_id"
        )
    )
    created = []
    for person in people.iterator():
        if person.pk in opted_out or person.pk in done_this_week or not links.deliverable(person.email):
            continue
        due = {
            offer.pk
            for diploma_id in alumni[person.pk]
            for offer in by_diploma.get(diploma_id, ())
            if offer.organisation_id == person.organisation_id and (person.pk, offer.pk) not in already
        }
        if not due:
            continue
        try:
            with transaction.atomic():
                digest = Digest.objects.create(apprentice_id=person.pk, week=week)
                digest.offers.set(sorted(due))
                alumni_link(person.pk)
        except IntegrityError:
            continue  # another run wrote this week's digest in the meantime
        created.append(digest.pk)
    return created


def send_weekly_digests(*, today=None) -> dict:
    """The weekly job: write the digests due, then queue the mail of every digest not mailed yet."""
    created = prepare_digests(today=today)
    waiting = list(Digest.objects.filter(sent_at__isnull=True).values_list("pk", flat=True))
    for pk in waiting:
        enqueue("jobs.tasks.send_digest", pk)
    return {"digests": len(created), "queued": len(waiting)}
