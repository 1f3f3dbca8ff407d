"""Computing the indicators through :mod:`quality.services.computation` and its command: the same rows
twice, runs on commit, one run at a time, stale runs, failures that keep the previous values."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apprentices.models import Diploma
from core.workflow import Refusal
from quality.indicators import INDICATORS
from quality.models import ComputationRun, IndicatorValue
from quality.services import computation
from tests.quality import quality_services_support

# Shared fixtures: pytest finds a fixture by its name in the test module.
_media = quality_services_support._media


# Computations ------------------------------------------------------------------------------------


def value_rows():
    return sorted(
        IndicatorValue.objects.values_list(
            "pk", "diploma", "academic_year", "indicator", "numerator", "denominator", "value"
        )
    )


def test_computing_twice_gives_the_same_rows_with_the_same_ids(world):
    computation.compute_indicators(year=world.academic_year)
    first = value_rows()

    computation.compute_indicators(year=world.academic_year)

    assert value_rows() == first
    assert len(first) == Diploma.objects.count() * len(INDICATORS)


def test_a_requested_computation_runs_on_commit_and_is_done(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = computation.request_computation(
            organisation_id=world.organisation.pk, year=world.academic_year, by=world.users["staff"]
        )

    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.error) == ("done", len(INDICATORS), len(INDICATORS), "")
    organisation_diplomas = Diploma.objects.filter(organisation=world.organisation).count()
    assert run.rows == organisation_diplomas * len(INDICATORS)
    assert not IndicatorValue.objects.filter(diploma=world.foreign.diploma).exists()


def test_a_second_computation_while_one_runs_is_refused(world):
    organisation, year = world.organisation.pk, world.academic_year
    first = computation.request_computation(organisation_id=organisation, year=year)  # queued, not run

    with pytest.raises(Refusal, match="déjà en cours"):
        computation.request_computation(organisation_id=organisation, year=year)

    assert list(ComputationRun.objects.values_list("pk", "status")) == [(first.pk, "queued")]


def test_a_stale_run_is_marked_failed_and_a_new_one_is_accepted(world, settings):
    organisation, year = world.organisation.pk, world.academic_year
    stale = ComputationRun.objects.create(
        organisation_id=organisation,
        academic_year=year,
        status=ComputationRun.Status.RUNNING,
        requested_at=timezone.now() - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT + 60),
    )

    run = computation.request_computation(organisation_id=organisation, year=year)

    stale.refresh_from_db()
    assert (stale.status, stale.error) == ("failed", "Interrompu (le calcul ne répondait plus).")
    assert run.status == "queued" and run.pk != stale.pk


def test_a_recent_running_run_is_not_taken_for_stale(world, settings):
    organisation, year = world.organisation.pk, world.academic_year
    ComputationRun.objects.create(
        organisation_id=organisation,
        academic_year=year,
        status=ComputationRun.Status.RUNNING,
        requested_at=timezone.now() - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT - 60),
        lease_token="vivant",
        lease_expires_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    with pytest.raises(Refusal, match="déjà en cours"):
        computation.request_computation(organisation_id=organisation, year=year)


def test_a_failing_computation_keeps_the_previous_values_and_says_why(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    computation.compute_indicators(year=world.academic_year)
    before = sorted(IndicatorValue.objects.values_list("pk", "indicator", "value", "computed_at"))

    def broken(*args, **kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(INDICATORS["rupture_rate"], "compute", broken)
    with django_capture_on_commit_callbacks(execute=True):
        run = computation.request_computation(organisation_id=world.organisation.pk, year=world.academic_year)

    run.refresh_from_db()
    assert run.status == ComputationRun.Status.FAILED
    assert run.error == "Le calcul a échoué (RuntimeError) : les valeurs précédentes sont conservées."
    assert run.finished_at is not None
    assert sorted(IndicatorValue.objects.values_list("pk", "indicator", "value", "computed_at")) == before
    monkeypatch.undo()
    computation.request_computation(organisation_id=world.organisation.pk, year=world.academic_year)


def test_the_command_computes_one_year_and_one_diploma(world, capsys):
    call_command("compute_indicators", year=world.academic_year.label, diploma=world.mine.diploma.code)

    assert set(IndicatorValue.objects.values_list("diploma", "academic_year").distinct()) == {
        (world.mine.diploma.pk, world.academic_year.pk)
    }
    assert IndicatorValue.objects.count() == len(INDICATORS)
    assert f"{len(INDICATORS)} valeurs calculées, année" in capsys.readouterr().out


def test_the_command_without_arguments_computes_the_running_year_for_every_diploma(world):
    call_command("compute_indicators", quiet=True)
    assert IndicatorValue.objects.filter(academic_year=world.academic_year).count() == 3 * len(INDICATORS)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"year": "1999-2000"}, "Année scolaire inconnue : 1999-2000"),
        ({"diploma": "NOPE"}, "Formation inconnue : NOPE"),
    ],
)
def test_the_command_refuses_an_unknown_year_or_diploma(world, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("compute_indicators", **options)
    assert not IndicatorValue.objects.exists()
