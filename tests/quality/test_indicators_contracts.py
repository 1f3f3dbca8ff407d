"""The charter's contract indicators, each on a small dataset with its figure worked out by hand:
ruptures (in the year, within nine months), interruptions, success and hours.

Every test takes the academic year 2025-2026 (1 September 2025 to 31 August 2026) on ``AS_OF``, 30 June
2026, unless it says otherwise; contracts are named after what they test, their apprentice's last name
heading each record's label, so that the records are checked by name.
"""

from __future__ import annotations

from decimal import Decimal

from apprentices.models import Contract
from quality.indicators import INDICATORS, Figure
from tests.quality import indicators_support
from tests.quality.indicators_support import (
    AS_OF,
    FAILED,
    OBTAINED,
    YEAR_END,
    contract,
    date,
    figure,
    flags,
    ruptured,
)

# Shared fixtures: pytest finds a fixture by its name in the test module.
diploma = indicators_support.diploma
year = indicators_support.year


# Contracts: ruptures, interruptions, success, hours -----------------------------------------------


def test_rupture_rate_counts_the_years_ruptures_among_the_contracts_active_in_it(diploma, year):
    contract(diploma, "Actif", date(2025, 9, 1))
    contract(diploma, "Rompu", date(2025, 9, 1), **ruptured(date(2025, 12, 15)))
    contract(diploma, "Sansdate", date(2025, 9, 1), **ruptured(date(2026, 3, 1)), diploma_outcome=OBTAINED)
    contract(diploma, "Apres", date(2025, 9, 1), **ruptured(date(2026, 7, 10)))
    contract(
        diploma, "Abandon", date(2025, 9, 1), status=Contract.Status.ABANDONED, rupture_date=date(2026, 2, 1)
    )
    contract(diploma, "Termine", date(2023, 9, 15), date(2025, 9, 14), status=Contract.Status.COMPLETED)
    # Not active in the year: over before it, ruptured before it, not started on AS_OF.
    contract(diploma, "Ancien", date(2023, 9, 1), date(2025, 8, 31), status=Contract.Status.COMPLETED)
    contract(diploma, "Rompuavant", date(2024, 9, 1), **ruptured(date(2025, 8, 31)))
    contract(diploma, "Futur", date(2026, 7, 1))

    # Ruptured in the year by AS_OF: Rompu, Sansdate (diploma obtained, on an unknown day: the rupture
    # is not known to follow it). Active: Actif, Rompu, Sansdate, Apres, Abandon, Termine (1-14 Sept.)
    # → 2 of 6 = 33.3 %
    assert figure("rupture_rate", diploma, year) == Figure(2, 6, Decimal("33.3"))


def test_rupture_after_the_diploma_is_obtained_is_not_a_rupture(diploma, year):
    after = {"diploma_outcome": OBTAINED, "diploma_outcome_date": date(2026, 6, 10)}
    contract(diploma, "Diplome", date(2024, 9, 1), **ruptured(date(2026, 6, 20)), **after)
    contract(diploma, "Memejour", date(2024, 9, 1), **ruptured(date(2026, 6, 10)), **after)
    contract(diploma, "Avant", date(2024, 9, 1), **ruptured(date(2026, 6, 1)), **after)

    indicator = INDICATORS["rupture_rate"]
    # Only Avant broke off before its diploma (1 June < 10 June); the other two stay in the
    # denominator as active contracts → 1 of 3 = 33.3 %
    assert figure("rupture_rate", diploma, year) == Figure(1, 3, Decimal("33.3"))
    records = indicator.records(diploma, year, AS_OF)
    assert flags(records) == {"AVANT": True, "DIPLOME": False, "MEMEJOUR": False}
    assert [r.detail for r in records if r.counted] == ["rompu le 01/06/2026"]


def test_rupture_rate_records_are_the_active_contracts_flagged_when_ruptured(diploma, year):
    contract(diploma, "Actif", date(2025, 9, 1))
    contract(diploma, "Rompu", date(2025, 9, 1), **ruptured(date(2025, 12, 15)))
    contract(diploma, "Apres", date(2025, 9, 1), **ruptured(date(2026, 7, 10)))
    contract(diploma, "Ancien", date(2023, 9, 1), date(2025, 8, 31), status=Contract.Status.COMPLETED)

    records = INDICATORS["rupture_rate"].records(diploma, year, AS_OF)

    # 1 ruptured (Rompu) of 3 active: the records are those 3, one counted.
    assert flags(records) == {"ACTIF": False, "APRES": False, "ROMPU": True}
    assert figure("rupture_rate", diploma, year) == Figure(1, 3, Decimal("33.3"))


def test_nine_month_rupture_counts_the_day_before_nine_months_not_the_day_itself(diploma, year):
    contract(diploma, "Veille", date(2025, 10, 15), **ruptured(date(2026, 7, 14)))
    contract(diploma, "Jour", date(2025, 10, 15), **ruptured(date(2026, 7, 15)))

    indicator = INDICATORS["rupture_rate_9_months"]
    # Started 15 October 2025, nine months on 15 July 2026: broken off on the 14th is within them,
    # on the 15th is not → 1 of 2 = 50.0 %
    assert indicator.compute([diploma.pk], year, YEAR_END)[diploma.pk] == Figure(1, 2, Decimal("50.0"))
    assert flags(indicator.records(diploma, year, YEAR_END)) == {"JOUR": False, "VEILLE": True}


