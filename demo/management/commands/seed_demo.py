"""Load the demonstration data set described in :mod:`demo.plan`, then its booklet
(:mod:`demo.booklet`) and its trajectoire qualité (:mod:`demo.trajectory`).

Every object is looked up by its natural key and only the missing ones are inserted, in bulk, so that
a second run finds everything in place and writes nothing. ``bulk_create`` skips
``AuditedModel.save``: the audit events of the audited objects are written here instead.
"""

from __future__ import annotations

from collections import Counter
from operator import attrgetter

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
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
    DiplomaOption,
    LegalRepresentative,
)
from core.audit import AuditedModel
from core.models import AcademicYear, AuditEvent, Organisation, Role, User, UserRole
from demo.booklet import seed_livret
from demo.diplomas import ACADEMIC_YEARS, DIPLOMAS, ORGANISATION, academic_year_dates
from demo.jobs import seed_jobs
from demo.plan import DEMO_PASSWORD, REFERENCE_DATE, STAFF_GROUP, Plan, age_on, build_plan
from demo.surveys import seed_surveys
from demo.trajectory import seed_quality
from employers.models import Employer
from tutors.models import CompanyTutor, SchoolTutor

STAFF_GROUP_APPS = ["apprentices", "employers", "tutors"]


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (IMT Mines Albi : formations, calendriers, employeurs, "
        f"tuteurs, apprentis, contrats, comptes au mot de passe « {DEMO_PASSWORD} »). "
        "Relancée, la commande ne crée ni ne modifie rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="N'affiche rien, sauf les erreurs.")

    def handle(self, *args, quiet=False, **options):
        plan = build_plan()
        self.created = Counter()
        self.to_audit = []
        with transaction.atomic():
            self.load(plan)
        # The booklet's sheets open from today's calendar, as the hourly job would open them.
        with transaction.atomic():
            self.livret = seed_livret(today=timezone.localdate())
        # The surveys (satisfaction, end of training, insertion) before the indicators that read them.
        with transaction.atomic():
            self.surveys = seed_surveys(today=timezone.localdate())
        # The job offers and their digests to the former apprentices, read by poste 4's indicators.
        with transaction.atomic():
            self.jobs = seed_jobs(today=timezone.localdate())
        # The trajectoire qualité reads the booklet: its register, evidence and indicators come last.
        with transaction.atomic():
            self.quality = seed_quality(today=timezone.localdate())
        if not quiet:
            self.report(plan)

    def ensure(self, model, keys, objects, prepare=None):
        """Insert the objects whose natural key is not in the database; return {key: saved object}.

        The first key field is the one filtered on, so it should be the most selective.
        """
        key = attrgetter(*keys)
        wanted = {key(obj): obj for obj in objects}
        lookup = {f"{keys[0]}__in": {getattr(obj, keys[0]) for obj in objects}}
        found = {key(obj): obj for obj in model._default_manager.filter(**lookup)}
        missing = [obj for k, obj in wanted.items() if k not in found]
        if missing:
            if prepare:
                prepare(missing)
            model._default_manager.bulk_create(missing)
            self.created[model] += len(missing)
            if issubclass(model, AuditedModel):
                self.to_audit.extend(missing)
        found.update((key(obj), obj) for obj in missing)
        return found

    def load(self, plan: Plan) -> None:
        organisation, created = Organisation.objects.get_or_create(
            name=ORGANISATION["name"], defaults=ORGANISATION
        )
        self.created[Organisation] += created
        years = self.ensure(
            AcademicYear,
            ["label"],
            [
                AcademicYear(label=label, start_date=start, end_date=end)
                for label in ACADEMIC_YEARS
                for start, end in [academic_year_dates(label)]
            ],
        )
        users = self.load_accounts(plan, organisation)

        # Only fill empty referents: someone may have chosen others since.
        referents = {
            "disability_referent": plan.disability_referent,
            "mobility_referent": plan.mobility_referent,
        }
        changed = [field for field in referents if getattr(organisation, f"{field}_id") is None]
        for field in changed:
            setattr(organisation, field, users[referents[field]])
        if changed:
            organisation.save(update_fields=changed)

        diplomas = self.ensure(
            Diploma,
            ["code"],
            [
                Diploma(
                    organisation=organisation,
                    **{
                        k: spec[k]
                        for k in ("code", "title", "level", "rncp_code", "cfd_code", "duration_years")
                    },
                )
                for spec in DIPLOMAS
            ],
        )
        for code, emails in plan.heads.items():
            diplomas[code].heads.add(*(users[email] for email in emails))
        options = self.ensure(
            DiplomaOption,
            ["diploma_id", "code"],
            [
                DiplomaOption(diploma=diplomas[spec["code"]], code=code, name=name)
                for spec in DIPLOMAS
                for code, name in spec["options"]
            ],
        )
        blocks = self.ensure(
            CompetenceBlock,
            ["diploma_id", "code"],
            [
                CompetenceBlock(diploma=diplomas[spec["code"]], code=code, title=title, order=order)
                for spec in DIPLOMAS
                for order, (code, title, _) in enumerate(spec["blocks"], start=1)
            ],
        )
        self.ensure(
            Competence,
            ["block_id", "code"],
            [
                Competence(block=block, code=f"C{b}.{c}", title=title, order=c)
                for spec in DIPLOMAS
                for b, (code, _, titles) in enumerate(spec["blocks"], start=1)
                for block in [blocks[diplomas[spec["code"]].pk, code]]
                for c, title in enumerate(titles, start=1)
            ],
        )
        cohorts = self.ensure(
            Cohort,
            ["diploma_id", "entry_year_id"],
            [
                Cohort(diploma=diplomas[c["diploma"]], entry_year=years[c["entry_year"]], label=c["label"])
                for c in plan.cohorts
            ],
        )
        calendars = self.ensure(
            AlternanceCalendar,
            ["diploma_id", "academic_year_id", "year_of_study"],
            [
                AlternanceCalendar(
                    diploma=diplomas[c["diploma"]],
                    academic_year=years[c["academic_year"]],
                    year_of_study=c["year_of_study"],
                )
                for c in plan.calendars
            ],
        )
        self.ensure(
            AlternancePeriod,
            ["calendar_id", "start_date"],
            [
                AlternancePeriod(
                    calendar=calendars[
                        diplomas[c["diploma"]].pk, years[c["academic_year"]].pk, c["year_of_study"]
                    ],
                    **period,
                )
                for c in plan.calendars
                for period in c["periods"]
            ],
        )

        employers = self.ensure(
            Employer,
            ["siret", "organisation_id"],
            [Employer(organisation=organisation, **fields) for fields in plan.employers],
        )
        employers = {siret: employer for (siret, _), employer in employers.items()}
        school_tutors = self.ensure(
            SchoolTutor,
            ["user_id"],
            [
                SchoolTutor(
                    organisation=organisation,
                    user=users[t["user"]],
                    job_title=t["job_title"],
                    department=t["department"],
                )
                for t in plan.school_tutors
            ],
        )
        company_tutors = self.ensure(
            CompanyTutor,
            ["email", "employer_id"],
            [
                CompanyTutor(
                    employer=employers[t["employer"]],
                    user=users[t["user"]] if t["user"] else None,
                    **{k: v for k, v in t.items() if k not in ("employer", "user")},
                )
                for t in plan.company_tutors
            ],
        )
        apprentices = self.ensure(
            Apprentice,
            ["ine"],
            [
                self.apprentice(a, organisation, users, diplomas, cohorts, options, years)
                for a in plan.apprentices
            ],
        )
        self.ensure(
            LegalRepresentative,
            ["apprentice_id", "email"],
            [
                LegalRepresentative(
                    apprentice=apprentices[r["apprentice"]],
                    **{k: v for k, v in r.items() if k != "apprentice"},
                )
                for r in plan.legal_representatives
            ],
        )
        self.ensure(
            Contract,
            ["apprentice_id", "employer_id", "start_date"],
            [
                Contract(
                    **{
                        **c,
                        "apprentice": apprentices[c["apprentice"]],
                        "employer": employers[c["employer"]],
                        "company_tutor": company_tutors[c["company_tutor"][1], employers[c["employer"]].pk],
                        "school_tutor": school_tutors[users[c["school_tutor"]].pk],
                        "diploma": diplomas[c["diploma"]],
                        "option": options[diplomas[c["diploma"]].pk, c["option"]] if c["option"] else None,
                    }
                )
                for c in plan.contracts
            ],
        )
        self.write_audit_events()

    def load_accounts(self, plan: Plan, organisation) -> dict[str, User]:
        users = self.ensure(
            User,
            ["email"],
            [
                User(
                    email=a.email,
                    first_name=a.first_name,
                    last_name=a.last_name,
                    phone=a.phone,
                    organisation=organisation if a.in_organisation else None,
                    is_staff=a.is_staff,
                    is_superuser=a.is_superuser,
                )
                for a in plan.accounts
            ],
            prepare=self.set_password,
        )
        self.ensure(
            UserRole,
            ["user_id", "role"],
            [UserRole(user=users[a.email], role=role) for a in plan.accounts for role in a.roles],
        )
        # Login is refused until the address is verified.
        self.ensure(
            EmailAddress,
            ["user_id", "email"],
            [
                EmailAddress(user=users[a.email], email=a.email, verified=True, primary=True)
                for a in plan.accounts
            ],
            prepare=self.keep_existing_primary,
        )
        group, created = Group.objects.get_or_create(name=STAFF_GROUP)
        self.created[Group] += created
        group.permissions.add(
            *Permission.objects.filter(
                Q(content_type__app_label__in=STAFF_GROUP_APPS, codename__regex=r"^(add|change|view)_")
                | Q(content_type__app_label="core", codename="view_auditevent")
            )
        )
        for email in plan.staff_group_members:
            users[email].groups.add(group)
        return users

    @staticmethod
    def set_password(users) -> None:
        # Hashing is deliberately slow: once for all demo accounts, which share the password anyway.
        hashed = make_password(DEMO_PASSWORD)
        for user in users:
            user.password = hashed

    @staticmethod
    def keep_existing_primary(addresses) -> None:
        # An account made before the demo may already have a primary address: a second would be refused.
        users = [address.user_id for address in addresses]
        with_primary = set(
            EmailAddress.objects.filter(user__in=users, primary=True).values_list("user_id", flat=True)
        )
        for address in addresses:
            address.primary = address.user_id not in with_primary

    @staticmethod
    def apprentice(a, organisation, users, diplomas, cohorts, options, years) -> Apprentice:
        diploma_code, entry_year = a["cohort"]
        diploma = diplomas[diploma_code]
        fields = {k: v for k, v in a.items() if k not in ("user", "cohort", "option", "disability_referent")}
        return Apprentice(
            organisation=organisation,
            user=users[a["user"]],
            cohort=cohorts[diploma.pk, years[entry_year].pk],
            option=options[diploma.pk, a["option"]] if a["option"] else None,
            disability_referent=users[a["disability_referent"]] if a.get("disability_referent") else None,
            **fields,
        )

    def write_audit_events(self) -> None:
        events = [
            AuditEvent(
                action=f"{obj._meta.label_lower}.created",
                target_type=AuditEvent.content_type_for(type(obj)),
                target_id=obj.pk,
                target_repr=str(obj)[:200],
                data={"source": "seed_demo"},
            )
            for obj in self.to_audit
        ]
        AuditEvent.objects.bulk_create(events)
        self.created[AuditEvent] += len(events)

    def report(self, plan: Plan) -> None:
        minors = sum(age_on(a["birth_date"], REFERENCE_DATE) < 18 for a in plan.apprentices)
        statuses = Counter(c["status"] for c in plan.contracts)
        periods = sum(len(c["periods"]) for c in plan.calendars)
        write = self.stdout.write
        write(self.style.MIGRATE_HEADING(f"Données de démonstration « {ORGANISATION['name']} »"))
        write(
            f"  {len(DIPLOMAS)} formations, {len(plan.cohorts)} promotions, "
            f"{len(plan.calendars)} calendriers d'alternance ({periods} périodes)"
        )
        write(
            f"  {len(plan.employers)} employeurs, {len(plan.company_tutors)} maîtres d'apprentissage, "
            f"{len(plan.school_tutors)} tuteurs pédagogiques"
        )
        write(f"  {len(plan.apprentices)} apprentis dont {minors} mineurs, {len(plan.accounts)} comptes")
        write(
            f"  {len(plan.contracts)} contrats : {statuses['active']} en cours, {statuses['completed']} "
            f"terminés, {statuses['ruptured']} rompus, {statuses['abandoned']} abandons"
        )
        total = sum(self.created.values())
        if total:
            write(
                self.style.SUCCESS(
                    f"  {total} objets créés, dont {self.created[AuditEvent]} événements d'audit."
                )
            )
        else:
            write(self.style.SUCCESS("  Tout était déjà en place : rien n'a été créé ni modifié."))
        livret = self.livret
        if any(livret.get(key) for key in ("opened", "visits", "missions", "evaluations", "sharings")):
            write(
                f"  Livret : {livret['opened']} fiches de liaison ouvertes ({livret['moved']} avancées), "
                f"{livret.get('visits', 0)} visites, {livret.get('missions', 0)} descriptions des missions, "
                f"{livret.get('evaluations', 0)} évaluations, {livret.get('sharings', 0)} grilles partagées."
            )
        if self.jobs:
            write("  Offres d'emploi : " + ", ".join(f"{n} {what}" for what, n in self.jobs.items()) + ".")
        if self.quality:
            write("  Qualité : " + ", ".join(f"{n} {what}" for what, n in self.quality.items()) + ".")
        write("")
        write(self.style.MIGRATE_HEADING(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD})"))
        roles_of = {a.email: a.roles for a in plan.accounts}
        width = max(len(n.email) for n in plan.named_accounts)
        for named in plan.named_accounts:
            labels = ", ".join(str(Role(role).label) for role in roles_of[named.email])
            write(f"  {named.email:<{width}}  {labels} : {named.description}")
