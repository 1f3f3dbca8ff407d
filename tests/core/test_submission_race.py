"""A double click whose two POSTs arrive at the same moment: one visit is planned, the other POST waits
on the token's unique index and goes to it (PostgreSQL only: SQLite serialises writers anyway)."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import submissions
from livret.models import VisitReport
from tests.conftest import build_chain
from tests.core.factories import AcademicYearFactory, OrganisationFactory
from tests.livret.test_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="les verrous de ligne demandent PostgreSQL"),
]


def test_two_posts_of_one_form_at_once_plan_one_visit():
    chain = build_chain(OrganisationFactory(name="CFA des Tests"), AcademicYearFactory(), with_accounts=True)
    url = reverse("livret:visit_plan", args=[chain.contract.pk])
    data = {
        "planned_date": timezone.localdate().isoformat(),
        "mode": "on_site",
        submissions.FIELD: submissions.new_token(),
    }
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(chain.school_tutor.user)

    outcomes = race(*(lambda client=client: client.post(url, data) for client in clients))

    assert [getattr(o, "status_code", o) for o in outcomes] == [302, 302]
    visit = VisitReport.objects.get(contract=chain.contract)
    assert {o["Location"] for o in outcomes} == {visit.get_absolute_url()}
