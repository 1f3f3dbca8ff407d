"""The job offers of the demo CFA: offers for its diplomas posted by the staff and by the company tutor of
tuteur@demo.test over the last months (some closed, one withdrawn), the weekly digests they made for
the former apprentices (as the Monday job would have written them, week by week), and the offers page
opened by about one former apprentice in three, from their link.

Every offer is found by its title, every digest by its person and week, every visit by its person and
day: a second run writes nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter

from django.utils import timezone

from apprentices.models import Diploma
from core.models import Organisation, User
from demo.diplomas import BTS, ING
from jobs import selectors, services
from jobs.models import ContractType, Digest, JobOffer, OfferPageVisit
from tutors.models import CompanyTutor

# (title, place, contract type, diplomas, days ago published, days open, posted by the tutor, withdrawn)
OFFERS = [
    ("Ingénieur méthodes industrialisation", "Toulouse (31)", ContractType.CDI, [ING], 150, 60, True, False),
    ("Ingénieur qualité fournisseurs", "Albi (81)", ContractType.CDI, [ING], 120, 45, False, False),
    ("Technicien méthodes usinage", "Castres (81)", ContractType.CDD, [BTS], 95, 40, False, True),
    ("Chargé d'affaires en génie des procédés", "Lyon (69)", ContractType.CDI, [ING], 70, 60, False, False),
    (
        "Technicien programmeur commande numérique",
        "Figeac (46)",
        ContractType.CDI,
        [BTS],
        40,
        60,
        True,
        False,
    ),
    (
        "Ingénieur amélioration continue (lean)",
        "Rodez (12)",
        ContractType.CDI,
        [ING, BTS],
        20,
        75,
        False,
        False,
    ),
    ("Ingénieur R&D procédés pharmaceutiques", "Toulouse (31)", ContractType.CDD, [ING], 6, 60, False, False),
]

DESCRIPTION = (
    "Rattaché(e) au responsable du service, vous prenez en charge des projets de la conception à la mise en "
    "production, avec les équipes de l'atelier et les fournisseurs.\n\n"
    "Profil : diplômé(e) de la formation, une première expérience en alternance dans le domaine est un atout."
)


class JobSeeder:
    def __init__(self, today: datetime.date):
        self.today = today
        self.created = Counter()
        self.organisation = Organisation.objects.get(name="IMT Mines Albi")
        self.staff = User.objects.get(email="staff@demo.test")
        self.tutor = CompanyTutor.objects.select_related("employer", "user").get(
            user__email="tuteur@demo.test"
        )
        self.diplomas = {d.code: d for d in Diploma.objects.filter(code__in=[ING, BTS])}
        self.random = random.Random(17)

    def offers(self) -> list[JobOffer]:
        existing = {o.title: o for o in JobOffer.objects.filter(organisation=self.organisation)}
        employers = list(self.organisation.employers.order_by("legal_name")[:12])
        offers = []
        for index, (title, place, kind, codes, ago, days, by_tutor, withdrawn) in enumerate(OFFERS):
            offer = existing.get(title)
            if offer is None:
                published = timezone.now() - datetime.timedelta(days=ago)
                offer = JobOffer.objects.create(
                    organisation=self.organisation,
                    employer=self.tutor.employer if by_tutor else employers[index % len(employers)],
                    title=title,
                    place=place,
                    contract_type=kind,
                    description=DESCRIPTION,
                    how_to_apply="recrutement@exemple.test",
                    closes_on=published.date() + datetime.timedelta(days=days),
                    published_at=published,
                    withdrawn_at=published + datetime.timedelta(days=12) if withdrawn else None,
                    posted_by=self.tutor.user if by_tutor else self.staff,
                )
                offer.diplomas.set([self.diplomas[code] for code in codes])
                self.created["offres d'emploi"] += 1
            offers.append(offer)
        return offers

    def digests(self) -> None:
        """Replay the Monday job over the weeks since the first offer, with the mails marked sent."""
        first = min(o.published_at for o in JobOffer.objects.filter(organisation=self.organisation)).date()
        monday = services.week_of(first) + datetime.timedelta(days=7)
        before = Digest.objects.count()
        while monday <= self.today:
            ids = services.prepare_digests(today=monday, organisation_id=self.organisation.pk)
            sent = timezone.make_aware(datetime.datetime.combine(monday, datetime.time(8, 45)))
            Digest.objects.filter(pk__in=ids).update(sent_at=sent)
            monday += datetime.timedelta(days=7)
        self.created["envois d'offres"] += Digest.objects.count() - before

    def visits(self) -> None:
        alumni = sorted(selectors.alumni_diplomas(self.organisation.pk))
        # Each person's first digest (the last value of a key wins).
        sent = dict(
            Digest.objects.filter(apprentice_id__in=alumni, sent_at__isnull=False)
            .order_by("-sent_at", "-pk")
            .values_list("apprentice_id", "sent_at")
        )
        for apprentice_id in alumni:
            if apprentice_id not in sent or self.random.random() > 0.35:
                continue
            day = min(sent[apprentice_id].date() + datetime.timedelta(days=1), self.today)
            _visit, created = OfferPageVisit.objects.get_or_create(
                apprentice_id=apprentice_id, day=day, defaults={"via": OfferPageVisit.Via.LINK}
            )
            self.created["consultations des offres"] += created

    def run(self) -> dict:
        self.offers()
        self.digests()
        self.visits()
        return {what: n for what, n in self.created.items() if n}


def seed_jobs(*, today: datetime.date) -> dict:
    return JobSeeder(today).run()
