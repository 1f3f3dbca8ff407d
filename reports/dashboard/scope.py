"""What one person's dashboard is about: the records they may see, narrowed by its filters.

Everything starts from the contracts the person may see (``Contract.objects.visible_to``): the whole
organisation for its staff, their diplomas for a head of diploma, the apprentices they follow for a
school tutor. The figures and the alerts read their rows from here only, and so does the staff home:
one scope, one set of rows, one number per definition.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode

from apprentices import status
from apprentices.models import Apprentice, Contract, running_on
from core.filters import chosen, chosen_param
from core.models import AcademicYear
from quality.models import year_as_of

# The statuses the dashboard reads apprentice by apprentice: its figures « Apprentis sans contrat » and
# « Rupturants », its alerts « Apprentis sans contrat » and « Délais légaux » (a legal delay runs for
# these three only).
WATCHED = (status.TrainingStatus.ENROLLED, status.TrainingStatus.RUPTURED, status.TrainingStatus.DROPPED_OUT)


@dataclass
class Scope:
    """A year, and optional diploma, cohort and school tutor (the cohort and the tutor: one, or those
    a typed name found, ``core.filters.NameMatches``)."""

    user: object
    year: AcademicYear
    today: datetime.date
    diploma: object | None = None
    cohort: object | None = None
    school_tutor: object | None = None
    invalid: bool = False  # a filter made no sense: every figure and list is empty

    @classmethod
    def default(cls, user, today: datetime.date) -> Scope | None:
        """The whole of what ``user`` sees, for the current academic year (or the latest one)."""
        year = AcademicYear.objects.current(today)
        return cls(user=user, year=year, today=today) if year is not None else None

    @property
    def as_of(self) -> datetime.date:
        """The day the year's figures are taken: today, or the year's last day once it is over."""
        return year_as_of(self.year, self.today)

    @property
    def is_current(self) -> bool:
        return self.year.start_date <= self.today <= self.year.end_date

    def list_url(self, name: str, **params) -> str:
        """A list page narrowed as this dashboard is: the figure's records, one click away."""
        query = {
            "diploma": self.diploma.pk if self.diploma else None,
            "cohort": chosen_param(self.cohort) if self.cohort else None,
            "school_tutor": chosen_param(self.school_tutor) if self.school_tutor else None,
            **params,
        }
        return f"{reverse(name)}?{urlencode({k: v for k, v in query.items() if v is not None})}".rstrip("?")

    def contracts(self):
        """Every contract this dashboard may count (any year), each once: along a path that could reach
        one twice (a head's diplomas), through a subquery of keys (``visible_one_to``), so that the
        aggregates over them stay simple."""
        if self.invalid:
            return Contract.objects.none()
        return Contract.objects.visible_one_to(self.user).filter(self._narrowed())

    def running_contracts(self):
        """Contracts running today: the ones alerts are about."""
        return self.contracts().filter(self._running())

    def of_contracts(self, documents, *, running: bool = False):
        """``documents`` (sheets, missions: rows with a ``contract``) of this scope's contracts, or of
        those running today.

        When the person sees contracts along one path that gives each contract once (the staff and the
        administrators: the diploma's organisation), it is a join along it; otherwise the contracts'
        keys, in a subquery. At 20,000 apprentices, ``contract_id IN (the organisation's contracts)``
        made PostgreSQL hash the network's 20,813 contracts with their diplomas for each document query
        of the dashboard (about 10 ms each); the join reads the contracts of the documents found."""
        reach = None if self.invalid else Contract.objects.reached_through(self.user, "contract__")
        if reach is None:
            contracts = self.running_contracts() if running else self.contracts()
            return documents.filter(contract__in=contracts)
        reach &= self._narrowed("contract__")
        if running:
            reach &= self._running("contract__")
        return documents.filter(reach)

    def _narrowed(self, prefix: str = "") -> Q:
        """The filters chosen (diploma, cohort, school tutor), on contracts reached by ``prefix``."""
        narrowed = Q()
        if self.diploma is not None:
            narrowed &= Q(**{f"{prefix}diploma": self.diploma})
        if self.cohort is not None:
            narrowed &= Q(**chosen(f"{prefix}apprentice__cohort", self.cohort))
        if self.school_tutor is not None:
            narrowed &= Q(**chosen(f"{prefix}school_tutor", self.school_tutor))
        return narrowed

    def _running(self, prefix: str = "") -> Q:
        """Contracts active and running today, reached by ``prefix``."""
        return Q(**{f"{prefix}status": Contract.Status.ACTIVE}) & running_on(self.today, prefix)

    def apprentices(self):
        """The apprentices this dashboard may count: those the person sees, of the diploma or the
        cohort chosen (the cohort's diploma: an apprentice without a contract has no other), or those
        with a contract followed by the school tutor chosen."""
        if self.invalid:
            return Apprentice.objects.none()
        apprentices = Apprentice.objects.visible_one_to(self.user)
        if self.diploma is not None:
            apprentices = apprentices.filter(cohort__diploma=self.diploma)
        if self.cohort is not None:
            apprentices = apprentices.filter(**chosen("cohort", self.cohort))
        if self.school_tutor is not None:
            followed = self.contracts().filter(apprentice=OuterRef("pk"))
            apprentices = apprentices.filter(Exists(followed))
        return apprentices

    def apprentices_with_status(self, day: datetime.date | None = None):
        """:meth:`apprentices` with their status of the Tableau de bord on ``day`` (today)."""
        return status.annotate(self.apprentices(), day or self.today)

    def statuses(self, day: datetime.date | None = None) -> dict[int, status.StatusRow]:
        """Each apprentice of the scope whose status of the Tableau de bord on ``day`` (today) is one the
        dashboard reads apprentice by apprentice (:data:`WATCHED`), with whether a contract is signed to
        start later and the legal delay counted. One query, read once per scope and day: the status
        counts and the alerts « Apprentis sans contrat » and « Délais légaux » share it, where each
        evaluated the statuses of every apprentice (three times the cost on the dashboard). The others
        (under contract, finished: most of a network) stay in the database: at 20,000 apprentices the
        dashboard read 20,000 rows to keep 2,629 (62 → 35 ms). Today's statuses come from the rows
        Celery stores (``apprentices.StatusSnapshot``), the few without one judged from their contracts
        (:func:`apprentices.status.rows_among`)."""
        day = day or self.today
        cache = self.__dict__.setdefault("_statuses", {})
        if day not in cache:
            cache[day] = status.rows_among(self.apprentices(), day, WATCHED)
        return cache[day]

    def status_counts(self, day: datetime.date | None = None) -> dict[str, int]:
        """How many apprentices of the scope have each status of :data:`WATCHED` on ``day`` (today):
        counted from :meth:`statuses` when a page read them already (the dashboard's alerts), else
        grouped in SQL (one query, no row read: the staff home, a past year's figures)."""
        day = day or self.today
        counts = dict.fromkeys(WATCHED, 0)
        read = self.__dict__.get("_statuses", {}).get(day)
        if read is not None:
            counts.update(Counter(row.value for row in read.values()))
        else:
            grouped = (
                self.apprentices_with_status(day)
                .filter(training_status__in=WATCHED)
                .order_by()
                .values_list("training_status")
                .annotate(n=Count("pk"))
            )
            counts.update(dict(grouped))
        return counts