def test_nine_month_rupture_rate_takes_the_contracts_started_in_the_year_with_nine_months_behind_them(
    diploma, year
):
    contract(diploma, "Veille", date(2025, 10, 15), **ruptured(date(2026, 7, 14)))
    contract(diploma, "Actif", date(2025, 9, 1))
    contract(diploma, "Jeune", date(2026, 2, 1), **ruptured(date(2026, 4, 1)))
    contract(diploma, "Neufmois", date(2025, 11, 30))
    contract(
        diploma,
        "Diplome",
        date(2025, 9, 10),
        **ruptured(date(2026, 5, 1)),
        diploma_outcome=OBTAINED,
        diploma_outcome_date=date(2026, 4, 20),
    )
    # Out: under nine months old on 31 August 2026 and not ruptured, or started the year before.
    contract(diploma, "Huitmois", date(2025, 12, 1))
    contract(diploma, "Precedent", date(2025, 8, 20), **ruptured(date(2025, 10, 1)))

    # On 31 August 2026, nine months back is 30 November 2025. Started in the year: Veille, Actif,
    # Neufmois (30 Nov.), Diplome, and Jeune (under nine months old but already broken off). Ruptured
    # within nine months: Veille, Jeune (Diplome broke off after its diploma) → 2 of 5 = 40.0 %
    assert figure("rupture_rate_9_months", diploma, year, YEAR_END) == Figure(2, 5, Decimal("40.0"))


def test_interruption_rate_counts_the_abandons_that_ended_in_the_year(diploma, year):
    abandoned = Contract.Status.ABANDONED
    contract(diploma, "Abandon", date(2025, 9, 1), status=abandoned, rupture_date=date(2026, 1, 10))
    contract(diploma, "Sansdate", date(2024, 4, 1), date(2026, 3, 31), status=abandoned)
    contract(diploma, "Encours", date(2025, 9, 1), date(2027, 8, 31), status=abandoned)
    contract(diploma, "Rompu", date(2025, 9, 1), **ruptured(date(2026, 2, 1)))
    contract(diploma, "Actif", date(2025, 9, 1))
    contract(diploma, "Ancien", date(2024, 9, 1), status=abandoned, rupture_date=date(2025, 8, 20))

    # Abandons ended by AS_OF: Abandon (10 Jan.), Sansdate (no date: its planned end, 31 March).
    # Active: Abandon, Sansdate, Encours, Rompu, Actif → 2 of 5 = 40.0 %
    assert figure("interruption_rate", diploma, year) == Figure(2, 5, Decimal("40.0"))


def test_success_rate_counts_apprentices_not_contracts(diploma, year):
    contract(
        diploma, "Admis", date(2024, 9, 1), diploma_outcome=OBTAINED, diploma_outcome_date=date(2026, 6, 15)
    )
    contract(
        diploma, "Ajourne", date(2024, 9, 1), diploma_outcome=FAILED, diploma_outcome_date=date(2026, 6, 15)
    )
    twice = contract(
        diploma,
        "Deuxfois",
        date(2023, 9, 1),
        date(2025, 8, 31),
        status=Contract.Status.COMPLETED,
        diploma_outcome=FAILED,
        diploma_outcome_date=date(2025, 10, 1),
    )
    contract(
        diploma,
        "Deuxfois",
        date(2025, 9, 1),
        date(2026, 6, 30),
        apprentice=twice.apprentice,
        diploma_outcome=OBTAINED,
        diploma_outcome_date=date(2026, 6, 20),
    )
    contract(diploma, "Sansdate", date(2024, 7, 1), date(2026, 6, 30), diploma_outcome=OBTAINED)
    # Out: a result of the year before, none yet, one after AS_OF.
    contract(
        diploma,
        "Anterieur",
        date(2023, 9, 1),
        diploma_outcome=OBTAINED,
        diploma_outcome_date=date(2025, 7, 1),
    )
    contract(diploma, "Inconnu", date(2024, 9, 1))
    contract(
        diploma, "Futur", date(2024, 9, 1), diploma_outcome=OBTAINED, diploma_outcome_date=date(2026, 7, 5)
    )

    indicator = INDICATORS["success_rate"]
    # Presented: Admis, Ajourne, Deuxfois (failed in October, then admitted: one apprentice), Sansdate
    # (no date: its planned end, AS_OF itself). Admitted: Admis, Deuxfois, Sansdate → 3 of 4 = 75.0 %
    # (per contract it would have been 3 of 5).
    assert figure("success_rate", diploma, year) == Figure(3, 4, Decimal("75.0"))
    records = indicator.records(diploma, year, AS_OF)
    assert flags(records) == {"ADMIS": True, "AJOURNE": False, "DEUXFOIS": True, "SANSDATE": True}
    assert len(records) == 4


def test_hours_realisation_sums_hours_done_over_hours_planned(diploma, year):
    contract(diploma, "Partiel", date(2025, 9, 1), hours_planned=800, hours_done=250)
    contract(diploma, "Complet", date(2025, 9, 1), hours_planned=400, hours_done=400)
    contract(diploma, "Sansheures", date(2025, 9, 1), hours_planned=0, hours_done=0)
    contract(diploma, "Ancien", date(2023, 9, 1), date(2025, 8, 31), hours_planned=600, hours_done=600)

    # Active with hours planned: Partiel, Complet → 650 h of 1200 h = 54.2 %
    assert figure("hours_realisation", diploma, year) == Figure(650, 1200, Decimal("54.2"))
    records = INDICATORS["hours_realisation"].records(diploma, year, AS_OF)
    assert [r.detail for r in records] == [
        "400 h réalisées sur 400 h prévues",
        "250 h réalisées sur 800 h prévues",
    ]
