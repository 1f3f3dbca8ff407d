"""The nightly recomputation: the running year, and the previous one until its campaign is closed."""

import datetime

from core.models import AcademicYear
from quality.models import Campaign, IndicatorValue
from quality.tasks import compute_all_indicators
from tests.core.factories import AcademicYearFactory


def test_nightly_task_computes_the_running_and_the_previous_year(world):
    running = world.academic_year
    previous = AcademicYearFactory(start_year=running.start_date.year - 1)

    rows = compute_all_indicators(running.start_date.isoformat())

    assert set(IndicatorValue.objects.values_list("academic_year", flat=True).distinct()) == {
        running.pk,
        previous.pk,
    }
    assert rows == IndicatorValue.objects.count()
    assert compute_all_indicators(running.start_date.isoformat()) == rows


def test_nightly_task_leaves_a_closed_year_alone(world):
    running = world.academic_year
    previous = AcademicYearFactory(start_year=running.start_date.year - 1)
    Campaign.objects.create(
        organisation=world.organisation, academic_year=previous, snapshot={"diplomas": []}, sha256="0" * 64
    )

    compute_all_indicators((running.start_date + datetime.timedelta(days=3)).isoformat())

    closed_rows = IndicatorValue.objects.filter(academic_year=previous)
    assert not closed_rows.filter(diploma__organisation=world.organisation).exists()
    assert closed_rows.filter(diploma__organisation=world.other_organisation).exists()
    assert AcademicYear.objects.count() == 2
