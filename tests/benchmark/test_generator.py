"""The synthetic CFA: its apprentices still looking for an employer (enrolled without a contract), and
its booklet's documents dated by their last change."""

import datetime

import pytest
from django.utils import timezone

from apprentices import status
from apprentices.models import Apprentice
from benchmark import cfa
from livret.models import Evaluation, LiaisonSheet, MissionDescription, VisitReport
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


def test_each_generated_document_was_last_changed_at_its_latest_moment_not_at_the_generation():
    """« Livret sans activité » reads when documents changed (``updated_at``): generated at today's
    time, every contract with an evaluation looked active."""
    today = timezone.localdate()
    generated_at = timezone.now()
    cfa.generate(apprentices=40, years=2, seed=5, today=today)

    moments = {
        LiaisonSheet: ("opened_at", "submitted_at", "countersigned_at", "reviewed_at"),
        VisitReport: ("created_at", "reported_at", "acknowledged_at"),
        MissionDescription: ("created_at", "submitted_at", "decided_at"),
        Evaluation: ("created_at", "tutor_submitted_at", "apprentice_submitted_at"),
    }
    for model, names in moments.items():
        rows = list(model.objects.values("updated_at", *names))
        assert rows, model
        for row in rows:
            assert row["updated_at"] == max(row[name] for name in names if row[name] is not None), model
        # Most were last changed well before the generation (weeks or years ago).
        old = sum(row["updated_at"] < generated_at - datetime.timedelta(days=30) for row in rows)
        assert old > len(rows) / 2, model


def test_a_pages_counted_queries_do_not_depend_on_what_ran_before_it():
    """A run on a kept database names no content type before the pages, one that generated it does: the
    pages are counted with the content types read, as a server's worker has them."""
    from django.contrib.contenttypes.models import ContentType

    from benchmark import pages

    data = cfa.generate(apprentices=30, years=1, seed=2, today=timezone.localdate())

    def sheet_queries():
        rows = pages.measure(data.personas, ["apprentice"], 1).rows
        return next(row["queries"] for row in rows if row["page"] == "Fiche de liaison")

    warm = sheet_queries()
    ContentType.objects.clear_cache()
    assert sheet_queries() == warm
