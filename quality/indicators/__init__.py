"""The indicators the platform computes from its own data, per diploma and academic year: one registry,
by code. See :mod:`quality.indicators.base` for what they share."""

from __future__ import annotations

from quality.indicators.base import MIN_PUBLISHED_POPULATION, Figure, Indicator, Record
from quality.indicators.booklet import (
    ActionsClosedOnTime,
    GridSharedFirstMonth,
    MissionDecidedOnTime,
    MissionMedianDelay,
    MissionsValidated,
    SheetsOnTime,
    SheetsReviewed,
    TutorsTrained,
    TwoMeetingsRule,
    VisitReportsAcknowledged,
)
from quality.indicators.contracts import (
    HoursRealisation,
    InterruptionRate,
    RuptureRate,
    RuptureRateNineMonths,
    SuccessRate,
)
from quality.indicators.jobs import AlumniActive, OffersDiffused, OffersPublished
from quality.indicators.register import (
    CouncilMeetings,
    FollowedIndicators,
    GroupDebriefs,
    InformationMeetings,
    PedagogicalMeetings,
    ReferentsNamed,
    RentreeMeetings,
    SteeringCommittees,
    ThresholdsRevised,
)
from quality.indicators.surveys import (
    ApprenticeSatisfactionResponse,
    ApprenticeSatisfactionScore,
    EmployerSatisfactionResponse,
    EmployerSatisfactionScore,
    EndOfTrainingApprenticeResponse,
    EndOfTrainingTutorResponse,
    Insertion6,
    Insertion12,
    Studies6,
    Studies12,
)

INDICATORS: dict[str, Indicator] = {}
INDICATORS.update(
    (indicator.code, indicator)
    for indicator in (
        # Poste 1: pilotage
        SteeringCommittees(),
        CouncilMeetings(),
        RentreeMeetings(),
        PedagogicalMeetings(),
        FollowedIndicators(registry=INDICATORS),
        ThresholdsRevised(),
        HoursRealisation(),
        ApprenticeSatisfactionResponse(),
        ApprenticeSatisfactionScore(),
        EmployerSatisfactionResponse(),
        EmployerSatisfactionScore(),
        # Poste 2: pré-contractualisation
        InformationMeetings(),
        MissionDecidedOnTime(),
        MissionMedianDelay(),
        MissionsValidated(),
        # Poste 3: suivi pendant la formation
        TutorsTrained(),
        SheetsOnTime(),
        SheetsReviewed(),
        TwoMeetingsRule(),
        GridSharedFirstMonth(),
        ReferentsNamed(),
        VisitReportsAcknowledged(),
        ActionsClosedOnTime(),
        GroupDebriefs(),
        EndOfTrainingApprenticeResponse(),
        EndOfTrainingTutorResponse(),
        # Poste 4: post-formation
        RuptureRate(),
        RuptureRateNineMonths(),
        InterruptionRate(),
        SuccessRate(),
        Insertion6(),
        Insertion12(),
        Studies6(),
        Studies12(),
        OffersPublished(),
        OffersDiffused(),
        AlumniActive(),
    )
)

__all__ = ["INDICATORS", "MIN_PUBLISHED_POPULATION", "Figure", "Indicator", "Record"]
