import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apprentices.models import (
    AlternanceCalendar,
    AlternancePeriod,
    Apprentice,
    Cohort,
    Contract,
    Diploma,
    DiplomaOption,
    LegalRepresentative,
)
from tests.core.factories import AcademicYearFactory, OrganisationFactory
from tests.employers.factories import EmployerFactory
from tests.tutors.factories import CompanyTutorFactory, SchoolTutorFactory


def years_ago(years: int, days: int = 0, today: datetime.date | None = None) -> datetime.date:
    """The day ``years`` years (and ``days`` more days) before ``today``; 29 February becomes the 28th."""
    today = today or timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


class DiplomaFactory(DjangoModelFactory):
    class Meta:
        model = Diploma
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"DIP-{n}")
    title = factory.Sequence(lambda n: f"Licence professionnelle {n}")
    level = Diploma.Level.BAC3
    rncp_code = "RNCP35123"
    cfd_code = "25020001"
    duration_years = 2

    @factory.post_generation
    def heads(self, create, extracted, **kwargs):
        if create and extracted:
            self.heads.add(*extracted)


class DiplomaOptionFactory(DjangoModelFactory):
    class Meta:
        model = DiplomaOption

    diploma = factory.SubFactory(DiplomaFactory)
    code = factory.Sequence(lambda n: f"opt-{n}")
    name = factory.Sequence(lambda n: f"Option {n}")


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = Cohort

    diploma = factory.SubFactory(DiplomaFactory)
    entry_year = factory.SubFactory(AcademicYearFactory)
    label = factory.LazyAttribute(lambda o: f"Promotion {o.entry_year.label}")


class CalendarFactory(DjangoModelFactory):
    """An alternance calendar whose periods alternate school and company, four weeks each, over
    the whole academic year (``periods=N`` keeps the first N)."""

    class Meta:
        model = AlternanceCalendar
        skip_postgeneration_save = True

    diploma = factory.SubFactory(DiplomaFactory)
    academic_year = factory.SubFactory(AcademicYearFactory)
    year_of_study = 1

    @factory.post_generation
    def periods(self, create, extracted, **kwargs):
        if not create:
            return
        rows = []
        start = self.academic_year.start_date
        kinds = [AlternancePeriod.Kind.SCHOOL, AlternancePeriod.Kind.COMPANY]
        while start <= self.academic_year.end_date and (extracted is None or len(rows) < extracted):
            end = min(start + datetime.timedelta(days=27), self.academic_year.end_date)
            kind = kinds[len(rows) % 2]
            rows.append(AlternancePeriod(calendar=self, kind=kind, start_date=start, end_date=end))
            start = end + datetime.timedelta(days=1)
        AlternancePeriod.objects.bulk_create(rows)


class ApprenticeFactory(DjangoModelFactory):
    """An adult apprentice in a cohort of their organisation; Traits ``minor`` and ``rqth``."""

    class Meta:
        model = Apprentice
        # The trait takes the field's name, so the field is declared as ``has_rqth``.
        rename = {"has_rqth": "rqth"}

    class Params:
        minor = factory.Trait(birth_date=factory.LazyFunction(lambda: years_ago(16)))
        rqth = factory.Trait(has_rqth=True)

    organisation = factory.SubFactory(OrganisationFactory)
    user = None
    first_name = factory.Sequence(lambda n: f"Apprentie{n}")
    last_name = factory.Sequence(lambda n: f"Famille{n}")
    birth_date = factory.LazyFunction(lambda: years_ago(20))
    sex = Apprentice.Sex.FEMALE
    email = factory.Sequence(lambda n: f"apprenti{n}@exemple.test")
    postal_code = "93200"
    city = "Saint-Denis"
    has_rqth = False
    cohort = factory.SubFactory(CohortFactory, diploma__organisation=factory.SelfAttribute("...organisation"))


class LegalRepresentativeFactory(DjangoModelFactory):
    class Meta:
        model = LegalRepresentative

    apprentice = factory.SubFactory(ApprenticeFactory, minor=True)
    first_name = factory.Sequence(lambda n: f"Parent{n}")
    last_name = factory.SelfAttribute("apprentice.last_name")
    relationship = "Mère"
    email = factory.Sequence(lambda n: f"parent{n}@exemple.test")


class ContractFactory(DjangoModelFactory):
    """An active contract that started about seven months ago, for the apprentice's diploma;
    Traits ``ruptured`` and ``completed``."""

    class Meta:
        model = Contract

    class Params:
        ruptured = factory.Trait(
            status=Contract.Status.RUPTURED,
            rupture_date=factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=60)),
            rupture_cause=Contract.RuptureCause.MUTUAL,
        )
        completed = factory.Trait(
            status=Contract.Status.COMPLETED,
            start_date=factory.LazyFunction(lambda: years_ago(2, days=60)),
            planned_end_date=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60)),
            hours_done=factory.SelfAttribute("hours_planned"),
        )

    apprentice = factory.SubFactory(ApprenticeFactory)
    diploma = factory.SelfAttribute("apprentice.cohort.diploma")
    employer = factory.SubFactory(
        EmployerFactory, organisation=factory.SelfAttribute("..apprentice.organisation")
    )
    company_tutor = factory.SubFactory(CompanyTutorFactory, employer=factory.SelfAttribute("..employer"))
    school_tutor = factory.SubFactory(
        SchoolTutorFactory, organisation=factory.SelfAttribute("..apprentice.organisation")
    )
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=210))
    planned_end_date = factory.LazyAttribute(lambda o: years_ago(-2, today=o.start_date))
    hours_planned = 800
    hours_done = 250


def cohort_started(diploma, days_ago: int) -> Cohort:
    """A cohort of ``diploma`` whose training started ``days_ago`` (2 or more) days ago, whatever today
    is: the legal delays of the apprentices without a contract are counted from that day. Its entry
    "year" lasts one day, so that it is never taken for the current academic year."""
    start = timezone.localdate() - datetime.timedelta(days=days_ago)
    year = AcademicYearFactory(
        label=f"{2100 + days_ago}-{2101 + days_ago}",
        start_date=start,
        end_date=start + datetime.timedelta(days=1),
    )
    return Cohort.objects.get_or_create(
        diploma=diploma, entry_year=year, defaults={"label": f"Entrée il y a {days_ago} jours"}
    )[0]
