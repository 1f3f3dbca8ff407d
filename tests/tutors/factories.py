import factory
from factory.django import DjangoModelFactory

from core.models import Role
from tests.core.factories import OrganisationFactory, UserFactory
from tests.employers.factories import EmployerFactory
from tutors.models import CompanyTutor, SchoolTutor


class CompanyTutorFactory(DjangoModelFactory):
    """Maître d'apprentissage, without an account unless ``user`` is given."""

    class Meta:
        model = CompanyTutor

    employer = factory.SubFactory(EmployerFactory)
    user = None
    first_name = factory.Sequence(lambda n: f"Tutrice{n}")
    last_name = factory.Sequence(lambda n: f"Entreprise{n}")
    email = factory.Sequence(lambda n: f"tuteur{n}@entreprise.test")
    job_title = "Cheffe de projet"
    years_of_experience = 5


class SchoolTutorFactory(DjangoModelFactory):
    """Tuteur pédagogique: always has an account of its organisation."""

    class Meta:
        model = SchoolTutor

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..organisation"), roles=[Role.SCHOOL_TUTOR]
    )
    job_title = "Enseignant"
    department = "Informatique"
