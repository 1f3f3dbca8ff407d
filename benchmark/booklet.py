"""The booklet of the synthetic CFA: what each contract would hold by today, written in bulk a chunk of
contracts at a time.

Liaison sheets per company period in every state with the signatures their state implies, visits
planned and reported with their follow-up actions, mission descriptions and their decisions,
evaluation grids with their ratings. :class:`BookletWriter` is mixed into
:class:`benchmark.cfa.Generator` and reads the CFA it made (contracts, calendars, competences, heads of
diploma, its random generator and its day).
"""

from __future__ import annotations

import datetime

from apprentices.models import AlternancePeriod, Contract
from core.models import Signature
from core.workflow.signatures import signature
from livret.models import (
    ActionItem,
    Evaluation,
    GridSharing,
    LiaisonSheet,
    MissionDecision,
    MissionDescription,
    Rating,
    VisitReport,
)

# Contracts whose booklet is built and written together: bounds the memory at any size.
CHUNK = 1000
SheetStatus = LiaisonSheet.Status
VisitStatus = VisitReport.Status
MissionStatus = MissionDescription.Status
EvaluationStatus = Evaluation.Status

SHEET_TEXT = {
    "activities": "Suivi de chantier, préparation des commandes et mise à jour du planning de l'équipe.",
    "competences_used": "Organisation du travail, communication avec les clients.",
    "difficulties": "Gestion des priorités en fin de mois.",
    "school_company_gap": "Le cours de gestion de projet m'a servi pour le planning.",
}
VISIT_TEXT = {
    "integration": "Bien intégré à l'équipe, apprécié de ses collègues.",
    "missions_adequacy": "Missions en phase avec les blocs de compétences de l'année.",
    "progress": "Autonomie en progrès sur les tâches confiées.",
    "difficulties": "Rien de particulier.",
}
MISSION_TEXT = {
    "missions": "Analyse des besoins, suivi des indicateurs, participation aux réunions d'équipe.",
    "expected_progression": "Autonome sur le suivi des indicateurs en fin d'année.",
    "project_subject": "Amélioration du suivi des commandes",
    "project_description": "Un tableau de bord des commandes partagé avec le service client.",
}


def last_change(*moments: datetime.datetime | None) -> datetime.datetime:
    """When a document last changed: the latest of its moments (opened, submitted, signed, decided…).
    Written into its ``updated_at``, that a save would set to the generation's time."""
    return max(moment for moment in moments if moment is not None)


