"""Demo of the trajectoire qualité: the meeting register, evidence, attestations, the diplomas' lists of
indicators, jalons and a raised threshold for three years, the 2024-2025 campaign closed, and the
indicators computed. Everything goes through :mod:`quality.services` as the demo accounts would do it,
and is looked up by natural key first, so that a second run writes nothing new (the indicators are
recomputed: the same rows, a new ``computed_at``).

The story is told so that the dashboard shows levels a person can explain from the pages: ING-ALB
misses a group debrief in the spring of 2025-2026 and the BTS has no minutes of its 2025-2026 comité
de pilotage, a short list of indicators and debriefs in two quarters only.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.core.files.uploadedfile import SimpleUploadedFile

from apprentices.models import Cohort, Contract, Diploma
from core.models import AcademicYear, Organisation, User
from quality.indicators.contracts import active_during
from quality.models import (
    Attestation,
    Campaign,
    Evidence,
    FollowedIndicator,
    Meeting,
    Milestone,
    Perimeter,
    Requirement,
    Threshold,
)
from quality.services import campaigns, computation, evidence, meetings, thresholds

ING, BTS = "ING-ALB", "BTS-CPRP"
YEARS = ("2024-2025", "2025-2026", "2026-2027")
CLOSED = "2024-2025"

FOLLOWED = {
    ING: [
        "rupture_rate",
        "rupture_rate_9_months",
        "success_rate",
        "hours_realisation",
        "two_meetings_rule",
        "sheets_on_time",
        "mission_decided_on_time",
        "tutors_trained",
        "visit_reports_acknowledged",
    ],
    BTS: [
        "rupture_rate",
        "success_rate",
        "two_meetings_rule",
        "sheets_on_time",
        "tutors_trained",
        "hours_realisation",
    ],
}
# The BTS lists fewer indicators than the socle's five in 2025-2026.
FOLLOWED_COUNT = {(BTS, "2024-2025"): 5, (BTS, "2025-2026"): 4, (BTS, "2026-2027"): 6}

STATEMENTS = {
    "p1-copil-composition": "Le comité réunit délégués apprentis, maîtres d'apprentissage, la branche UIMM et le CFA ; "
    "il a revu le rythme d'alternance et le bloc BC3.",
    "p1-retours-ma": "Les retours des maîtres d'apprentissage ont ajouté un module de planification de la production.",
    "p1-indicateurs-analyses": "Le tableau des indicateurs est présenté et commenté à chaque comité de pilotage.",
    "p2-parties-prenantes-information": "Les journées d'information associent anciens apprentis et entreprises partenaires.",
    "p2-interlocuteurs": "Chaque candidat et chaque employeur recruteur a une chargée de relations entreprises attitrée.",
    "p2-service-dedie": "Le service relations entreprises du CFA répond aux candidats et aux organismes d'accueil.",
    "p3-secretariat": "Le secrétariat pédagogique de l'apprentissage assure le suivi administratif des apprentis.",
    "p3-moyens-employeur": "Les moyens mis à disposition sont vérifiés lors de l'entretien tripartite de démarrage.",
    "p3-rencontres-adaptees": "L'équipe pédagogique fixe trois rencontres pour les apprentis en difficulté.",
    "p3-analyse-reflexive": "Chaque retour d'alternance commence par une séance d'analyse réflexive en petits groupes.",
    "p4-reseaux-professionnels": "Les réseaux professionnels de la branche relaient l'actualité de l'emploi.",
    "p4-base-ex-employeurs": "La base des ex-employeurs est tenue à jour par le service relations entreprises.",
}
# The BTS attests what its socle asks, not its cible.
BTS_ATTESTED = {
    "p1-copil-composition",
    "p1-retours-ma",
    "p2-service-dedie",
    "p3-secretariat",
    "p3-moyens-employeur",
}

# (kind, title, month, day of the document, relative to the academic year's first calendar year)
ESTABLISHMENT_EVIDENCE = [
    ("information", "Brochure et site de l'apprentissage", 0, 9, 5),
    ("orientation", "Guide des services d'orientation", 0, 9, 5),
    ("offers_platform", "Plateforme des offres d'alternance", 0, 10, 1),
]
ING_EVIDENCE = [
    ("evaluation_procedure", "Modalités d'évaluation des acquis en entreprise", 0, 9, 20),
    ("tutor_training", "Programme de formation des maîtres d'apprentissage", 0, 10, 15),
    ("job_search_training", "Ateliers de techniques de recherche d'emploi", 1, 1, 20),
    ("recruiter_events", "Forum des employeurs recruteurs", 1, 3, 6),
    ("jobdating", "Jobdating des apprentis diplômés", 1, 4, 18),
]
BTS_EVIDENCE = [
    ("evaluation_procedure", "Modalités d'évaluation du BTS en entreprise", 0, 9, 20),
    ("tutor_training", "Réunion de formation des tuteurs du BTS", 0, 11, 4),
]

JALONS = {
    "3.2": ("Comptes rendus de visite lus par l'entreprise", "visit_reports_acknowledged", ">=", 70),
    "2.2": ("Décision médiane sur les missions sous cinq jours", "mission_median_delay", "<=", 5),
}


def pdf_document(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a title and a few lines (Helvetica, WinAnsi), built by hand: valid enough
    for any reader, and fast."""

    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT /F1 16 Tf 56 780 Td (" + text(title) + ") Tj ET"]
    for index, line in enumerate(lines):
        body.append(f"BT /F1 11 Tf 56 {748 - 18 * index} Td (" + text(line) + ") Tj ET")
    stream = "\n".join(body).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _upload(title: str, day: datetime.date, organisation: Organisation) -> SimpleUploadedFile:
    content = pdf_document(
        title, [organisation.name, f"Document du {day:%d/%m/%Y}", "Données de démonstration."]
    )
    return SimpleUploadedFile("document.pdf", content, content_type="application/pdf")


