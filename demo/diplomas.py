"""The demo CFA and what it teaches: the organisation, its academic years, its two diplomas with their
options and blocs de compétences, and their alternance calendars.

The calendar of the engineering diploma follows the IMT Mines Albi alternance plan of 2025-2026
(seed 003): rentrée pédagogique on Monday 15 September 2025, about 18 weeks at school and 34 in the
company each year, the end of the third year left to the projet de fin d'études.
"""

from __future__ import annotations

import datetime

from demo.identifiers import siret_from, uai_from

SCHOOL = "school"
COMPANY = "company"


def ing_rentree(year: int) -> datetime.date:
    """The IMT Mines Albi rentrée: the Monday of ISO week 38 (15/09/2025, 14/09/2026)."""
    return datetime.date.fromisocalendar(year, 38, 1)


def bts_rentree(year: int) -> datetime.date:
    """The first Monday of September."""
    first = datetime.date(year, 9, 1)
    return first + datetime.timedelta(days=-first.weekday() % 7)


# --- Organisation, years, diplomas -----------------------------------------------------------------

ORGANISATION = {
    "name": "IMT Mines Albi",
    "kind": "both",
    "uai": uai_from("0811293"),
    "siret": siret_from("18008901", "0001"),
    "address": "Campus Jarlard, allée des Sciences",
    "postal_code": "81000",
    "city": "Albi",
}

ACADEMIC_YEARS = ["2023-2024", "2024-2025", "2025-2026", "2026-2027"]
CALENDAR_YEARS = ["2024-2025", "2025-2026", "2026-2027"]


def academic_year_dates(label: str) -> tuple[datetime.date, datetime.date]:
    start = int(label[:4])
    return datetime.date(start, 9, 1), datetime.date(start + 1, 8, 31)


ING = "ING-ALB"
BTS = "BTS-CPRP"

DIPLOMAS = [
    {
        "code": ING,
        "title": "Ingénieur de l'IMT Mines Albi, spécialité génie industriel, par apprentissage",
        "level": 7,
        "rncp_code": "RNCP37543",
        "cfd_code": "17025306",
        "duration_years": 3,
        "options": [
            ("energies", "Énergies"),
            ("genindus", "Génie industriel"),
            ("materiaux", "Matériaux"),
            ("pharmagro", "PharmAgro"),
        ],
        "blocks": [
            (
                "BC1",
                "Concevoir et dimensionner des systèmes industriels",
                [
                    "Analyser un besoin industriel et rédiger un cahier des charges fonctionnel",
                    "Modéliser et dimensionner un procédé ou un système de production",
                    "Choisir matériaux et technologies selon les contraintes techniques, économiques "
                    "et environnementales",
                    "Mettre en œuvre des outils de simulation et de calcul scientifique",
                ],
            ),
            (
                "BC2",
                "Piloter et améliorer la performance industrielle",
                [
                    "Diagnostiquer la performance d'une production (qualité, coûts, délais)",
                    "Conduire une démarche d'amélioration continue (lean, six sigma)",
                    "Optimiser la chaîne logistique et la planification de la production",
                    "Intégrer la sobriété énergétique et la décarbonation dans les choix industriels",
                ],
            ),
            (
                "BC3",
                "Manager des projets et des équipes",
                [
                    "Planifier et piloter un projet technique (budget, risques, jalons)",
                    "Animer une équipe pluridisciplinaire et conduire le changement",
                    "Communiquer à l'écrit et à l'oral, en français et en anglais",
                    "Travailler dans un contexte international et interculturel",
                ],
            ),
            (
                "BC4",
                "Agir en ingénieur responsable et innovant",
                [
                    "Appliquer la réglementation en santé, sécurité et environnement",
                    "Prendre en compte les enjeux éthiques, sociétaux et de développement durable",
                    "Mener une veille scientifique et technologique et proposer des innovations",
                ],
            ),
        ],
    },
    {
        "code": BTS,
        "title": "BTS Conception des processus de réalisation de produits",
        "level": 5,
        "rncp_code": "RNCP35335",
        "cfd_code": "32025112",
        "duration_years": 2,
        "options": [],
        "blocks": [
            (
                "BC1",
                "Conception préliminaire et industrialisation",
                [
                    "Analyser le dossier de définition d'un produit",
                    "Proposer et justifier un processus de fabrication",
                    "Élaborer un avant-projet de réalisation (gamme, outillages, montages)",
                ],
            ),
            (
                "BC2",
                "Réalisation et suivi de production",
                [
                    "Programmer et régler une machine-outil à commande numérique",
                    "Conduire une production dans le respect de la qualité, des coûts et des délais",
                    "Contrôler les pièces et exploiter les résultats de mesure",
                    "Appliquer les règles de sécurité et de prévention des risques",
                ],
            ),
            (
                "BC3",
                "Gestion et amélioration de la production",
                [
                    "Planifier et ordonnancer une production",
                    "Animer une équipe de production",
                    "Proposer des améliorations du processus (SMED, 5S, maintenance)",
                ],
            ),
        ],
    },
]