class BookletWriter:
    """The booklet part of :class:`benchmark.cfa.Generator`."""

    def contract_years(self, contract: Contract):
        """(academic year, year of study) of each year the contract ran in, up to today."""
        entry = contract.apprentice.cohort.entry_year
        end = min(contract.end_date, self.today)
        for year in self.years:
            if year.start_date > end or year.end_date < contract.start_date:
                continue
            year_of_study = int(year.label[:4]) - int(entry.label[:4]) + 1
            if 1 <= year_of_study <= contract.diploma.duration_years:
                yield year, year_of_study

    def make_booklets(self):
        for offset in range(0, len(self.contracts), CHUNK):
            chunk = self.contracts[offset : offset + CHUNK]
            self.make_sheets(chunk)
            self.make_visits(chunk)
            self.make_missions(chunk)
            self.make_evaluations(chunk)
            self.log(f"  livrets : {min(offset + CHUNK, len(self.contracts))}/{len(self.contracts)} contrats")

    def signature(self, document, content, act, *, signer, name, email, via, when) -> Signature:
        return signature(
            document, content, act=act, signer=signer, name=name, email=email, via=via, signed_at=when
        )

    def company_periods(self, contract):
        for year, year_of_study in self.contract_years(contract):
            periods = self.calendar_periods[(contract.diploma_id, year.pk, year_of_study)]
            for index, period in enumerate(periods):
                if period.kind != AlternancePeriod.Kind.COMPANY:
                    continue
                if period.start_date < contract.start_date or period.end_date > contract.end_date:
                    continue
                following = periods[index + 1] if index + 1 < len(periods) else None
                yield year, period, following

    def make_sheets(self, contracts):
        rng = self.rng
        opens = datetime.timedelta(days=7)
        sheets = []
        for contract in contracts:
            for _year, period, following in self.company_periods(contract):
                if period.end_date - opens > self.today:
                    continue
                school_start = following.start_date if following else period.end_date + datetime.timedelta(3)
                due = school_start + datetime.timedelta(days=14)
                draw = rng.random()
                if due < self.today - datetime.timedelta(days=21):
                    status = (
                        SheetStatus.REVIEWED
                        if draw < 0.70
                        else SheetStatus.COUNTERSIGNED
                        if draw < 0.85
                        else SheetStatus.SUBMITTED
                        if draw < 0.91
                        else SheetStatus.RETURNED
                        if draw < 0.94
                        else SheetStatus.DRAFT
                    )
                else:
                    status = (
                        SheetStatus.DRAFT
                        if draw < 0.5
                        else SheetStatus.SUBMITTED
                        if draw < 0.8
                        else SheetStatus.COUNTERSIGNED
                    )
                sheet = LiaisonSheet(
                    contract=contract,
                    period=period,
                    status=status,
                    opened_at=self.stamp(period.end_date - opens, 6),
                    due_date=due,
                )
                if status != SheetStatus.DRAFT or rng.random() < 0.5:
                    for name, text in SHEET_TEXT.items():
                        setattr(sheet, name, text)
                if status in (
                    SheetStatus.SUBMITTED,
                    SheetStatus.COUNTERSIGNED,
                    SheetStatus.REVIEWED,
                    SheetStatus.RETURNED,
                ):
                    sheet.submitted_at = self.stamp(due - datetime.timedelta(days=rng.randint(2, 14)))
                if status == SheetStatus.RETURNED:
                    sheet.return_reason = "Merci de détailler les compétences mobilisées."
                if status in (SheetStatus.COUNTERSIGNED, SheetStatus.REVIEWED):
                    sheet.tutor_assessment = "Bonne implication, autonomie en progrès."
                    # Mostly on time; one in eight after the due date.
                    late = rng.random() < 0.125
                    day = due + datetime.timedelta(days=rng.randint(1, 12) if late else -rng.randint(0, 1))
                    sheet.countersigned_at = max(self.stamp(day, 18), sheet.submitted_at)
                if status == SheetStatus.REVIEWED:
                    sheet.school_comment = "Fiche lue ; à reprendre en visite."
                    sheet.reviewed_at = min(sheet.countersigned_at + datetime.timedelta(days=3), self.now)
                sheet.updated_at = last_change(
                    sheet.opened_at, sheet.submitted_at, sheet.countersigned_at, sheet.reviewed_at
                )
                sheets.append(sheet)
        sheets = self.bulk(LiaisonSheet, sheets)
        signatures = []
        for sheet in sheets:
            contract = sheet.contract
            if sheet.status in (SheetStatus.SUBMITTED, SheetStatus.COUNTERSIGNED, SheetStatus.REVIEWED):
                apprentice = contract.apprentice
                signatures.append(
                    self.signature(
                        sheet,
                        sheet.submission_content(),
                        Signature.Act.SUBMIT,
                        signer=apprentice.user,
                        name=str(apprentice),
                        email=apprentice.email,
                        via=Signature.Via.SESSION,
                        when=sheet.submitted_at,
                    )
                )
            if sheet.status in (SheetStatus.COUNTERSIGNED, SheetStatus.REVIEWED):
                tutor = contract.company_tutor
                signatures.append(
                    self.signature(
                        sheet,
                        sheet.signable_content(),
                        Signature.Act.COUNTERSIGN,
                        signer=tutor.user,
                        name=str(tutor),
                        email=tutor.email,
                        via=Signature.Via.SESSION if tutor.user_id else Signature.Via.LINK,
                        when=sheet.countersigned_at,
                    )
                )
        self.bulk(Signature, signatures)

    def make_visits(self, contracts):
        rng = self.rng
        horizon = self.today + datetime.timedelta(days=45)
        visits = []
        for contract in contracts:
            days = []
            for year, _year_of_study in self.contract_years(contract):
                start = max(contract.start_date, year.start_date)
                days.append(
                    (start + datetime.timedelta(days=rng.randint(10, 50)), start == contract.start_date)
                )
                days.append((year.start_date + datetime.timedelta(days=rng.randint(150, 220)), False))
            for day, is_start in days:
                if day > min(horizon, contract.end_date):
                    continue
                visit = VisitReport(
                    contract=contract,
                    is_start_meeting=is_start,
                    planned_date=day,
                    mode=rng.choice(list(VisitReport.Mode.values)),
                    author=contract.school_tutor.user,
                    created_at=self.stamp(day - datetime.timedelta(days=20)),
                )
                if day < self.today - datetime.timedelta(days=7):
                    if rng.random() < 0.08:
                        visit.status = VisitStatus.CANCELLED
                        visit.cancel_reason = "Entreprise fermée ce jour-là."
                    else:
                        visit.status = (
                            VisitStatus.ACKNOWLEDGED if rng.random() < 0.7 else VisitStatus.REPORTED
                        )
                        visit.held_on = day
                        visit.apprentice_present = visit.company_tutor_present = True
                        visit.reported_at = self.stamp(day + datetime.timedelta(days=2))
                        if visit.status == VisitStatus.ACKNOWLEDGED:
                            visit.acknowledged_at = self.stamp(day + datetime.timedelta(days=6))
                        for name, text in VISIT_TEXT.items():
                            setattr(visit, name, text)
                visit.updated_at = last_change(visit.created_at, visit.reported_at, visit.acknowledged_at)
                visits.append(visit)
        visits = self.bulk(VisitReport, visits)
        signatures, actions = [], []
        for visit in visits:
            if visit.status not in (VisitStatus.REPORTED, VisitStatus.ACKNOWLEDGED):
                continue
            contract = visit.contract
            content = visit.report_content()
            school = contract.school_tutor
            signatures.append(
                self.signature(
                    visit,
                    content,
                    Signature.Act.REPORT,
                    signer=school.user,
                    name=str(school.user),
                    email=school.user.email,
                    via=Signature.Via.SESSION,
                    when=visit.reported_at,
                )
            )
            if visit.status == VisitStatus.ACKNOWLEDGED:
                for person, email in (
                    (contract.apprentice, contract.apprentice.email),
                    (contract.company_tutor, contract.company_tutor.email),
                ):
                    signatures.append(
                        self.signature(
                            visit,
                            content,
                            Signature.Act.ACKNOWLEDGE,
                            signer=None,
                            name=str(person),
                            email=email,
                            via=Signature.Via.LINK,
                            when=visit.acknowledged_at,
                        )
                    )
            if rng.random() < 0.3:
                due = visit.held_on + datetime.timedelta(days=30)
                done = due - datetime.timedelta(days=rng.randint(-10, 20))
                actions.append(
                    ActionItem(
                        contract=contract,
                        opened_in=visit,
                        description="Point d'étape sur le projet de l'année",
                        owner=rng.choice(list(ActionItem.Owner.values)),
                        due_date=due,
                        done_on=done if done < self.today and rng.random() < 0.75 else None,
                        created_at=visit.reported_at,
                    )
                )
        self.bulk(Signature, signatures)
        self.bulk(ActionItem, actions)

    def make_missions(self, contracts):
        rng = self.rng
        missions, plans = [], []
        for contract in contracts:
            head = self.head_of[contract.diploma_id]
            for year, _year_of_study in self.contract_years(contract):
                begin = max(contract.start_date, year.start_date)
                submitted = begin + datetime.timedelta(days=rng.randint(15, 60))
                current = year == self.current_year
                draw = rng.random()
                if submitted >= self.today or (current and draw < 0.25):
                    status, decisions = MissionStatus.DRAFT, []
                elif current and draw < 0.45:
                    status, decisions = MissionStatus.SUBMITTED, []
                elif current and draw < 0.55:
                    status, decisions = MissionStatus.RETURNED, [MissionDecision.Outcome.RETURNED]
                elif rng.random() < 0.15:
                    status = MissionStatus.VALIDATED
                    decisions = [MissionDecision.Outcome.RETURNED, MissionDecision.Outcome.VALIDATED]
                else:
                    status, decisions = MissionStatus.VALIDATED, [MissionDecision.Outcome.VALIDATED]
                mission = MissionDescription(
                    contract=contract,
                    academic_year=year,
                    status=status,
                    created_at=self.stamp(begin),
                    last_edited_by=contract.apprentice.user,
                    **MISSION_TEXT,
                )
                moments = []
                when = self.stamp(submitted, 9)
                for outcome in decisions:
                    decided = min(when + datetime.timedelta(days=rng.randint(1, 12), hours=2), self.now)
                    moments.append((outcome, when, decided))
                    when = min(decided + datetime.timedelta(days=rng.randint(2, 6)), self.now)
                if status == MissionStatus.SUBMITTED:
                    mission.submitted_at = self.stamp(
                        self.today - datetime.timedelta(days=rng.randint(0, 12)), 8
                    )
                elif moments:
                    mission.submitted_at = moments[-1][1]
                    mission.decided_at = moments[-1][2]
                    mission.decided_by = head
                    mission.submitted_by = contract.apprentice.user
                if status == MissionStatus.RETURNED:
                    mission.return_comment = "Précisez le sujet du projet entreprise."
                mission.updated_at = last_change(mission.created_at, mission.submitted_at, mission.decided_at)
                missions.append(mission)
                plans.append((moments, head))
        missions = self.bulk(MissionDescription, missions)
        decisions, signatures = [], []
        for mission, (moments, head) in zip(missions, plans, strict=True):
            for outcome, submitted_at, decided_at in moments:
                decisions.append(
                    MissionDecision(
                        mission=mission,
                        outcome=outcome,
                        submitted_at=submitted_at,
                        decided_at=decided_at,
                        delay=decided_at - submitted_at,
                        decided_by=head,
                    )
                )
            if mission.submitted_at:
                apprentice = mission.contract.apprentice
                signatures.append(
                    self.signature(
                        mission,
                        mission.signable_content(),
                        Signature.Act.SUBMIT,
                        signer=apprentice.user,
                        name=str(apprentice),
                        email=apprentice.email,
                        via=Signature.Via.SESSION,
                        when=mission.submitted_at,
                    )
                )
            if mission.status == MissionStatus.VALIDATED:
                signatures.append(
                    self.signature(
                        mission,
                        mission.signable_content(),
                        Signature.Act.VALIDATE,
                        signer=head,
                        name=str(head),
                        email=head.email,
                        via=Signature.Via.SESSION,
                        when=mission.decided_at,
                    )
                )
        self.bulk(MissionDecision, decisions)
        self.bulk(Signature, signatures)

    def make_evaluations(self, contracts):
        rng = self.rng
        evaluations, sharings = [], []
        for contract in contracts:
            if contract.start_date < self.today and rng.random() < 0.85:
                shared = contract.start_date + datetime.timedelta(days=rng.randint(3, 45))
                if shared < self.today:
                    sharings.append(
                        GridSharing(
                            contract=contract,
                            shared_on=shared,
                            means=rng.choice(list(GridSharing.Means.values)),
                            recorded_by=contract.school_tutor.user,
                            recorded_at=self.stamp(shared),
                        )
                    )
            # One grid per year: the last company period over by today.
            last_of_year = {}
            for year, period, _following in self.company_periods(contract):
                if period.end_date < self.today:
                    last_of_year[year.pk] = period
            for period in last_of_year.values():
                draw = rng.random()
                status = (
                    EvaluationStatus.COMPLETE
                    if draw < 0.6
                    else EvaluationStatus.TUTOR_DONE
                    if draw < 0.8
                    else EvaluationStatus.OPEN
                )
                evaluation = Evaluation(
                    contract=contract,
                    period=period,
                    status=status,
                    created_at=self.stamp(period.end_date - datetime.timedelta(days=7)),
                )
                if status in (EvaluationStatus.COMPLETE, EvaluationStatus.TUTOR_DONE):
                    evaluation.tutor_submitted_at = self.stamp(period.end_date + datetime.timedelta(days=5))
                    evaluation.tutor_comment = "Progression régulière."
                if status == EvaluationStatus.COMPLETE:
                    evaluation.apprentice_submitted_at = self.stamp(
                        period.end_date + datetime.timedelta(days=8)
                    )
                evaluation.updated_at = last_change(
                    evaluation.created_at, evaluation.tutor_submitted_at, evaluation.apprentice_submitted_at
                )
                evaluations.append(evaluation)
        self.bulk(GridSharing, sharings)
        evaluations = self.bulk(Evaluation, evaluations)
        ratings, signatures = [], []
        for evaluation in evaluations:
            contract = evaluation.contract
            competences = self.competences[contract.diploma_id]
            raters = []
            if evaluation.tutor_submitted_at:
                raters.append((Rating.Rater.TUTOR, Signature.Act.EVALUATE, contract.company_tutor))
            if evaluation.apprentice_submitted_at:
                raters.append((Rating.Rater.APPRENTICE, Signature.Act.SELF_ASSESS, contract.apprentice))
            for rater, act, person in raters:
                levels = {c.pk: rng.randint(1, 4) for c in competences}
                ratings += [
                    Rating(evaluation=evaluation, competence_id=pk, rater=rater, level=level)
                    for pk, level in levels.items()
                ]
                signatures.append(
                    self.signature(
                        evaluation,
                        {"evaluation": evaluation.pk, "rater": rater, "levels": levels},
                        act,
                        signer=person.user,
                        name=str(person),
                        email=person.email,
                        via=Signature.Via.SESSION,
                        when=evaluation.tutor_submitted_at
                        if rater == Rating.Rater.TUTOR
                        else evaluation.apprentice_submitted_at,
                    )
                )
        self.bulk(Rating, ratings)
        self.bulk(Signature, signatures)
