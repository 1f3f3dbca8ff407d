import pytest

from core.models import Role
from tests.apprentices.factories import DiplomaFactory
from tests.core.factories import OrganisationFactory, UserFactory
from tests.interop.factories import CFD, RNCP


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="CFA de l'import")


@pytest.fixture
def diploma(organisation):
    return DiplomaFactory(organisation=organisation, rncp_code=RNCP, cfd_code=CFD)


@pytest.fixture
def staff(organisation):
    user = UserFactory(organisation=organisation, roles=[Role.STAFF], is_staff=True)
    user.__dict__.pop("roles", None)
    return user
