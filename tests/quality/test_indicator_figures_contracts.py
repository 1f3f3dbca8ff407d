"""The figures of the charter's contract indicators (poste 4) on a tiny dataset, worked out by hand:
ruptures (a rupture after the diploma is none), within nine months, interruptions, success per
apprentice and hours. Academic year 2024-2025, figures taken on its last day."""

from __future__ import annotations

from decimal import Decimal

from apprentices.models import Contract
from quality.indicators import Figure
from tests.quality import indicator_figures_support
from tests.quality.indicator_figures_support import FAILED, OBTAINED, D, assert_records_behind, figure

# Shared fixtures: pytest finds a fixture by its name in the test module.
place = indicator_figures_support.place
year = indicator_figures_support.year


# Poste 4: contracts ---------------------------------------------------------------------------------


def test_rupture_rate_counts_ruptures_of_the_year_but_not_a_rupture_after_the_diploma(place):
    place.contract()  # active all year: in the population
    place.ruptured(D(2024, 9, 2), D(2025, 1, 15))  # ruptured in the year: counted
    place.ruptured(D(2024, 9, 2), D(2025, 8, 31))  # ruptured on as_of: counted
    # Ruptured on 15 July, after the diploma obtained on 30 June: in the population, not counted.
    place.ruptured(
        D(2023, 9, 4),
        D(2025, 7, 15),
        D(2025, 8, 31),
        diploma_outcome=OBTAINED,
        diploma_outcome_date=D(2025, 6, 30),
    )
    place.ruptured(D(2023, 9, 4), D(2024, 6, 28))  # ruptured before the year: not in the population
    place.contract(D(2025, 9, 1), D(2027, 8, 31))  # starts after the year: not in the population

    result = figure("rupture_rate", place)

    # 2 ruptured (15/01, 31/08) of 4 contracts running in the year → 50.0 %
    assert result == Figure(2, 4, Decimal("50.0"))
    assert_records_behind("rupture_rate", place, result)


def test_rupture_rate_9_months_counts_the_day_before_nine_months_and_not_the_day_itself(place):
    place.ruptured(D(2024, 9, 16), D(2025, 6, 15))  # day before 16/06/2025 (9 months): counted
    place.ruptured(D(2024, 9, 16), D(2025, 6, 16))  # on the 9-month day: in, not counted
    place.contract(D(2024, 10, 1))  # 9 months old on as_of, not ruptured: in, not counted
    place.ruptured(D(2025, 2, 3), D(2025, 4, 1))  # under 9 months old but already ruptured: counted
    place.contract(D(2025, 3, 3))  # not yet 9 months old (needs start ≤ 30/11/2024): out
    place.ruptured(D(2023, 10, 2), D(2024, 1, 10))  # started before the year: out

    result = figure("rupture_rate_9_months", place)

    # 2 ruptured within 9 months (15/06, 01/04) of 4 → 50.0 %
    assert result == Figure(2, 4, Decimal("50.0"))
    assert_records_behind("rupture_rate_9_months", place, result)


def test_interruption_rate_counts_abandons_ended_in_the_year(place):
    abandoned = Contract.Status.ABANDONED
    place.contract(status=abandoned, rupture_date=D(2025, 2, 10))  # abandoned on 10/02: counted
    place.contract(D(2023, 9, 4), D(2025, 6, 30), status=abandoned)  # ends 30/06 (planned): counted
    place.contract()  # active: in, not counted
    place.ruptured(D(2024, 9, 2), D(2025, 3, 1))  # a rupture is no abandon: in, not counted
    place.contract(D(2022, 9, 5), D(2024, 8, 30), status=abandoned, rupture_date=D(2024, 5, 10))  # before

    result = figure("interruption_rate", place)

    # 2 abandons of 4 contracts running in the year → 50.0 %
    assert result == Figure(2, 4, Decimal("50.0"))
    assert_records_behind("interruption_rate", place, result)


def success_dataset(place):
    twice = place.apprentice()
    # One apprentice, two contracts, both with the diploma obtained: one apprentice admitted.
    place.contract(
        D(2023, 9, 4),
        D(2025, 8, 31),
        apprentice=twice,
        diploma_outcome=OBTAINED,
        diploma_outcome_date=D(2025, 7, 1),
    )
    place.contract(
        D(2024, 1, 8),
        D(2025, 8, 31),
        apprentice=twice,
        diploma_outcome=OBTAINED,
        diploma_outcome_date=D(2025, 7, 1),
    )
    # Failed, no outcome date: its result falls on the planned end, 31/08/2025, in the year.
    place.contract(D(2023, 9, 4), D(2025, 8, 31), diploma_outcome=FAILED)
    place.contract(
        D(2023, 9, 4), D(2025, 8, 31), diploma_outcome=OBTAINED, diploma_outcome_date=D(2025, 6, 30)
    )
    # Obtained the year before, and a result still unknown: neither is in the population.
    place.contract(
        D(2022, 9, 5), D(2024, 8, 31), diploma_outcome=OBTAINED, diploma_outcome_date=D(2024, 7, 1)
    )
    place.contract(D(2023, 9, 4), D(2025, 8, 31))


def test_success_rate_counts_an_apprentice_with_two_contracts_once(place):
    success_dataset(place)

    # Apprentices presented: the one with two contracts, the failed one, the other admitted = 3;
    # admitted: 2 → 66.7 %
    assert figure("success_rate", place) == Figure(2, 3, Decimal("66.7"))


def test_success_rate_records_are_the_apprentices_behind_the_figure(place):
    success_dataset(place)
    result = figure("success_rate", place)

    # One row per apprentice presented (3), of which 2 admitted, as the figure counts them.

    assert_records_behind("success_rate", place, result)


def test_hours_realisation_sums_hours_of_the_contracts_running_in_the_year(place):
    place.contract(hours_planned=800, hours_done=250)
    place.contract(D(2023, 9, 4), D(2025, 6, 30), hours_planned=400, hours_done=400)
    place.contract(hours_planned=0, hours_done=0)  # no hours planned: left out
    place.contract(D(2022, 9, 5), D(2024, 8, 30), hours_planned=900, hours_done=900)  # ended before

    # (250 + 400) h done ÷ (800 + 400) h planned = 650 / 1200 = 54.166… → 54.2 %
    assert figure("hours_realisation", place) == Figure(650, 1200, Decimal("54.2"))
