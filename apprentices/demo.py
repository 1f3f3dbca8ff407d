"""The demonstration data set: who and what ``manage.py seed_demo`` puts in the database.

Everything here is plain Python and deterministic (a fixed random seed, a fixed reference date), so
that two runs describe exactly the same objects and the command can look them up by natural key.
The calendar of the engineering diploma follows the IMT Mines Albi alternance plan of 2025-2026
(seed 003): rentrée pédagogique on Monday 15 September 2025, about 18 weeks at school and 34 in the
company each year, the end of the third year left to the projet de fin d'études.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import unicodedata

from core.models import Role
from core.validators import LA_POSTE_SIREN, UAI_KEYS, luhn_valid

DEMO_PASSWORD = "demo-apprentissage"
DEMO_DOMAIN = "demo.test"
SEED = 2025
# Ages, hours done and statuses are computed for this day, not for the day the command runs, so that
# the data set stays the same whenever it is loaded.
REFERENCE_DATE = datetime.date(2026, 11, 21)
STAFF_GROUP = "Équipe CFA"

SCHOOL = "school"
COMPANY = "company"


# --- Identifiers -----------------------------------------------------------------------------------


def luhn_key(payload: str) -> str:
    return next(str(d) for d in range(10) if luhn_valid(f"{payload}{d}"))


def siret_from(siren_payload: str, nic_payload: str) -> str:
    """A SIRET whose SIREN (8 digits + key) and whole number (+ NIC key) both pass Luhn, as real ones do."""
    siren = siren_payload + luhn_key(siren_payload)
    return siren + nic_payload + luhn_key(siren + nic_payload)


def random_siret(rng: random.Random) -> str:
    while True:
        siret = siret_from(str(rng.randrange(3 * 10**7, 9 * 10**7)), f"000{rng.randint(1, 9)}")
        # La Poste's establishments follow another checksum rule.
        if not siret.startswith(LA_POSTE_SIREN):
            return siret


def uai_from(digits: str) -> str:
    return digits + UAI_KEYS[int(digits) % 23]


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(plain.lower().replace("'", " ").split())


def phone(rng: random.Random, prefix: str) -> str:
    return " ".join([prefix, *(f"{rng.randrange(100):02d}" for _ in range(4))])


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birth_date_for_age(rng: random.Random, age: int) -> datetime.date:
    """A birth date at which someone is exactly ``age`` on the reference date."""
    latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age)
    return latest - datetime.timedelta(days=rng.randrange(365))


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

HOURS_PLANNED = {ING: 1800, BTS: 1350}
# Diploma code -> entry years of its cohorts (the 2023 engineering cohort graduated in September 2026).
COHORT_ENTRIES = {ING: [2023, 2024, 2025, 2026], BTS: [2025, 2026]}
COHORT_SIZES = {
    (ING, 2023): 16,
    (ING, 2024): 16,
    (ING, 2025): 17,
    (ING, 2026): 16,
    (BTS, 2025): 8,
    (BTS, 2026): 8,
}
# Apprentices are (diploma, entry year, rank in the cohort); ranks 0 and 1 of ING 2025 are apprenti@ and
# apprenti2@. A few of each situation the booklet must handle, at fixed places.
WITHOUT_CONTRACT = {(ING, 2026, 1), (BTS, 2026, 0), (BTS, 2026, 1)}  # enrolled, still looking for an employer
ABANDONED = {(ING, 2024, 1), (BTS, 2025, 1)}
# -> (rupture date, cause, whether a new employer took the apprentice on)
RUPTURES = {
    (ING, 2023, 0): (datetime.date(2024, 2, 16), "mutual", True),
    (ING, 2023, 1): (datetime.date(2025, 1, 31), "apprentice", False),
    (ING, 2024, 0): (datetime.date(2025, 6, 30), "employer", True),
    (ING, 2025, 2): (datetime.date(2026, 4, 17), "mutual", False),
    (ING, 2026, 0): (datetime.date(2026, 10, 23), "trial", False),
    (BTS, 2025, 0): (datetime.date(2026, 1, 9), "closure", False),
}
# Diploma results of the 2023 engineering cohort by rank ("yes" for the others): the jury met after the
# soutenances of 14-18 September 2026.
OUTCOMES_2023 = {2: "no", 3: "no", 4: "unknown", 5: "unknown"}
JURY_DATE = datetime.date(2026, 9, 25)

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


# --- People and companies --------------------------------------------------------------------------

FEMALE_FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Clara", "Lucie", "Océane",
    "Marine", "Pauline", "Mathilde", "Laura", "Anaïs", "Justine", "Élise", "Margaux", "Charlotte",
    "Louise", "Juliette", "Alice", "Zoé", "Jade", "Lina", "Maëlle", "Noémie", "Salomé", "Agathe",
    "Yasmine", "Amandine", "Coralie", "Élodie", "Nadia", "Sophie", "Aurélie", "Isabelle", "Valérie",
]  # fmt: skip
MALE_FIRST_NAMES = [
    "Lucas", "Hugo", "Thomas", "Théo", "Maxime", "Nathan", "Antoine", "Alexandre", "Louis", "Baptiste",
    "Clément", "Romain", "Quentin", "Julien", "Paul", "Arthur", "Mathis", "Valentin", "Pierre",
    "Adrien", "Florian", "Kévin", "Yanis", "Enzo", "Bastien", "Corentin", "Guillaume", "Rayan", "Tom",
    "Jules", "Mehdi", "Sébastien", "Olivier", "Laurent", "Christophe", "Frédéric", "Nicolas", "Éric",
]  # fmt: skip
LAST_NAMES = [
    "Rouquette", "Cabrol", "Fabre", "Bousquet", "Vidal", "Delmas", "Marty", "Rouanet", "Combes",
    "Maurel", "Garrigues", "Cros", "Albouy", "Bonnafous", "Calmettes", "Carrière", "Azéma", "Blanc",
    "Pujol", "Teyssier", "Salvan", "Granier", "Roux", "Fournier", "Castan", "Mercadier", "Rigal",
    "Viguier", "Lacombe", "Séguier", "Barthe", "Escande", "Puech", "Bories", "Alric", "Cayla",
    "Gayraud", "Laurens", "Massol", "Sabatier", "Trouche", "Valette", "Andrieu", "Bénazech", "Couderc",
    "Durand", "Martin", "Bernard", "Dubois", "Moreau", "Simon", "Michel", "Lefebvre", "Girard",
    "Bonnet", "Lambert", "Fontaine", "Rousseau", "Faure", "Mercier", "Boyer", "Garnier", "Chevalier",
    "Benali", "Nguyen", "Da Silva", "Haddad", "Diallo", "Kaci", "Ferreira", "Lopez", "Garcia",
    "Martinez", "Sanchez", "Pereira", "Rossi", "Bertrand", "Cazals", "Soulié", "Boudou",
]  # fmt: skip

# (postal code, city, telephone prefix)
PLACES = [
    ("81000", "Albi", "05 63"), ("81100", "Castres", "05 63"), ("81400", "Carmaux", "05 63"),
    ("81600", "Gaillac", "05 63"), ("81300", "Graulhet", "05 63"), ("81200", "Mazamet", "05 63"),
    ("81500", "Lavaur", "05 63"), ("81160", "Saint-Juéry", "05 63"), ("31000", "Toulouse", "05 61"),
    ("31400", "Toulouse", "05 61"), ("31700", "Blagnac", "05 62"), ("31770", "Colomiers", "05 61"),
    ("82000", "Montauban", "05 63"), ("12000", "Rodez", "05 65"), ("12100", "Millau", "05 65"),
    ("12300", "Decazeville", "05 65"), ("46100", "Figeac", "05 65"), ("65000", "Tarbes", "05 62"),
    ("32000", "Auch", "05 62"), ("09100", "Pamiers", "05 61"), ("34000", "Montpellier", "04 67"),
    ("30100", "Alès", "04 66"), ("11000", "Carcassonne", "04 68"), ("66000", "Perpignan", "04 68"),
]  # fmt: skip
STREETS = [
    "rue de l'Industrie", "avenue Pierre-Gilles de Gennes", "route de Toulouse", "chemin de la Plaine",
    "zone d'activités de la Prade", "boulevard de l'Europe", "rue des Artisans", "avenue de la Gare",
    "impasse des Tanneurs", "rue Jean Jaurès", "allée des Platanes", "avenue Albert Thomas",
]  # fmt: skip

# (legal name, NAF code, sector, postal code, city): fictitious companies of the region. The sector is
# the engineering option whose apprentices they host (the BTS goes to genindus and materiaux).
EMPLOYERS = [
    ("Énergies Tarnaises SAS", "35.11Z", "energies", "81000", "Albi"),
    ("Hydroélectricité des Causses SA", "35.11Z", "energies", "12100", "Millau"),
    ("Occitanie Biogaz SAS", "35.21Z", "energies", "32000", "Auch"),
    ("Thermatec Sud-Ouest SARL", "43.22B", "energies", "31400", "Toulouse"),
    ("Solaire d'Oc Ingénierie SAS", "71.12B", "energies", "34000", "Montpellier"),
    ("Réseaux de Chaleur Albigeois SAS", "35.30Z", "energies", "81000", "Albi"),
    ("Hydrogène Vert du Midi SAS", "20.11Z", "energies", "65000", "Tarbes"),
    ("Turbines Pyrénées Services SAS", "33.12Z", "energies", "65000", "Tarbes"),
    ("Aérostructures du Tarn SAS", "30.30Z", "genindus", "81000", "Albi"),
    ("Mécanique de Précision du Ségala SAS", "25.62B", "genindus", "81400", "Carmaux"),
    ("Usinage Carmausin SARL", "25.62A", "genindus", "81400", "Carmaux"),
    ("Robotique du Lauragais SAS", "28.99B", "genindus", "81500", "Lavaur"),
    ("Chaudronnerie Albigeoise SAS", "25.29Z", "genindus", "81160", "Saint-Juéry"),
    ("Électromécanique Castraise SA", "27.11Z", "genindus", "81100", "Castres"),
    ("Équipements Aéronautiques Garonne SAS", "30.30Z", "genindus", "31700", "Blagnac"),
    ("Logistique Industrielle Tarn-et-Garonne SAS", "52.10B", "genindus", "82000", "Montauban"),
    ("Ingénierie Process Sud SAS", "71.12B", "genindus", "31770", "Colomiers"),
    ("Emballages du Sud-Ouest SAS", "17.21A", "genindus", "81600", "Gaillac"),
    ("Ferroviaire de Figeac SAS", "30.20Z", "genindus", "46100", "Figeac"),
    ("Automatismes et Systèmes d'Oc SARL", "33.20C", "genindus", "31000", "Toulouse"),
    ("Céramiques Techniques du Quercy SAS", "23.44Z", "materiaux", "46100", "Figeac"),
    ("Alliages Légers du Rouergue SAS", "24.42Z", "materiaux", "12300", "Decazeville"),
    ("Polymères Sud Innovation SAS", "20.16Z", "materiaux", "31400", "Toulouse"),
    ("Tanneries de Graulhet SA", "15.11Z", "materiaux", "81300", "Graulhet"),
    ("Textiles Techniques de Mazamet SAS", "13.96Z", "materiaux", "81200", "Mazamet"),
    ("Bétons et Granulats du Tarn SAS", "23.63Z", "materiaux", "81000", "Albi"),
    ("Verrerie du Carmausin SAS", "23.13Z", "materiaux", "81400", "Carmaux"),
    ("Composites d'Occitanie SAS", "22.29A", "materiaux", "31700", "Blagnac"),
    ("Fonderie de la Montagne Noire SA", "24.51Z", "materiaux", "81200", "Mazamet"),
    ("Laboratoires Pharmatarn SAS", "21.20Z", "pharmagro", "81100", "Castres"),
    ("Biomédicaments du Sidobre SAS", "21.20Z", "pharmagro", "81100", "Castres"),
    ("Laboratoires Dermatologiques de l'Agout SAS", "21.20Z", "pharmagro", "81500", "Lavaur"),
    ("Santé Animale Occitanie SAS", "21.20Z", "pharmagro", "31000", "Toulouse"),
    ("Fromageries des Causses SCA", "10.51C", "pharmagro", "12100", "Millau"),
    ("Salaisons des Monts de Lacaune SAS", "10.13A", "pharmagro", "81100", "Castres"),
    ("Conserverie Gasconne SAS", "10.39A", "pharmagro", "32000", "Auch"),
    ("Coopérative Céréalière du Lauragais SCA", "46.21Z", "pharmagro", "31400", "Toulouse"),
    ("Vignerons de Gaillac Associés SCA", "11.02A", "pharmagro", "81600", "Gaillac"),
    ("Biscuiterie de l'Albigeois SAS", "10.72Z", "pharmagro", "81000", "Albi"),
    ("Nutrition Animale du Ségala SAS", "10.91Z", "pharmagro", "12000", "Rodez"),
]
# The employers of the two named apprentices.
EMPLOYER_A = "Aérostructures du Tarn SAS"
EMPLOYER_B = "Laboratoires Pharmatarn SAS"

COMPANY_TUTOR_JOBS = [
    ("Responsable méthodes", "Ingénieur"),
    ("Ingénieur procédés", "Ingénieur"),
    ("Responsable de production", "Ingénieur"),
    ("Responsable qualité", "Master"),
    ("Ingénieur R&D", "Doctorat"),
    ("Chef de projet industrialisation", "Ingénieur"),
    ("Responsable maintenance", "Ingénieur"),
    ("Directeur technique", "Ingénieur"),
    ("Ingénieur énergie", "Ingénieur"),
    ("Responsable amélioration continue", "Master"),
    ("Responsable HSE", "Master"),
    ("Responsable d'atelier", "Licence professionnelle"),
]

SCHOOL_DEPARTMENTS = {
    "genindus": "Centre Génie industriel",
    "materiaux": "Institut Clément Ader Albi",
    "procedes": "Centre RAPSODEE",
    "bts": "Section BTS CPRP",
}


@dataclasses.dataclass(frozen=True)
class Account:
    email: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    in_organisation: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    phone: str = ""


@dataclasses.dataclass(frozen=True)
class NamedAccount:
    email: str
    description: str


@dataclasses.dataclass
class Plan:
    """Every object of the demo, keyed by natural keys: references name other objects by their key."""

    accounts: list[Account] = dataclasses.field(default_factory=list)
    named_accounts: list[NamedAccount] = dataclasses.field(default_factory=list)
    heads: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    staff_group_members: list[str] = dataclasses.field(default_factory=list)
    disability_referent: str = ""
    mobility_referent: str = ""
    cohorts: list[dict] = dataclasses.field(default_factory=list)
    calendars: list[dict] = dataclasses.field(default_factory=list)
    employers: list[dict] = dataclasses.field(default_factory=list)
    company_tutors: list[dict] = dataclasses.field(default_factory=list)
    school_tutors: list[dict] = dataclasses.field(default_factory=list)
    apprentices: list[dict] = dataclasses.field(default_factory=list)
    legal_representatives: list[dict] = dataclasses.field(default_factory=list)
    contracts: list[dict] = dataclasses.field(default_factory=list)


class _People:
    """Hands out people with distinct e-mail addresses, none sharing a name with a named account
    (a tutor and an apprentice with the same name would look like family)."""

    def __init__(self, rng: random.Random, taken: set[str], reserved_last_names: set[str]):
        self.rng = rng
        self.taken = taken
        self.last_names = [name for name in LAST_NAMES if name not in reserved_last_names]

    def new(self, sex: str | None = None) -> tuple[str, str, str, str]:
        while True:
            person_sex = sex or self.rng.choice("FM")
            names = FEMALE_FIRST_NAMES if person_sex == "F" else MALE_FIRST_NAMES
            first, last = self.rng.choice(names), self.rng.choice(self.last_names)
            email = f"{ascii_slug(first)}.{ascii_slug(last)}@{DEMO_DOMAIN}"
            if email not in self.taken:
                self.taken.add(email)
                return first, last, person_sex, email


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _elapsed_hours(rng, planned: int, start: datetime.date, end: datetime.date, day: datetime.date) -> int:
    """Training hours done by ``day``, in proportion to the time elapsed, a little behind schedule."""
    ratio = min(1.0, max(0.0, (day - start).days / (end - start).days))
    return round(planned * ratio * rng.uniform(0.92, 1.0))


def build_plan() -> Plan:
    rng = random.Random(SEED)
    plan = Plan()
    named = {
        "apprenti": ("Camille", "Rouquette", "F"),
        "apprenti2": ("Hugo", "Bousquet", "M"),
        "tuteur": ("Sébastien", "Marty", "M"),
        "tuteur2": ("Aurélie", "Vidal", "F"),
        "enseignant": ("Olivier", "Cazals", "M"),
        "responsable": ("Isabelle", "Delmas", "F"),
        "staff": ("Nadia", "Benali", "F"),
        "admin": ("François", "Bonnafous", "M"),
    }
    taken = {_email(local) for local in named}
    people = _People(rng, taken, {last for _, last, _ in named.values()})

    def account(email, first, last, roles, **extra):
        plan.accounts.append(Account(email, first, last, tuple(str(role) for role in roles), **extra))

    # Staff of the organisation.
    account(_email("admin"), *named["admin"][:2], [Role.ADMIN], is_staff=True, is_superuser=True)
    account(_email("staff"), *named["staff"][:2], [Role.STAFF], is_staff=True, phone="05 63 49 30 00")
    plan.staff_group_members.append(_email("staff"))
    first, last, _, disability = people.new("F")
    account(disability, first, last, [Role.STAFF])
    plan.disability_referent = disability
    first, last, _, mobility = people.new("M")
    account(mobility, first, last, [Role.STAFF])
    plan.mobility_referent = mobility

    # Academic staff: the head of the engineering diploma also follows apprentices.
    school_tutor_specs = [
        (
            _email("enseignant"),
            *named["enseignant"][:2],
            "Enseignant-chercheur",
            "genindus",
            [Role.SCHOOL_TUTOR],
        ),
        (
            _email("responsable"),
            *named["responsable"][:2],
            "Maîtresse-assistante, responsable de la formation par apprentissage",
            "genindus",
            [Role.HEAD_OF_DIPLOMA, Role.SCHOOL_TUTOR],
        ),
    ]
    for job, department in [
        ("Enseignant-chercheur", "materiaux"),
        ("Enseignante-chercheuse", "procedes"),
        ("Maître de conférences", "procedes"),
        ("Professeur agrégé de génie mécanique", "bts"),
    ]:
        first, last, _, email = people.new("F" if "chercheuse" in job else "M")
        school_tutor_specs.append((email, first, last, job, department, [Role.SCHOOL_TUTOR]))
    for email, first, last, job, department, roles in school_tutor_specs:
        account(email, first, last, roles, phone=phone(rng, "05 63"))
        plan.school_tutors.append(
            {"user": email, "job_title": job, "department": SCHOOL_DEPARTMENTS[department]}
        )
    first, last, _, bts_head = people.new("F")
    account(bts_head, first, last, [Role.HEAD_OF_DIPLOMA])
    plan.heads = {ING: [_email("responsable")], BTS: [bts_head]}
    ing_school_tutors = [spec[0] for spec in school_tutor_specs[:5]]
    bts_school_tutor = school_tutor_specs[5][0]

    # Employers, each with one or two maîtres d'apprentissage.
    sirets = set()
    tutors_by_employer: dict[str, list[str]] = {}
    employers_by_sector: dict[str, list[str]] = {}
    named_employers = {}
    for legal_name, naf, sector, postal_code, city in EMPLOYERS:
        siret = random_siret(rng)
        while siret in sirets:
            siret = random_siret(rng)
        sirets.add(siret)
        prefix = next(p for code, _, p in PLACES if code[:2] == postal_code[:2])
        hr_first, hr_last, _, _ = people.new()
        domain = ascii_slug(legal_name.rsplit(" ", 1)[0]) + "." + DEMO_DOMAIN
        plan.employers.append(
            {
                "siret": siret,
                "legal_name": legal_name,
                "naf_code": naf,
                "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                "postal_code": postal_code,
                "city": city,
                "hr_contact_name": f"{hr_first} {hr_last}",
                "hr_contact_email": f"recrutement@{domain}",
                "hr_contact_phone": phone(rng, prefix),
            }
        )
        employers_by_sector.setdefault(sector, []).append(siret)
        if legal_name in (EMPLOYER_A, EMPLOYER_B):
            named_employers[legal_name] = siret
        tutor_people = [people.new() for _ in range(rng.choice([1, 1, 2]))]
        if legal_name == EMPLOYER_A:
            tutor_people.insert(0, (*named["tuteur"], _email("tuteur")))
        elif legal_name == EMPLOYER_B:
            tutor_people.insert(0, (*named["tuteur2"], _email("tuteur2")))
        for first, last, _sex, email in tutor_people[:2]:
            job, qualification = rng.choice(COMPANY_TUTOR_JOBS)
            trained = rng.random() < 0.6
            plan.company_tutors.append(
                {
                    "employer": siret,
                    "email": email,
                    "first_name": first,
                    "last_name": last,
                    "phone": phone(rng, "06"),
                    "job_title": job,
                    "qualification": qualification,
                    "years_of_experience": rng.randint(3, 25),
                    "training_date": datetime.date(rng.randint(2019, 2025), 11, rng.randint(3, 28))
                    if trained
                    else None,
                }
            )
            tutors_by_employer.setdefault(siret, []).append(email)
    # Each sector's employers take apprentices in turn, so that most host one or several.
    turns = {sector: 0 for sector in employers_by_sector}

    def next_employer(sector: str, avoid: str = "") -> str:
        candidates = [s for s in employers_by_sector[sector] if s != avoid]
        siret = candidates[turns[sector] % len(candidates)]
        turns[sector] += 1
        return siret

    # Apprentices, cohort by cohort, and their contracts.
    options = [code for code, _ in DIPLOMAS[0]["options"]]
    ines = set()
    tutor_of_contract: list[tuple[dict, tuple]] = []
    for diploma, entries in COHORT_ENTRIES.items():
        duration = next(d["duration_years"] for d in DIPLOMAS if d["code"] == diploma)
        for entry in entries:
            plan.cohorts.append(
                {
                    "diploma": diploma,
                    "entry_year": f"{entry}-{entry + 1}",
                    "label": f"Promotion {entry}-{entry + duration}",
                }
            )
            rentree = ing_rentree(entry) if diploma == ING else bts_rentree(entry)
            planned_end = (
                datetime.date(entry + duration, 9, 30)
                if diploma == ING
                else datetime.date(entry + duration, 8, 31)
            )
            years_in = REFERENCE_DATE.year - entry
            for index in range(COHORT_SIZES[diploma, entry]):
                special = (diploma, entry, index)
                if special == (ING, 2025, 0):
                    first, last, sex = named["apprenti"]
                    email, option, sector = _email("apprenti"), "genindus", "genindus"
                elif special == (ING, 2025, 1):
                    first, last, sex = named["apprenti2"]
                    email, option, sector = _email("apprenti2"), "pharmagro", "pharmagro"
                else:
                    first, last, sex, email = people.new()
                    option = rng.choice(options) if diploma == ING else None
                    sector = option or rng.choice(["genindus", "genindus", "materiaux"])
                if diploma == ING:
                    age = 20 + years_in + rng.choice([0, 0, 1])
                elif entry == 2026 and index < 5:
                    age = 17  # straight from the bac: still minors in November 2026
                else:
                    age = 17 + years_in + rng.choice([0, 1, 1, 2])
                ine = f"{rng.randrange(10**8, 10**9)}{rng.choice(UAI_KEYS)}{rng.choice('ABCDEFGHJK')}"
                while ine in ines:
                    ine = f"{rng.randrange(10**8, 10**9)}{ine[-2:]}"
                ines.add(ine)
                postal_code, city, _ = rng.choice(PLACES)
                birth_date = birth_date_for_age(rng, age)
                plan.apprentices.append(
                    {
                        "ine": ine,
                        "user": email,
                        "first_name": first,
                        "last_name": last,
                        "sex": sex,
                        "birth_date": birth_date,
                        "email": email,
                        "phone": phone(rng, rng.choice(["06", "07"])),
                        "address": f"{rng.randint(1, 80)} {rng.choice(STREETS)}",
                        "postal_code": postal_code,
                        "city": city,
                        "cohort": (diploma, f"{entry}-{entry + 1}"),
                        "option": option,
                        "rqth": False,
                    }
                )
                account(email, first, last, [Role.APPRENTICE])
                if age < 18:
                    for relationship in ["Mère", "Père"][: rng.choice([1, 2, 2])]:
                        parent_first, parent_last, _, parent_email = people.new(
                            "F" if relationship == "Mère" else "M"
                        )
                        plan.legal_representatives.append(
                            {
                                "apprentice": ine,
                                "first_name": parent_first,
                                "last_name": last
                                if relationship == "Père" or rng.random() < 0.5
                                else parent_last,
                                "relationship": relationship,
                                "email": parent_email,
                                "phone": phone(rng, "06"),
                            }
                        )

                if special in WITHOUT_CONTRACT:
                    continue
                if special == (ING, 2025, 0):
                    employer = named_employers[EMPLOYER_A]
                elif special == (ING, 2025, 1):
                    employer = named_employers[EMPLOYER_B]
                else:
                    employer = next_employer(sector)
                start = rentree + datetime.timedelta(days=rng.choice([-14, -7, 0, 0, 0, 0, 0, 7, 21]))
                if special in {(ING, 2025, 0), (ING, 2025, 1)}:
                    start = rentree
                hours_planned = HOURS_PLANNED[diploma]
                contract = {
                    "apprentice": ine,
                    "employer": employer,
                    "diploma": diploma,
                    "option": option,
                    "start_date": start,
                    "planned_end_date": planned_end,
                    "status": "active",
                    "rupture_date": None,
                    "rupture_cause": "",
                    "hours_planned": hours_planned,
                    "hours_done": 0,
                    "diploma_outcome": "unknown",
                    "diploma_outcome_date": None,
                }
                contracts = [contract]
                if special in RUPTURES:
                    rupture_date, cause, new_employer = RUPTURES[special]
                    contract.update(status="ruptured", rupture_date=rupture_date, rupture_cause=cause)
                    contract["hours_done"] = _elapsed_hours(
                        rng, hours_planned, start, planned_end, rupture_date
                    )
                    if new_employer:
                        resumed = rupture_date + datetime.timedelta(days=rng.choice([18, 25, 32]))
                        resumed += datetime.timedelta(days=-resumed.weekday())
                        contracts.append(
                            {
                                **contract,
                                "employer": next_employer(sector, avoid=employer),
                                "start_date": resumed,
                                "status": "active",
                                "rupture_date": None,
                                "rupture_cause": "",
                                "hours_planned": hours_planned - contract["hours_done"],
                            }
                        )
                elif special in ABANDONED:
                    contract["status"] = "abandoned"
                    left = start + (REFERENCE_DATE - start) // 2
                    contract["hours_done"] = _elapsed_hours(rng, hours_planned, start, planned_end, left)
                final = contracts[-1]
                if final["status"] == "active":
                    final["hours_done"] = _elapsed_hours(
                        rng, final["hours_planned"], final["start_date"], planned_end, REFERENCE_DATE
                    )
                    if planned_end < REFERENCE_DATE:
                        final["status"] = "completed"
                        final["hours_done"] = final["hours_planned"] - rng.choice([0, 0, 0, 7, 14])
                        outcome = OUTCOMES_2023.get(index, "yes")
                        final["diploma_outcome"] = outcome
                        if outcome != "unknown":
                            final["diploma_outcome_date"] = JURY_DATE
                for item in contracts:
                    plan.contracts.append(item)
                    tutor_of_contract.append((item, special))

    # A few apprentices with a disability, followed by the referent.
    named_emails = {_email("apprenti"), _email("apprenti2")}
    for apprentice in rng.sample([a for a in plan.apprentices if a["email"] not in named_emails], 6):
        apprentice.update(rqth=True, disability_referent=plan.disability_referent)

    # Tutors: the named ones follow the named apprentices; enseignant@ follows about ten apprentices.
    current_ing = [
        i
        for i, (c, special) in enumerate(tutor_of_contract)
        if c["diploma"] == ING and c["status"] == "active" and special[2] > 1
    ]
    for_enseignant = set(rng.sample(current_ing, 8))
    for i, (contract, special) in enumerate(tutor_of_contract):
        employer_tutors = tutors_by_employer[contract["employer"]]
        if special == (ING, 2025, 0):
            company_tutor, school_tutor = _email("tuteur"), _email("enseignant")
        elif special == (ING, 2025, 1):
            company_tutor, school_tutor = _email("tuteur2"), _email("enseignant")
        else:
            # The named tutors take every apprentice of their company, so that they follow several.
            named_tutor = contract["employer"] in named_employers.values()
            company_tutor = employer_tutors[0] if named_tutor else rng.choice(employer_tutors)
            if contract["diploma"] == BTS:
                school_tutor = bts_school_tutor
            elif i in for_enseignant:
                school_tutor = _email("enseignant")
            else:
                school_tutor = rng.choice(ing_school_tutors[1:])
        contract["company_tutor"] = (contract["employer"], company_tutor)
        contract["school_tutor"] = school_tutor

    # Maîtres d'apprentissage with a current apprentice have an account; the others act from e-mailed links.
    active_tutors = {c["company_tutor"] for c in plan.contracts if c["status"] == "active"}
    for tutor in plan.company_tutors:
        if (tutor["employer"], tutor["email"]) in active_tutors:
            tutor["user"] = tutor["email"]
            account(
                tutor["email"],
                tutor["first_name"],
                tutor["last_name"],
                [Role.COMPANY_TUTOR],
                in_organisation=False,
                phone=tutor["phone"],
            )
        else:
            tutor["user"] = None

    for year in CALENDAR_YEARS:
        for diploma in DIPLOMAS:
            for year_of_study in range(1, diploma["duration_years"] + 1):
                plan.calendars.append(
                    {
                        "diploma": diploma["code"],
                        "academic_year": year,
                        "year_of_study": year_of_study,
                        "periods": calendar_periods(diploma["code"], year, year_of_study),
                    }
                )

    plan.named_accounts = [
        NamedAccount(_email("apprenti"), f"ING-ALB 2e année, option Génie industriel, chez {EMPLOYER_A}"),
        NamedAccount(_email("apprenti2"), f"ING-ALB 2e année, option PharmAgro, chez {EMPLOYER_B}"),
        NamedAccount(_email("tuteur"), f"{EMPLOYER_A}, suit apprenti@"),
        NamedAccount(_email("tuteur2"), f"{EMPLOYER_B}, suit apprenti2@"),
        NamedAccount(_email("enseignant"), "suit une dizaine d'apprentis, dont apprenti@ et apprenti2@"),
        NamedAccount(_email("responsable"), "responsable de ING-ALB, suit aussi des apprentis"),
        NamedAccount(
            _email("staff"), f"voit toute l'organisation, administration (groupe « {STAFF_GROUP} »)"
        ),
        NamedAccount(_email("admin"), "superutilisateur"),
    ]
    return plan
