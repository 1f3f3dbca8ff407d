"""Job offers and former apprentices for the tests of ``jobs``."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apprentices.models import Contract
from jobs.models import ContractType, JobOffer
from tests.apprentices.factories import ApprenticeFactory, ContractFactory


class JobOfferFactory(DjangoModelFactory):
    class Meta:
        model = JobOffer
        skip_postgeneration_save = True

    organisation = factory.SelfAttribute("employer.organisation")
    title = factory.Sequence(lambda n: f"Ingénieur méthodes {n}")
    place = "Albi"
    contract_type = ContractType.CDI
    description = "Au sein du service industrialisation, vous pilotez les projets de nouvelles lignes."
    how_to_apply = "recrutement@exemple.test"
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))

    @factory.post_generation
    def diplomas(self, create, extracted, **kwargs):
        if create and extracted:
            self.diplomas.set(extracted)


def former_apprentice(chain, *, ended_days_ago: int = 60, email: str | None = None, **apprentice):
    """An apprentice of ``chain``'s diploma and employer whose only contract ended ``ended_days_ago``."""
    person = ApprenticeFactory(
        organisation=chain.apprentice.organisation,
        cohort=chain.apprentice.cohort,
        **({"email": email} if email else {}),
        **apprentice,
    )
    end = timezone.localdate() - datetime.timedelta(days=ended_days_ago)
    ContractFactory(
        apprentice=person,
        diploma=chain.diploma,
        employer=chain.employer,
        company_tutor=chain.company_tutor,
        status=Contract.Status.COMPLETED,
        start_date=end - datetime.timedelta(days=700),
        planned_end_date=end,
    )
    return person
