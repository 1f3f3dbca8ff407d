import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.models import AcademicYear, Organisation, User, UserRole

DEFAULT_PASSWORD = "demo-apprentissage"


def current_academic_year_start(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"CFA numéro {n}")
    kind = Organisation.Kind.BOTH
    uai = "0751234J"
    postal_code = "75005"
    city = "Paris"


class UserFactory(DjangoModelFactory):
    """A person with a verified email address; ``roles=[Role.STAFF]`` grants roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    organisation = None
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for role in extracted:
            UserRole.objects.create(user=self, role=role)
        self.__dict__.pop("roles", None)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """The primary address, verified unless ``verified_email=False``."""
        if not create:
            return
        EmailAddress.objects.create(
            user=self, email=self.email, primary=True, verified=extracted is not False
        )


class AcademicYearFactory(DjangoModelFactory):
    """The current school year by default (September to August)."""

    class Meta:
        model = AcademicYear
        django_get_or_create = ("label",)

    class Params:
        start_year = factory.LazyFunction(current_academic_year_start)

    label = factory.LazyAttribute(lambda o: f"{o.start_year}-{o.start_year + 1}")
    start_date = factory.LazyAttribute(lambda o: datetime.date(o.start_year, 9, 1))
    end_date = factory.LazyAttribute(lambda o: datetime.date(o.start_year + 1, 8, 31))