def _day(year: AcademicYear, offset: int, month: int, day: int) -> datetime.date:
    return datetime.date(year.start_date.year + offset, month, day)


class Seeder:
    def __init__(self, today: datetime.date):
        self.today = today
        self.created = Counter()
        self.organisation = Organisation.objects.get(name="IMT Mines Albi")
        self.staff = User.objects.get(email="staff@demo.test")
        self.head = User.objects.get(email="responsable@demo.test")
        self.admin = User.objects.get(email="admin@demo.test")
        self.diplomas = {
            d.code: d for d in Diploma.objects.filter(code__in=[ING, BTS]).prefetch_related("heads")
        }
        self.years = {y.label: y for y in AcademicYear.objects.filter(label__in=YEARS)}

    def head_of(self, code):
        return self.head if code == ING else (self.diplomas[code].heads.first() or self.staff)

    def cohorts(self, code, year):
        """The diploma's cohorts with a contract running during the year, as the debrief indicator
        counts them."""
        as_of = min(self.today, year.end_date)
        return list(
            Cohort.objects.filter(
                apprentices__contracts__in=Contract.objects.filter(active_during(year, as_of)),
                diploma=self.diplomas[code],
            )
            .distinct()
            .order_by("entry_year__start_date")
        )

    # Meetings ----------------------------------------------------------------------------------

    def meeting(self, *, kind, title, day, codes, by, cohorts=(), attendance, attendees, minutes=False):
        if day > self.today:
            return
        if Meeting.objects.filter(
            organisation=self.organisation, kind=kind, held_on=day, title=title
        ).exists():
            return
        meetings.record_meeting(
            organisation_id=self.organisation.pk,
            kind=kind,
            title=title,
            held_on=day,
            diplomas=[self.diplomas[c] for c in codes],
            cohorts=cohorts,
            attendance=attendance,
            attendees=attendees,
            minutes=_upload(f"Compte rendu — {title}", day, self.organisation) if minutes else None,
            by=by,
        )
        self.created["réunions"] += 1

    def meetings(self, year):
        label = year.label
        K = Meeting.Kind
        self.meeting(
            kind=K.RENTREE,
            title=f"Réunion de rentrée des apprentis ingénieurs {label}",
            day=_day(year, 0, 9, 15),
            codes=[ING],
            by=self.staff,
            attendance=68,
            attendees="Apprentis des trois promotions, responsable de formation, tuteurs pédagogiques, CFA",
        )
        self.meeting(
            kind=K.RENTREE,
            title=f"Réunion de rentrée du BTS {label}",
            day=_day(year, 0, 9, 2),
            codes=[BTS],
            by=self.staff,
            attendance=17,
            attendees="Apprentis des deux promotions, équipe pédagogique du BTS, CFA",
        )
        pedagogical = "Enseignants, tuteurs pédagogiques, responsable de formation"
        information = "Candidats et familles, anciens apprentis, entreprises partenaires, CFA"
        for kind, offset, month, day, title, code, people, attendees in (
            (K.PEDAGOGICAL, 0, 11, 20, "Réunion pédagogique d'automne", ING, 12, pedagogical),
            (K.PEDAGOGICAL, 1, 2, 5, "Réunion pédagogique d'hiver", ING, 11, pedagogical),
            (K.PEDAGOGICAL, 0, 12, 10, "Réunion pédagogique du BTS", BTS, 7, pedagogical),
            (
                K.INFORMATION,
                0,
                11,
                28,
                "Réunion d'information des candidats à l'apprentissage",
                ING,
                45,
                information,
            ),
            (K.INFORMATION, 1, 1, 24, "Journée portes ouvertes de l'apprentissage", ING, 120, information),
            (K.INFORMATION, 1, 2, 7, "Réunion d'information des candidats au BTS", BTS, 26, information),
        ):
            self.meeting(
                kind=kind,
                title=f"{title} {label}",
                day=_day(year, offset, month, day),
                codes=[code],
                by=self.staff,
                attendance=people,
                attendees=attendees,
            )
        self.meeting(
            kind=K.STEERING,
            title=f"Comité de pilotage ING-ALB {label}",
            day=_day(year, 1, 3, 12),
            codes=[ING],
            by=self.head,
            attendance=16,
            attendees="Délégués apprentis, 6 maîtres d'apprentissage, représentant de la branche UIMM, "
            "responsable de formation, CFA",
            minutes=True,
        )
        self.meeting(
            kind=K.STEERING,
            title=f"Comité de pilotage BTS-CPRP {label}",
            day=_day(year, 1, 3, 19),
            codes=[BTS],
            by=self.staff,
            attendance=9,
            attendees="Délégués apprentis, 3 maîtres d'apprentissage, équipe pédagogique, CFA",
            minutes=label != "2025-2026",
        )
        self.meeting(
            kind=K.COUNCIL,
            title=f"Conseil de perfectionnement de l'apprentissage {label}",
            day=_day(year, 1, 6, 20),
            codes=[ING, BTS],
            by=self.staff,
            attendance=22,
            attendees="Représentants des apprentis, des employeurs et des branches, équipes pédagogiques, direction du CFA",
            minutes=True,
        )
        quarters = ((0, 10, 20), (1, 1, 15), (1, 4, 10), (1, 6, 25))
        for number, (offset, month, day) in enumerate(quarters, start=1):
            cohorts = self.cohorts(ING, year)
            if label == "2025-2026" and number == 3:
                cohorts = cohorts[:-1]  # the newest promotion was on a mission abroad: no debrief
            if cohorts:
                self.meeting(
                    kind=K.DEBRIEF,
                    title=f"Retour d'alternance ING-ALB, trimestre {number} {label}",
                    day=_day(year, offset, month, day),
                    codes=[ING],
                    cohorts=cohorts,
                    by=self.head,
                    attendance=14 * len(cohorts),
                    attendees="Apprentis des promotions réunies, tuteurs pédagogiques",
                )
            bts_cohorts = self.cohorts(BTS, year)
            if number in (1, 3) and bts_cohorts:
                self.meeting(
                    kind=K.DEBRIEF,
                    title=f"Retour d'alternance BTS, trimestre {number} {label}",
                    day=_day(year, offset, month, day + 2),
                    codes=[BTS],
                    cohorts=bts_cohorts,
                    by=self.staff,
                    attendance=7 * len(bts_cohorts),
                    attendees="Apprentis du BTS, enseignants",
                )

    # Evidence, attestations, lists, jalons -------------------------------------------------------

    def evidence(self, year):
        for code, rows in ((None, ESTABLISHMENT_EVIDENCE), (ING, ING_EVIDENCE), (BTS, BTS_EVIDENCE)):
            diploma = self.diplomas[code] if code else None
            for kind, title, offset, month, day in rows:
                attested_on = _day(year, offset, month, day)
                full_title = f"{title} {year.label}"
                if (
                    attested_on > self.today
                    or Evidence.objects.filter(
                        organisation=self.organisation, academic_year=year, title=full_title
                    ).exists()
                ):
                    continue
                evidence.add_evidence(
                    organisation_id=self.organisation.pk,
                    diploma=diploma,
                    year=year,
                    kind=kind,
                    title=full_title,
                    upload=_upload(full_title, attested_on, self.organisation),
                    attested_on=attested_on,
                    by=self.staff if diploma is None else self.head_of(code),
                )
                self.created["preuves"] += 1

    def attestations(self, year):
        checklist = {
            r.code: r for r in Requirement.objects.filter(kind=Requirement.Kind.CHECKLIST, item__isnull=False)
        }
        for code in (ING, BTS):
            wanted = set(STATEMENTS) if code == ING else BTS_ATTESTED
            if code == ING and year.label == "2025-2026":
                wanted -= {"p3-rencontres-adaptees"}
            if year.label == "2026-2027":
                # The year has just begun: the socle's points, and a few of the cible's for ING-ALB.
                wanted &= BTS_ATTESTED | (
                    {"p1-indicateurs-analyses", "p2-parties-prenantes-information", "p2-interlocuteurs"}
                    if code == ING
                    else set()
                )
            diploma = self.diplomas[code]
            for requirement_code in sorted(wanted):
                requirement = checklist[requirement_code]
                if Attestation.objects.filter(
                    requirement=requirement, diploma=diploma, academic_year=year, withdrawn_at__isnull=True
                ).exists():
                    continue
                evidence.attest(
                    requirement=requirement,
                    diploma=diploma,
                    year=year,
                    statement=STATEMENTS[requirement_code],
                    by=self.head_of(code) if code == ING else self.staff,
                )
                self.created["attestations"] += 1

    def followed(self, year):
        for code in (ING, BTS):
            diploma = self.diplomas[code]
            codes = FOLLOWED[code][: FOLLOWED_COUNT.get((code, year.label), len(FOLLOWED[code]))]
            if FollowedIndicator.objects.filter(diploma=diploma, academic_year=year).exists():
                continue
            thresholds.set_followed_indicators(diploma=diploma, year=year, codes=codes, by=self.head_of(code))
            self.created["listes d'indicateurs"] += 1

    def jalons(self, year):
        if year.label == CLOSED:
            return
        diploma = self.diplomas[ING]
        for perimeter_code, (title, indicator, comparison, threshold) in JALONS.items():
            perimeter = Perimeter.objects.get(code=perimeter_code)
            if Milestone.objects.filter(
                diploma=diploma, academic_year=year, perimeter=perimeter, title=title
            ).exists():
                continue
            thresholds.create_milestone(
                diploma=diploma,
                year=year,
                perimeter=perimeter,
                title=title,
                requirements=[
                    {
                        "kind": "computed",
                        "label": title,
                        "indicator": indicator,
                        "comparison": comparison,
                        "threshold": threshold,
                    }
                ],
                by=self.head,
            )
            self.created["jalons"] += 1
        perimeter = Perimeter.objects.get(code="4.1")
        title = "Enquête d'insertion présentée au comité de pilotage"
        if not Milestone.objects.filter(
            diploma=diploma, academic_year=year, perimeter=perimeter, title=title
        ).exists():
            thresholds.create_milestone(
                diploma=diploma,
                year=year,
                perimeter=perimeter,
                title=title,
                requirements=[
                    {
                        "kind": "evidence",
                        "label": "Compte rendu du comité qui a examiné l'enquête",
                        "evidence_kind": "copil_minutes",
                    }
                ],
                by=self.head,
            )
            self.created["jalons"] += 1

        # A jalon already reached: the information materials reviewed with former apprentices.
        perimeter = Perimeter.objects.get(code="2.1")
        title = "Supports d'information revus avec d'anciens apprentis"
        milestone = Milestone.objects.filter(
            diploma=diploma, academic_year=year, perimeter=perimeter, title=title
        ).first()
        if milestone is None:
            milestone = thresholds.create_milestone(
                diploma=diploma,
                year=year,
                perimeter=perimeter,
                title=title,
                requirements=[{"kind": "checklist", "label": title}],
                by=self.head,
            )
            self.created["jalons"] += 1
        requirement = milestone.requirements.get()
        if not Attestation.objects.filter(
            requirement=requirement, diploma=diploma, academic_year=year
        ).exists():
            evidence.attest(
                requirement=requirement,
                diploma=diploma,
                year=year,
                statement="Brochure et pages web relues en septembre avec quatre anciens apprentis.",
                by=self.head,
            )
            self.created["attestations"] += 1

    def thresholds(self):
        for label, code, value, reason in (
            (
                "2026-2027",
                "p2-missions-sous-une-semaine",
                "95",
                "Objectif relevé par le comité de pilotage de mars.",
            ),
            (
                "2026-2027",
                "p3-ma-formes",
                "85",
                "Nouveau module de formation des maîtres d'apprentissage en ligne.",
            ),
        ):
            year = self.years[label]
            requirement = Requirement.objects.get(code=code)
            diploma = self.diplomas[ING]
            if Threshold.objects.filter(
                requirement=requirement, diploma=diploma, academic_year=year
            ).exists():
                continue
            thresholds.set_threshold(
                requirement=requirement, diploma=diploma, year=year, value=value, reason=reason, by=self.head
            )
            self.created["seuils"] += 1

    def run(self) -> dict:
        for label in YEARS:
            year = self.years[label]
            if Campaign.objects.filter(organisation=self.organisation, academic_year=year).exists():
                continue
            self.meetings(year)
            self.evidence(year)
            self.attestations(year)
            self.followed(year)
            self.jalons(year)
        self.thresholds()
        closed = self.years[CLOSED]
        if (
            closed.end_date < self.today
            and not Campaign.objects.filter(organisation=self.organisation, academic_year=closed).exists()
        ):
            campaigns.close_campaign(
                organisation_id=self.organisation.pk, year=closed, by=self.admin, today=self.today
            )
            self.created[f"campagne {CLOSED} close"] += 1
        for label in YEARS:
            year = self.years[label]
            if label != CLOSED and year.start_date <= self.today:
                computation.compute_indicators(
                    year=year, diplomas=list(self.diplomas.values()), today=self.today
                )
        return dict(self.created)


def seed_quality(*, today: datetime.date) -> dict:
    return Seeder(today).run()
