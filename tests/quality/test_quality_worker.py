"""A recomputation requested from the platform, carried out by a real Celery worker through Redis:
the run ends done with its rows, and a second run rewrites the same rows."""

from __future__ import annotations

import time

import pytest

from apprentices.models import Diploma
from quality.indicators import INDICATORS
from quality.models import ComputationRun, IndicatorValue
from quality.services import computation

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def run_to_the_end(world, timeout=60) -> ComputationRun:
    run = computation.request_computation(organisation_id=world.organisation.pk, year=world.academic_year)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if not run.is_active:
            return run
        time.sleep(0.2)
    pytest.fail(f"le calcul n'a pas abouti en {timeout} s (statut : {run.status})")


def value_rows():
    return sorted(
        IndicatorValue.objects.values_list(
            "pk", "diploma", "academic_year", "indicator", "numerator", "denominator", "value"
        )
    )


def test_a_recomputation_is_carried_out_by_a_real_worker(world, real_worker):
    run = run_to_the_end(world)

    assert run.status == ComputationRun.Status.DONE, run.error
    diplomas = Diploma.objects.filter(organisation=world.organisation).count()
    assert run.rows == diplomas * len(INDICATORS) == IndicatorValue.objects.count()
    assert (run.done, run.total) == (len(INDICATORS), len(INDICATORS))
    assert run.started_at is not None and run.finished_at >= run.started_at
    assert not IndicatorValue.objects.filter(diploma=world.foreign.diploma).exists()


def test_two_recomputations_on_a_real_worker_give_the_same_rows(world, real_worker):
    assert run_to_the_end(world).status == ComputationRun.Status.DONE
    first = value_rows()

    second = run_to_the_end(world)

    assert second.status == ComputationRun.Status.DONE, second.error
    assert value_rows() == first
    assert ComputationRun.objects.filter(status=ComputationRun.Status.DONE).count() == 2