# Year of study -> (place, weeks, label). Each engineering year sums to 18 school and 34 company weeks
# (the third adds the week of the soutenances), like the 2025-2026 plan.
ING_RHYTHMS = {
    1: [
        (SCHOOL, 1, "Rentrée pédagogique"),
        (SCHOOL, 1, "Semaine propédeutique"),
        (SCHOOL, 3, "Période école 1"),
        (COMPANY, 5, "Période entreprise 1"),
        (SCHOOL, 3, "Période école 2"),
        (COMPANY, 6, "Période entreprise 2"),
        (SCHOOL, 4, "Période école 3"),
        (COMPANY, 6, "Période entreprise 3"),
        (SCHOOL, 3, "Période école 4"),
        (COMPANY, 7, "Période entreprise 4"),
        (SCHOOL, 3, "Période école 5"),
        (COMPANY, 10, "Période entreprise 5"),
    ],
    2: [
        (COMPANY, 3, "Période entreprise 1"),
        (SCHOOL, 4, "Période école 1"),
        (COMPANY, 5, "Période entreprise 2"),
        (SCHOOL, 2, "Période école 2"),
        (COMPANY, 6, "Période entreprise 3"),
        (SCHOOL, 4, "Période école 3"),
        (COMPANY, 6, "Période entreprise 4"),
        (SCHOOL, 4, "Période école 4"),
        (COMPANY, 6, "Période entreprise 5"),
        (SCHOOL, 4, "Période école 5"),
        (COMPANY, 8, "Période entreprise 6"),
    ],
    3: [
        (COMPANY, 2, "Période entreprise 1"),
        (SCHOOL, 4, "Période école 1"),
        (COMPANY, 4, "Période entreprise 2"),
        (SCHOOL, 3, "Période école 2"),
        (COMPANY, 5, "Période entreprise 3"),
        (SCHOOL, 4, "Période école 3"),
        (COMPANY, 4, "Période entreprise 4"),
        (SCHOOL, 4, "Période école 4"),
        (COMPANY, 1, "Période entreprise 5"),
        (SCHOOL, 3, "Période école 5"),
        (COMPANY, 18, "Projet de fin d'études"),
        (SCHOOL, 1, "Soutenances fin d'études"),
    ],
}

# The BTS alternates two weeks at school and two in the company, then stays in the company from June.
BTS_RHYTHMS = {
    1: [(SCHOOL, 2, "Rentrée")]
    + [p for n in range(1, 10) for p in ((COMPANY, 2, f"Entreprise {n}"), (SCHOOL, 2, f"École {n}"))],
    2: [(SCHOOL, 2, "Rentrée")]
    + [p for n in range(1, 9) for p in ((COMPANY, 2, f"Entreprise {n}"), (SCHOOL, 2, f"École {n}"))]
    + [(COMPANY, 2, "Entreprise 9"), (SCHOOL, 2, "Épreuves du BTS")],
}


def calendar_periods(diploma: str, academic_year: str, year_of_study: int) -> list[dict]:
    """Contiguous Monday-to-Friday periods; the BTS fills the summer up to the end of August."""
    year = int(academic_year[:4])
    if diploma == ING:
        start, rhythm = ing_rentree(year), ING_RHYTHMS[year_of_study]
    else:
        start, rhythm = bts_rentree(year), list(BTS_RHYTHMS[year_of_study])
        school_end = start + datetime.timedelta(weeks=sum(weeks for _, weeks, _ in rhythm))
        summer_weeks = (datetime.date(year + 1, 8, 31) - school_end).days // 7 + 1
        if (school_end + datetime.timedelta(weeks=summer_weeks, days=-3)).month == 9:
            summer_weeks -= 1
        rhythm.append((COMPANY, summer_weeks, "Entreprise (été)"))
    periods = []
    for kind, weeks, label in rhythm:
        end = start + datetime.timedelta(weeks=weeks, days=-3)
        periods.append({"kind": kind, "start_date": start, "end_date": end, "label": label})
        start = end + datetime.timedelta(days=3)
    return periods
