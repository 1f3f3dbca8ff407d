"""The synthetic CFA of ``manage.py benchmark``: one organisation with years of history, written in bulk
(PostgreSQL's ``COPY``, ``bulk_create`` elsewhere: :mod:`benchmark.copy`), and the people whose pages are
measured.

Everything is deterministic for a seed and sized from the number of apprentices: about one diploma per
100 apprentices, one employer per 3, one school tutor per 20, contracts spread over the years (some
ruptured, some completed, some followed by a second contract), and the booklet each contract would
have by today (:mod:`benchmark.booklet`), and the meeting register. Writing in bulk skips
``AuditedModel.save``: no audit event is written, which a benchmark does not need.

The caller runs :func:`generate` inside a transaction that it rolls back.
"""

from __future__ import annotations

import datetime
import random
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.utils import timezone

from apprentices.models import (
    AlternanceCalendar,
    AlternancePeriod,
    Apprentice,
    Cohort,
    Competence,
    CompetenceBlock,
    Contract,
    Diploma,
)
from benchmark.booklet import BookletWriter
from benchmark.copy import copy_rows
from core.models import AcademicYear, Organisation, Role, User, UserRole
from demo.identifiers import random_siret
from employers.models import Employer
from livret.models import LiaisonSheet
from quality.models import Meeting
from tutors.models import CompanyTutor, SchoolTutor

DOMAIN = "bench.invalid"
# One diploma in LATE_EVERY starts its current year LATE_ENTRY_DAYS ago; this share of its entrants is
# still looking for an employer.
LATE_EVERY = 10
LATE_ENTRY_DAYS = 60
SEARCHING_SHARE = 0.2
FIRST_NAMES = ["Camille", "Lucas", "Inès", "Hugo", "Léa", "Nathan", "Chloé", "Yanis", "Manon", "Adam"]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
]


@dataclass
class Personas:
    """The people whose pages are measured, each following a real share of the data, and the objects
    of their daily pages."""

    users: dict[str, User]
    apprentice: Apprentice
    contract: Contract
    sheet: LiaisonSheet
    diploma: Diploma
    year: AcademicYear


@dataclass
class Generated:
    organisation: Organisation
    years: list[AcademicYear]
    diplomas: list[Diploma]
    personas: Personas
    counts: dict[str, int] = field(default_factory=dict)


