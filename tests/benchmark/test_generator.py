"""The synthetic CFA's apprentices still looking for an employer: enrolled without a contract."""

import datetime

import pytest
from django.utils import timezone

from apprentices import status
from apprentices.models import Apprentice
from benchmark import cfa
from reports import dashboard as board

pytestmark = pytest.mark.django_db


def test_a_late_diplomas_entrants_without_a_contract_are_enrolled_and_on_the_dashboard(monkeypatch):
    # Every diploma late, half of its entrants searching: a small CFA has some.
    monkeypatch.setattr(cfa, "LATE_EVERY", 1)
    monkeypatch.setattr(cfa, "SEARCHING_SHARE", 0.5)
    today = timezone.localdate()
    data = cfa.generate(apprentices=60, years=2, seed=3, today=today)

    apprentices = Apprentice.objects.filter(organisation=data.organisation)
    searching = apprentices.filter(contracts__isnull=True)
    assert searching.exists()
    assert data.personas.apprentice.pk not in set(searching.values_list("pk", flat=True))
    late_start = max(data.years[-1].start_date, today - datetime.timedelta(days=cfa.LATE_ENTRY_DAYS))
    assert {a.cohort.start_date for a in searching} == {late_start}
    assert {a.cohort.entry_year_id for a in searching} == {data.years[-1].pk}

    statuses = dict(status.annotate(apprentices, today).values_list("pk", "training_status"))
    assert {statuses[pk] for pk in searching.values_list("pk", flat=True)} == {status.TrainingStatus.ENROLLED}

    scope = board.Scope(user=data.personas.users["staff"], year=data.years[-1], today=today)
    kinds = {kind.key: kind for kind in board.alerts(scope, stop=100)}
    assert kinds["sans-contrat"].count == searching.count()
