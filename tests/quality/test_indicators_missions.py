"""The charter's mission description indicators, each on a small dataset with its figure worked out by
hand: decisions on time (calendar days in Paris), the median delay and the descriptions validated.

Every test takes the academic year 2025-2026 on ``AS_OF``, 30 June 2026, unless it says otherwise;
records are checked by their apprentice's last name.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from livret.models import MissionDecision
from quality.indicators import INDICATORS, Figure
from tests.core.factories import AcademicYearFactory
from tests.livret.factories import MissionDescriptionFactory
from tests.quality import indicators_support
from tests.quality.indicators_support import AS_OF, MissionStatus, contract, date, decision, figure, paris

# Shared fixtures: pytest finds a fixture by its name in the test module.
diploma = indicators_support.diploma
year = indicators_support.year


# Mission descriptions --------------------------------------------------------------------------------


def test_mission_decided_on_day_7_is_on_time_on_day_8_late_in_paris(diploma, year):
    seventh = MissionDescriptionFactory(
        contract=contract(diploma, "Septieme", date(2025, 9, 1)), academic_year=year
    )
    eighth = MissionDescriptionFactory(
        contract=contract(diploma, "Huitieme", date(2025, 9, 1)), academic_year=year
    )
    decisions = [
        decision(seventh, paris(2025, 10, 1, 23, 30), paris(2025, 10, 8, 22)),
        # 00:30 on 9 October in Paris, 22:30 UTC on the 8th: the 8th calendar day where it counts.
        decision(
            eighth, paris(2025, 10, 1, 23, 30), paris(2025, 10, 9, 0, 30), MissionDecision.Outcome.RETURNED
        ),
    ]

    indicator = INDICATORS["mission_decided_on_time"]
    # 1 of 2 decisions within 7 calendar days → 50.0 %
    assert figure("mission_decided_on_time", diploma, year) == Figure(1, 2, Decimal("50.0"))
    assert [r.counted for r in indicator.records(diploma, year, AS_OF)] == [True, False]
    # The inbox's reading of the deadline agrees.
    assert [d.within_deadline for d in decisions] == [True, False]


def test_missions_waiting_over_7_days_count_in_the_denominator(diploma, year):
    returned = MissionDescriptionFactory(
        contract=contract(diploma, "Renvoyee", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.VALIDATED,
        submitted_at=paris(2025, 10, 10, 9),
    )
    decision(returned, paris(2025, 10, 1, 9), paris(2025, 10, 9, 9), MissionDecision.Outcome.RETURNED)
    decision(returned, paris(2025, 10, 10, 9), paris(2025, 10, 11, 9))
    MissionDescriptionFactory(
        contract=contract(diploma, "Attentehuit", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.SUBMITTED,
        submitted_at=paris(2026, 6, 22, 10),
    )
    MissionDescriptionFactory(
        contract=contract(diploma, "Attentesept", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.SUBMITTED,
        submitted_at=paris(2026, 6, 23, 10),
    )
    after = MissionDescriptionFactory(
        contract=contract(diploma, "Apres", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.VALIDATED,
    )
    decision(after, paris(2026, 6, 25), paris(2026, 7, 2))
    previous = MissionDescriptionFactory(
        contract=contract(diploma, "Precedente", date(2024, 9, 1)),
        academic_year=AcademicYearFactory(start_year=2024),
        status=MissionStatus.VALIDATED,
    )
    decision(previous, paris(2025, 9, 1), paris(2025, 9, 2))

    indicator = INDICATORS["mission_decided_on_time"]
    # Decisions of the year by AS_OF: Renvoyee returned on day 8 (late), then validated on day 1.
    # Waiting on AS_OF: Attentehuit since 22 June (its 8th day: late), Attentesept since 23 June (its
    # 7th day: still in time). Apres was decided after AS_OF, Precedente belongs to 2024-2025.
    # → 1 on time of 2 decisions + 1 late waiting = 1 of 3 = 33.3 %
    assert figure("mission_decided_on_time", diploma, year) == Figure(1, 3, Decimal("33.3"))
    records = indicator.records(diploma, year, AS_OF)
    assert [(r.label.split()[0], r.counted, r.detail) for r in records] == [
        ("RENVOYEE", False, "Renvoyée au 8e jour"),
        ("RENVOYEE", True, "Validée au 1e jour"),
        ("ATTENTEHUIT", False, "en attente depuis 8 jours"),
    ]


def test_mission_median_delay_in_days(diploma, year):
    hours = datetime.timedelta(hours=1)
    for name, delay in (
        ("Demi", 12 * hours),
        ("Deux", 48 * hours),
        ("Trois", 72 * hours),
        ("Neuf", 216 * hours),
    ):
        mission = MissionDescriptionFactory(
            contract=contract(diploma, name, date(2025, 9, 1)), academic_year=year
        )
        decision(mission, paris(2025, 10, 1), paris(2025, 10, 1) + delay)
    late = MissionDescriptionFactory(
        contract=contract(diploma, "Apres", date(2025, 9, 1)), academic_year=year
    )
    decision(late, paris(2026, 6, 25), paris(2026, 7, 5))

    indicator = INDICATORS["mission_median_delay"]
    # Delays 0.5, 2, 3, 9 days (the decision of 5 July comes after AS_OF) → median (2 + 3) / 2 = 2.5 days
    assert figure("mission_median_delay", diploma, year) == Figure(None, 4, Decimal("2.5"))
    records = indicator.records(diploma, year, AS_OF)
    assert [(r.label.split()[0], r.detail) for r in records] == [
        ("DEMI", "0,5 j"),
        ("DEUX", "2 j"),
        ("TROIS", "3 j"),
        ("NEUF", "9 j"),
    ]


def test_missions_validated_counts_the_active_contracts_with_this_years_description_validated(diploma, year):
    MissionDescriptionFactory(
        contract=contract(diploma, "Validee", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.VALIDATED,
    )
    MissionDescriptionFactory(
        contract=contract(diploma, "Soumise", date(2025, 9, 1)),
        academic_year=year,
        status=MissionStatus.SUBMITTED,
        submitted_at=paris(2026, 6, 1),
    )
    MissionDescriptionFactory(
        contract=contract(diploma, "Anneeprec", date(2024, 9, 1)),
        academic_year=AcademicYearFactory(start_year=2024),
        status=MissionStatus.VALIDATED,
    )
    contract(diploma, "Sans", date(2025, 9, 1))
    MissionDescriptionFactory(
        contract=contract(diploma, "Ancien", date(2023, 9, 1), date(2025, 8, 31)),
        academic_year=year,
        status=MissionStatus.VALIDATED,
    )

    # Active: Validee, Soumise, Anneeprec (validated for 2024-2025 only), Sans → 1 of 4 = 25.0 %
    assert figure("missions_validated", diploma, year) == Figure(1, 4, Decimal("25.0"))