def academic_year_start(today: datetime.date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Generator(BookletWriter):
    def __init__(self, *, apprentices: int, years: int, seed: int, today: datetime.date, log=None):
        self.n = max(apprentices, 1)
        self.n_years = max(years, 1)
        self.rng = random.Random(seed)
        self.today = today
        self.now = timezone.now()
        self.token = f"{seed}{secrets.token_hex(3)}"
        self.log = log or (lambda message: None)
        self.counts: dict[str, int] = {}
        self.password = UNUSABLE_PASSWORD_PREFIX + "benchmark"

    # Helpers -------------------------------------------------------------------------------------

    def bulk(self, model, rows):
        created = copy_rows(model, rows)
        key = model._meta.verbose_name_plural
        self.counts[str(key)] = self.counts.get(str(key), 0) + len(created)
        return created

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def users(self, kind: str, count: int, role: str, **extra) -> list[User]:
        users = []
        for i in range(count):
            first, last = self.person()
            users.append(
                User(
                    email=f"{kind}{i}.{self.token}@{DOMAIN}",
                    first_name=first,
                    last_name=f"{last}-{kind}{i}",
                    organisation=self.organisation,
                    password=self.password,
                    **extra,
                )
            )
        users = self.bulk(User, users)
        self.bulk(UserRole, [UserRole(user=user, role=role) for user in users])
        return users

    def late(self, diploma: Diploma) -> bool:
        """Whether ``diploma`` starts its current year late (never the measured apprentice's, the first)."""
        return diploma.pk in self.late_diplomas

    def past(self, day: datetime.date) -> bool:
        return day < self.today

    def stamp(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        """A moment of ``day``, never after now."""
        return min(at(day, hour), self.now)

    # The organisation and its referential --------------------------------------------------------

    def run(self) -> Generated:
        self.organisation = Organisation.objects.create(
            name=f"CFA Benchmark {self.token}", kind=Organisation.Kind.BOTH, postal_code="75013", city="Paris"
        )
        self.make_years()
        self.make_people()
        self.make_diplomas()
        self.make_companies()
        self.make_apprentices_and_contracts()
        self.make_booklets()
        self.make_meetings()
        return Generated(self.organisation, self.years, self.diplomas, self.personas(), self.counts)

    def make_years(self):
        first = academic_year_start(self.today)
        self.years = []
        for k in range(self.n_years - 1, -1, -1):
            start = first - k
            year, _ = AcademicYear.objects.get_or_create(
                label=f"{start}-{start + 1}",
                defaults={
                    "start_date": datetime.date(start, 9, 1),
                    "end_date": datetime.date(start + 1, 8, 31),
                },
            )
            self.years.append(year)
        self.current_year = self.years[-1]

    def make_people(self):
        self.staff = self.users("staff", 1, Role.STAFF, is_staff=True)[0]
        self.admin = self.users("admin", 1, Role.ADMIN, is_staff=True, is_superuser=True)[0]
        n_diplomas = max(2, round(self.n / 100))
        self.heads = self.users("responsable", max(1, (n_diplomas + 1) // 2), Role.HEAD_OF_DIPLOMA)
        school_users = self.users("enseignant", max(1, round(self.n / 20)), Role.SCHOOL_TUTOR)
        self.school_tutors = self.bulk(
            SchoolTutor,
            [
                SchoolTutor(organisation=self.organisation, user=user, job_title="Enseignant")
                for user in school_users
            ],
        )
        self.n_diplomas = n_diplomas

    def make_diplomas(self):
        levels = list(Diploma.Level.values)[:5]
        self.diplomas = self.bulk(
            Diploma,
            [
                Diploma(
                    organisation=self.organisation,
                    code=f"B{self.token}-{i:04d}",
                    title=f"Formation de référence n° {i + 1}",
                    level=levels[i % len(levels)],
                    duration_years=3 if i % 4 == 3 else 2,
                )
                for i in range(self.n_diplomas)
            ],
        )
        self.late_diplomas = {d.pk for k, d in enumerate(self.diplomas) if k % LATE_EVERY == LATE_EVERY - 1}
        self.head_of = {d.pk: self.heads[i // 2 % len(self.heads)] for i, d in enumerate(self.diplomas)}
        copy_rows(
            Diploma.heads.through,
            [Diploma.heads.through(diploma_id=d.pk, user_id=self.head_of[d.pk].pk) for d in self.diplomas],
        )
        blocks = self.bulk(
            CompetenceBlock,
            [
                CompetenceBlock(diploma=d, code=f"BC{b + 1}", title=f"Bloc {b + 1}", order=b)
                for d in self.diplomas
                for b in range(2)
            ],
        )
        competences = self.bulk(
            Competence,
            [
                Competence(block=block, code=f"{block.code}.{c + 1}", title=f"Compétence {c + 1}", order=c)
                for block in blocks
                for c in range(3)
            ],
        )
        self.competences: dict[int, list[Competence]] = {}
        block_diploma = {block.pk: block.diploma_id for block in blocks}
        for competence in competences:
            self.competences.setdefault(block_diploma[competence.block_id], []).append(competence)
        # One diploma in ten starts its current year late, two months ago: a share of its entrants have no
        # contract yet, « inscrits sans contrat » whose three months (L6222-12-1) end within 30 days.
        late_start = max(self.current_year.start_date, self.today - datetime.timedelta(days=LATE_ENTRY_DAYS))
        self.cohorts = {
            (c.diploma_id, c.entry_year_id): c
            for c in self.bulk(
                Cohort,
                [
                    Cohort(
                        diploma=d,
                        entry_year=year,
                        label=f"Promotion {year.label}",
                        start_date=late_start if year == self.current_year and self.late(d) else None,
                    )
                    for d in self.diplomas
                    for year in self.years
                ],
            )
        }
        calendars = self.bulk(
            AlternanceCalendar,
            [
                AlternanceCalendar(diploma=d, academic_year=year, year_of_study=y + 1)
                for d in self.diplomas
                for year in self.years
                for y in range(d.duration_years)
            ],
        )
        periods = []
        for calendar in calendars:
            start = calendar.academic_year.start_date
            kinds = [AlternancePeriod.Kind.SCHOOL, AlternancePeriod.Kind.COMPANY]
            index = 0
            while start <= calendar.academic_year.end_date:
                end = min(start + datetime.timedelta(days=27), calendar.academic_year.end_date)
                periods.append(
                    AlternancePeriod(calendar=calendar, kind=kinds[index % 2], start_date=start, end_date=end)
                )
                start = end + datetime.timedelta(days=1)
                index += 1
        periods = self.bulk(AlternancePeriod, periods)
        # For each (diploma, year, year of study): its periods in order.
        by_calendar: dict[int, list[AlternancePeriod]] = {}
        for period in periods:
            by_calendar.setdefault(period.calendar_id, []).append(period)
        self.calendar_periods = {
            (c.diploma_id, c.academic_year_id, c.year_of_study): by_calendar[c.pk] for c in calendars
        }

    def make_companies(self):
        n_employers = max(1, round(self.n / 3))
        sirets: set[str] = set()
        while len(sirets) < n_employers:
            sirets.add(random_siret(self.rng))
        self.employers = self.bulk(
            Employer,
            [
                Employer(
                    organisation=self.organisation,
                    legal_name=f"Entreprise {i + 1:05d}",
                    siret=siret,
                    postal_code="31000",
                    city="Toulouse",
                )
                for i, siret in enumerate(sorted(sirets))
            ],
        )
        # One tutor per employer, a second one at one employer in five; half of them have an account.
        slots = [(e, 0) for e in self.employers] + [(e, 1) for e in self.employers[::5]]
        with_account = [i for i in range(len(slots)) if i == 0 or self.rng.random() < 0.5]
        accounts = iter(self.users("tuteur", len(with_account), Role.COMPANY_TUTOR))
        with_account = set(with_account)
        tutors = []
        for i, (employer, _rank) in enumerate(slots):
            first, last = self.person()
            trained = self.rng.random() < 0.6
            tutors.append(
                CompanyTutor(
                    employer=employer,
                    user=next(accounts) if i in with_account else None,
                    first_name=first,
                    last_name=last,
                    email=f"ma{i}.{self.token}@{DOMAIN}",
                    job_title="Responsable d'équipe",
                    years_of_experience=self.rng.randint(2, 20),
                    training_date=self.today - datetime.timedelta(days=self.rng.randint(30, 1500))
                    if trained
                    else None,
                )
            )
        self.company_tutors = self.bulk(CompanyTutor, tutors)
        self.tutors_of: dict[int, list[CompanyTutor]] = {}
        for tutor in self.company_tutors:
            self.tutors_of.setdefault(tutor.employer_id, []).append(tutor)

    # Apprentices and contracts --------------------------------------------------------------------

    def make_apprentices_and_contracts(self):
        rng = self.rng
        accounts = self.users("apprenti", self.n, Role.APPRENTICE)
        plan = []
        for i in range(self.n):
            diploma = self.diplomas[i % len(self.diplomas)]
            # The measured apprentice (0) is in the second year of a running contract, with history.
            entry_index = (
                (len(self.years) - 2 if len(self.years) > 1 else 0)
                if i == 0
                else rng.randrange(len(self.years))
            )
            # A share of the late diplomas' entrants of the year have no contract yet (never the measured).
            searching = (
                i != 0
                and entry_index == len(self.years) - 1
                and self.late(diploma)
                and rng.random() < SEARCHING_SHARE
            )
            plan.append((diploma, self.years[entry_index], searching))
        apprentices = []
        for i, (diploma, entry, _searching) in enumerate(plan):
            first, last = self.person()
            age = rng.randint(16, 26) if i else 20
            apprentices.append(
                Apprentice(
                    organisation=self.organisation,
                    user=accounts[i],
                    first_name=first,
                    last_name=f"{last}-{i}",
                    birth_date=self.today - datetime.timedelta(days=age * 365 + rng.randrange(365)),
                    sex=rng.choice(["F", "M"]),
                    email=accounts[i].email,
                    postal_code="31000",
                    city="Toulouse",
                    cohort=self.cohorts[(diploma.pk, entry.pk)],
                    rqth=rng.random() < 0.04,
                )
            )
        self.apprentices = self.bulk(Apprentice, apprentices)
        contracts = []
        for i, apprentice in enumerate(self.apprentices):
            diploma, entry, searching = plan[i]
            if searching:
                continue
            start = entry.start_date + datetime.timedelta(days=rng.randint(0, 40))
            planned_end = add_years(entry.start_date, diploma.duration_years) - datetime.timedelta(days=1)
            # ~20 apprentices per school tutor: apprentice 0 is followed by the measured tutor (0).
            school_tutor = self.school_tutors[(i // 20) % len(self.school_tutors)]
            employer = self.employers[0] if i == 0 else rng.choice(self.employers)
            contract = self.contract(apprentice, diploma, employer, school_tutor, start, planned_end)
            if i == 0:
                contract.company_tutor = self.tutors_of[employer.pk][0]
            else:
                self.rupture(contract, rng)
            contracts.append(contract)
            if contract.status == Contract.Status.RUPTURED and rng.random() < 0.35:
                restart = contract.rupture_date + datetime.timedelta(days=rng.randint(15, 60))
                if restart < min(self.today, planned_end - datetime.timedelta(days=30)):
                    other = rng.choice(self.employers)
                    second = self.contract(apprentice, diploma, other, school_tutor, restart, planned_end)
                    if second.employer_id != contract.employer_id:
                        contracts.append(second)
        self.contracts = self.bulk(Contract, contracts)

    def contract(self, apprentice, diploma, employer, school_tutor, start, planned_end) -> Contract:
        rng = self.rng
        hours = 400 * diploma.duration_years
        done_share = min(1.0, max(0.0, (self.today - start).days / max((planned_end - start).days, 1)))
        contract = Contract(
            apprentice=apprentice,
            employer=employer,
            company_tutor=rng.choice(self.tutors_of[employer.pk]),
            school_tutor=school_tutor,
            diploma=diploma,
            start_date=start,
            planned_end_date=planned_end,
            hours_planned=hours,
            hours_done=int(hours * done_share * rng.uniform(0.85, 1.0)),
        )
        if planned_end < self.today:
            contract.status = Contract.Status.COMPLETED
            obtained = rng.random() < 0.85
            contract.diploma_outcome = Contract.Outcome.OBTAINED if obtained else Contract.Outcome.FAILED
            contract.diploma_outcome_date = planned_end - datetime.timedelta(days=rng.randint(10, 60))
        return contract

    def rupture(self, contract: Contract, rng):
        draw = rng.random()
        if draw >= 0.17:
            return
        span = (min(self.today, contract.planned_end_date) - contract.start_date).days
        if span < 20:
            return
        contract.rupture_date = contract.start_date + datetime.timedelta(days=rng.randint(10, span - 5))
        contract.status = Contract.Status.ABANDONED if draw < 0.02 else Contract.Status.RUPTURED
        contract.rupture_cause = rng.choice(list(Contract.RuptureCause.values))
        contract.diploma_outcome = Contract.Outcome.UNKNOWN
        contract.diploma_outcome_date = None

    # The meeting register --------------------------------------------------------------------------

    def make_meetings(self):
        meetings, links_diploma, links_cohort = [], [], []
        for year in self.years:
            if year.start_date > self.today:
                continue
            plans = [("steering", "Comité de pilotage", 60, self.diplomas, [])]
            for d in self.diplomas:
                cohorts = [c for (dp, _y), c in self.cohorts.items() if dp == d.pk]
                plans.append(("council", f"Conseil de perfectionnement {d.code}", 150, [d], []))
                plans.append(("rentree", f"Réunion de rentrée {d.code}", 10, [d], cohorts))
                plans.append(("pedagogical", f"Réunion pédagogique {d.code}", 100, [d], []))
                for offset in (80, 170, 260):
                    plans.append(("debrief", f"Retour d'alternance {d.code}", offset, [d], cohorts))
            for kind, title, offset, diplomas, cohorts in plans:
                day = year.start_date + datetime.timedelta(days=offset)
                if day >= self.today:
                    continue
                meetings.append(
                    (
                        Meeting(
                            organisation=self.organisation,
                            kind=kind,
                            title=title,
                            held_on=day,
                            attendance=12,
                            attendees="Apprentis, maîtres d'apprentissage, équipe pédagogique",
                            recorded_by=self.staff,
                        ),
                        diplomas,
                        cohorts,
                    )
                )
        created = self.bulk(Meeting, [m for m, _d, _c in meetings])
        for meeting, (_m, diplomas, cohorts) in zip(created, meetings, strict=True):
            links_diploma += [
                Meeting.diplomas.through(meeting_id=meeting.pk, diploma_id=d.pk) for d in diplomas
            ]
            links_cohort += [Meeting.cohorts.through(meeting_id=meeting.pk, cohort_id=c.pk) for c in cohorts]
        copy_rows(Meeting.diplomas.through, links_diploma)
        copy_rows(Meeting.cohorts.through, links_cohort)

    # Who is measured -------------------------------------------------------------------------------

    def personas(self) -> Personas:
        contract = self.contracts[0]
        # The sheet of the apprentice's latest company period: the one everybody opens these days.
        sheet = LiaisonSheet.objects.filter(contract=contract).order_by("-due_date").first()
        head = self.heads[0]
        users = {
            "apprentice": contract.apprentice.user,
            "company_tutor": contract.company_tutor.user,
            "school_tutor": contract.school_tutor.user,
            "head_of_diploma": head,
            "staff": self.staff,
            "admin": self.admin,
        }
        return Personas(
            users={role: user for role, user in users.items() if user is not None},
            apprentice=contract.apprentice,
            contract=contract,
            sheet=sheet,
            diploma=contract.diploma,
            year=self.current_year,
        )


def generate(*, apprentices: int, years: int, seed: int, today: datetime.date | None = None, log=None):
    return Generator(
        apprentices=apprentices, years=years, seed=seed, today=today or timezone.localdate(), log=log
    ).run()
