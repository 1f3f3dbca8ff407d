"""What the tests of the company visits' pages share: who plans, and a contract's visit history. The
statuses, the day and the report text come from ``visits_support``, as for the service tests."""

import datetime

from tests.livret.factories import ActionItemFactory, VisitReportFactory
from tests.livret.visits_support import TODAY

PLANNERS = ("school_tutor", "staff", "admin")


def add_history(contract, n):
    """``n`` held visits of ``contract``, each with two actions, one closed at the next visit."""
    visits = []
    for index in range(n):
        day = TODAY() - datetime.timedelta(days=10 * (n - index))
        visit = VisitReportFactory(
            contract=contract, planned_date=day, acknowledged=index % 2 == 0, reported=True
        )
        for _ in range(2):
            ActionItemFactory(opened_in=visit, due_date=day + datetime.timedelta(days=5))
        visits.append(visit)
    VisitReportFactory(contract=contract, cancelled=True)
    return visits
