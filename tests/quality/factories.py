import datetime

import factory
from factory.django import DjangoModelFactory

from quality.models import (
    Evidence,
    EvidenceKind,
    FollowedIndicator,
    Meeting,
    Milestone,
    Perimeter,
    Requirement,
    Threshold,
)
from tests.apprentices.factories import DiplomaFactory
from tests.core.factories import AcademicYearFactory, OrganisationFactory


class EvidenceFactory(DjangoModelFactory):
    """A document's row, as the upload service writes it, without a file on disk (the indicators only
    read the row); ``kind`` the minutes of a comité de pilotage by default."""

    class Meta:
        model = Evidence

    organisation = factory.SubFactory(OrganisationFactory)
    diploma = None
    academic_year = factory.SubFactory(AcademicYearFactory)
    kind = EvidenceKind.COPIL_MINUTES
    title = factory.Sequence(lambda n: f"Procès-verbal n° {n}")
    token = factory.Sequence(lambda n: f"{n:032x}")
    extension = ".pdf"
    file = factory.LazyAttribute(lambda o: f"quality/test/{o.token}{o.extension}")
    original_name = "pv.pdf"
    size = 1024
    content_type = "application/pdf"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    attested_on = factory.LazyAttribute(lambda o: o.academic_year.start_date)


class MeetingFactory(DjangoModelFactory):
    """A meeting of the register, a comité de pilotage by default, of ``diplomas=[...]`` and
    ``cohorts=[...]``; Trait ``with_minutes`` files its compte rendu."""

    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    class Params:
        with_minutes = factory.Trait(
            minutes=factory.SubFactory(EvidenceFactory, organisation=factory.SelfAttribute("..organisation"))
        )

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Meeting.Kind.STEERING
    title = factory.Sequence(lambda n: f"Réunion n° {n}")
    held_on = datetime.date(2025, 10, 15)
    attendance = 12
    attendees = "Apprentis, maîtres d'apprentissage, équipe pédagogique."
    minutes = None

    @factory.post_generation
    def diplomas(self, create, extracted, **kwargs):
        if create and extracted:
            self.diplomas.add(*extracted)

    @factory.post_generation
    def cohorts(self, create, extracted, **kwargs):
        if create and extracted:
            self.cohorts.add(*extracted)


def computed_requirement() -> Requirement:
    """A computed requirement of the referential that migrate loads."""
    return (
        Requirement.objects.filter(kind=Requirement.Kind.COMPUTED, item__isnull=False).order_by("pk").first()
    )


class FollowedIndicatorFactory(DjangoModelFactory):
    class Meta:
        model = FollowedIndicator

    diploma = factory.SubFactory(DiplomaFactory)
    academic_year = factory.SubFactory(AcademicYearFactory)
    indicator = "rupture_rate"
    added_by = None


class ThresholdFactory(DjangoModelFactory):
    """A version of a computed requirement's threshold (the first of the referential by default)."""

    class Meta:
        model = Threshold

    requirement = factory.LazyFunction(computed_requirement)
    diploma = factory.SubFactory(DiplomaFactory)
    academic_year = factory.SubFactory(AcademicYearFactory)
    version = factory.Sequence(lambda n: n + 1)
    value = 50
    previous_value = None
    reason = "Seuil relevé en comité de pilotage."
    changed_by = None


class MilestoneFactory(DjangoModelFactory):
    """A jalon of the first périmètre of the referential by default."""

    class Meta:
        model = Milestone

    diploma = factory.SubFactory(DiplomaFactory)
    academic_year = factory.SubFactory(AcademicYearFactory)
    perimeter = factory.LazyFunction(lambda: Perimeter.objects.order_by("pk").first())
    rank = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Palier n° {n}")
    created_by = None
