"""The demonstration data set: who and what ``manage.py seed_demo`` puts in the database.

Everything here is plain Python and deterministic (a fixed random seed, a fixed reference date), so
that two runs describe exactly the same objects and the command can look them up by natural key.
:func:`build_plan` draws the people, companies and contracts of the CFA that :mod:`demo.diplomas`
describes, from the names of :mod:`demo.names`.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

from core.models import Role
from core.validators import UAI_KEYS
from demo.diplomas import BTS, CALENDAR_YEARS, DIPLOMAS, ING, bts_rentree, calendar_periods, ing_rentree
from demo.identifiers import ascii_slug, phone, random_siret
from demo.names import (
    COMPANY_TUTOR_JOBS,
    EMPLOYER_A,
    EMPLOYER_B,
    EMPLOYERS,
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    PLACES,
    SCHOOL_DEPARTMENTS,
    STREETS,
)

DEMO_PASSWORD = "demo-apprentissage"
DEMO_DOMAIN = "demo.test"
SEED = 2025
# Ages, hours done and statuses are computed for this day, not for the day the command runs, so that
# the data set stays the same whenever it is loaded.
REFERENCE_DATE = datetime.date(2026, 11, 21)
STAFF_GROUP = "Équipe CFA"


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birth_date_for_age(rng: random.Random, age: int) -> datetime.date:
    """A birth date at which someone is exactly ``age`` on the reference date."""
    latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age)
    return latest - datetime.timedelta(days=rng.randrange(365))


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
