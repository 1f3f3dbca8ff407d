import factory
from factory.django import DjangoModelFactory

from employers.models import Employer
from tests.core.factories import OrganisationFactory


def luhn_check_digit(digits: str) -> str:
    """The digit that, appended to ``digits``, makes the whole number pass the Luhn test."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def valid_siret(n: int) -> str:
    """A Luhn-valid SIRET, one per ``n`` (never La Poste's SIREN, which follows another rule)."""
    base = f"4{n:012d}"
    return base + luhn_check_digit(base)


class EmployerFactory(DjangoModelFactory):
    class Meta:
        model = Employer

    organisation = factory.SubFactory(OrganisationFactory)
    legal_name = factory.Sequence(lambda n: f"Entreprise {n}")
    siret = factory.Sequence(valid_siret)
    naf_code = "6201Z"
    address = "1 rue de la Paix"
    postal_code = "75002"
    city = "Paris"
    hr_contact_name = "Service RH"
    hr_contact_email = factory.Sequence(lambda n: f"rh{n}@entreprise.test")
