"""A Tableau de bord made stale by a change, computed again by a real Celery worker through Redis: the
page shows what was kept meanwhile, then the new figures without the notice."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from tests.apprentices.factories import ApprenticeFactory, cohort_started
from tests.reports.test_dashboard_kept import STALE, without_contract

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
URL = reverse("reports:dashboard")


def test_a_stale_dashboard_is_computed_again_by_a_real_worker(world, real_worker, client_for, settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    client = client_for(world.users["staff"])
    before = without_contract(client.get(URL))

    # Committed at once (no test transaction here): every kept dashboard is stale.
    ApprenticeFactory(organisation=world.organisation, cohort=cohort_started(world.mine.diploma, 75))
    page = client.get(URL)

    assert STALE in page.text and without_contract(page) == before
    deadline = time.monotonic() + 30
    while STALE in page.text and time.monotonic() < deadline:
        time.sleep(0.2)
        page = client.get(URL)
    assert STALE not in page.text, "le worker n'a pas recalculé le tableau de bord en 30 s"
    assert without_contract(page) == before + 1
