"""``visible_one_to``: the objects of ``visible_to`` without ``DISTINCT``, for the detail pages that fetch
one object by its key. Same objects for every role and for a person holding several (where one object
is reached along several paths), each fetched once."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role
from core.perms import VisibleQuerySet
from tests.conftest import ROLES
from tests.core.factories import UserFactory
from tests.livret.factories import LiaisonSheetFactory, MissionDescriptionFactory, VisitReportFactory

MODELS = [
    model
    for model in apps.get_models()
    if isinstance(model._default_manager.all(), VisibleQuerySet) and model._default_manager.all().visibility
]


def test_the_detail_pages_models_are_covered():
    names = {model._meta.label for model in MODELS}
    detail = {"livret.LiaisonSheet", "apprentices.Contract", "apprentices.Apprentice", "employers.Employer"}
    assert detail <= names


@pytest.fixture
def documents(world):
    for chain in (world.mine, world.other, world.foreign):
        LiaisonSheetFactory(contract=chain.contract)
        VisitReportFactory(contract=chain.contract)
        MissionDescriptionFactory(contract=chain.contract)
    return world


def people(world):
    many = UserFactory(
        organisation=world.organisation, roles=[Role.STAFF, Role.HEAD_OF_DIPLOMA, Role.SCHOOL_TUTOR]
    )
    # Head of two diplomas and staff: each object of the organisation is reached along two paths.
    world.mine.diploma.heads.add(many)
    world.other.diploma.heads.add(many)
    many.__dict__.pop("roles", None)
    return [*(world.users[role] for role in ROLES), many]


@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_the_same_objects_each_fetched_once_without_distinct(documents, model):
    manager = model._default_manager
    for user in people(documents):
        visible = set(manager.visible_to(user).values_list("pk", flat=True))
        assert set(manager.visible_one_to(user).values_list("pk", flat=True)) == visible
        for pk in visible:
            with CaptureQueriesContext(connection) as queries:
                assert manager.visible_one_to(user).get(pk=pk).pk == pk
            assert "DISTINCT" not in queries[-1]["sql"]
        hidden = manager.exclude(pk__in=visible).values_list("pk", flat=True)[:3]
        for pk in hidden:
            assert not manager.visible_one_to(user).filter(pk=pk).exists()
