import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apprentices.models import AlternanceCalendar, AlternancePeriod
from core.models import ActionLink, AuditEvent, Signature
from livret.models import (
    ActionItem,
    Evaluation,
    GridSharing,
    LiaisonSheet,
    MissionDescription,
    Rating,
    VisitReport,
)
from livret.services import sheets as services
from tests.apprentices.factories import CalendarFactory, ContractFactory

SheetStatus = LiaisonSheet.Status

APPRENTICE_TEXT = {
    "activities": "Mise à jour des gammes de fabrication avec le service méthodes.",
    "competences_used": "Analyse de données de production.",
    "difficulties": "Prise en main de l'ERP.",
    "school_company_gap": "Le cours de gestion de production m'a servi.",
}


def free_company_period(contract, taken=None) -> AlternancePeriod:
    """The first company period of the contract's calendar that ``taken`` (rows with a ``period``;
    by default the contract's current sheets) does not use; the calendar of the apprentice's cohort
    year is created when the diploma has none."""
    if taken is None:
        taken = LiaisonSheet.objects.filter(contract=contract, is_current=True)
    calendar = AlternanceCalendar.objects.filter(diploma=contract.diploma).order_by("pk").first()
    if calendar is None:
        calendar = CalendarFactory(
            diploma=contract.diploma, academic_year=contract.apprentice.cohort.entry_year
        )
    period = (
        calendar.periods.filter(kind=AlternancePeriod.Kind.COMPANY)
        .exclude(pk__in=taken.values("period"))
        .order_by("start_date")
        .first()
    )
    if period is None:
        raise ValueError(f"Le calendrier {calendar.pk} n'a plus de période en entreprise libre.")
    return period


def sign(sheet, act, *, via=Signature.Via.SESSION, signer=None, name="Signataire", email="s@exemple.test"):
    """A signature row as the services write it (content and hash included)."""
    return services.sign(sheet, act=act, signer=signer, name=name, email=email, via=via)


class LiaisonSheetFactory(DjangoModelFactory):
    """A draft sheet of the first free company period of its contract's calendar.

    Traits ``submitted``, ``countersigned``, ``reviewed`` (each implies the previous ones) and
    ``returned`` set the state, its texts and dates, and write the signatures that state carries.
    """

    class Meta:
        model = LiaisonSheet
        skip_postgeneration_save = True

    class Params:
        filled = factory.Trait(**APPRENTICE_TEXT)
        submitted = factory.Trait(
            filled=True, status=SheetStatus.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )
        countersigned = factory.Trait(
            submitted=True,
            status=SheetStatus.COUNTERSIGNED,
            tutor_assessment="Bonne implication, autonomie en progrès.",
            countersigned_at=factory.LazyFunction(timezone.now),
        )
        reviewed = factory.Trait(
            countersigned=True,
            status=SheetStatus.REVIEWED,
            school_comment="Fiche lue ; à reprendre en visite.",
            reviewed_at=factory.LazyFunction(timezone.now),
        )
        returned = factory.Trait(
            filled=True,
            status=SheetStatus.RETURNED,
            submitted_at=factory.LazyFunction(timezone.now),
            return_reason="Merci de détailler les compétences mobilisées.",
        )

    contract = factory.SubFactory(ContractFactory)
    period = factory.LazyAttribute(lambda o: free_company_period(o.contract))
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    status = SheetStatus.DRAFT

    @factory.post_generation
    def signatures(self, create, extracted, **kwargs):
        """The signatures of the state: ``signatures=False`` writes none."""
        if not create or extracted is False:
            return
        if self.status in {SheetStatus.SUBMITTED, SheetStatus.COUNTERSIGNED, SheetStatus.REVIEWED}:
            apprentice = self.contract.apprentice
            sign(
                self,
                Signature.Act.SUBMIT,
                signer=apprentice.user,
                name=str(apprentice),
                email=apprentice.user.email if apprentice.user else apprentice.email,
            )
        if self.status in {SheetStatus.COUNTERSIGNED, SheetStatus.REVIEWED}:
            tutor = self.contract.company_tutor
            sign(
                self,
                Signature.Act.COUNTERSIGN,
                via=Signature.Via.LINK,
                signer=tutor.user,
                name=str(tutor),
                email=tutor.email,
            )


VisitStatus = VisitReport.Status
MissionStatus = MissionDescription.Status

VISIT_TEXT = {
    "integration": "Bien intégré à l'équipe méthodes ; apprécié de ses collègues.",
    "missions_adequacy": "Missions en phase avec le bloc « Organisation industrielle ».",
    "progress": "Autonomie en nette progression sur l'analyse des temps de cycle.",
    "difficulties": "Charge de travail élevée en fin de mois.",
}
MISSION_TEXT = {
    "missions": "Analyse des flux de l'atelier, mise à jour des gammes, suivi des indicateurs de production.",
    "expected_progression": "Autonome sur l'analyse des temps en fin d'année.",
    "project_subject": "Réduction de 15 % du temps de changement de série sur la ligne 2",
    "project_description": "Méthode SMED appliquée à la ligne 2, avec l'équipe de production.",
}


class VisitReportFactory(DjangoModelFactory):
    """A planned visit of its contract. Traits: ``reported`` (logged and shared, with the school tutor's
    signature), ``acknowledged`` (and read by the apprentice and the company tutor), ``cancelled``."""

    class Meta:
        model = VisitReport
        skip_postgeneration_save = True

    class Params:
        reported = factory.Trait(
            status=VisitStatus.REPORTED,
            held_on=factory.LazyAttribute(lambda o: o.planned_date),
            apprentice_present=True,
            company_tutor_present=True,
            reported_at=factory.LazyFunction(timezone.now),
            **VISIT_TEXT,
        )
        acknowledged = factory.Trait(
            reported=True, status=VisitStatus.ACKNOWLEDGED, acknowledged_at=factory.LazyFunction(timezone.now)
        )
        cancelled = factory.Trait(status=VisitStatus.CANCELLED, cancel_reason="Entreprise fermée ce jour-là.")

    contract = factory.SubFactory(ContractFactory)
    planned_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    mode = VisitReport.Mode.ON_SITE

    @factory.post_generation
    def signatures(self, create, extracted, **kwargs):
        """The signatures of the state: ``signatures=False`` writes none."""
        if not create or extracted is False or self.status in {VisitStatus.PLANNED, VisitStatus.CANCELLED}:
            return
        school_tutor = self.contract.school_tutor
        services.sign_document(
            self,
            self.report_content(),
            act=Signature.Act.REPORT,
            signer=school_tutor.user,
            name=str(school_tutor),
            email=school_tutor.user.email,
            via=Signature.Via.SESSION,
        )
        if self.status == VisitStatus.ACKNOWLEDGED:
            apprentice, tutor = self.contract.apprentice, self.contract.company_tutor
            for person, email in ((apprentice, apprentice.email), (tutor, tutor.email)):
                services.sign_document(
                    self,
                    self.report_content(),
                    act=Signature.Act.ACKNOWLEDGE,
                    signer=None,
                    name=str(person),
                    email=email,
                    via=Signature.Via.LINK,
                )


class ActionItemFactory(DjangoModelFactory):
    class Meta:
        model = ActionItem

    class Params:
        done = factory.Trait(done_on=factory.LazyFunction(timezone.localdate))

    opened_in = factory.SubFactory(VisitReportFactory, reported=True)
    contract = factory.SelfAttribute("opened_in.contract")
    description = factory.Sequence(lambda n: f"Action de suivi n° {n}")
    owner = ActionItem.Owner.APPRENTICE
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class MissionDescriptionFactory(DjangoModelFactory):
    """A draft description of its contract for the world's academic year. Traits: ``filled``,
    ``submitted``, ``validated``, ``returned``."""

    class Meta:
        model = MissionDescription

    class Params:
        filled = factory.Trait(**MISSION_TEXT)
        submitted = factory.Trait(
            filled=True, status=MissionStatus.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )
        validated = factory.Trait(
            submitted=True, status=MissionStatus.VALIDATED, decided_at=factory.LazyFunction(timezone.now)
        )
        returned = factory.Trait(
            filled=True,
            status=MissionStatus.RETURNED,
            submitted_at=factory.LazyFunction(timezone.now),
            decided_at=factory.LazyFunction(timezone.now),
            return_comment="Précisez le sujet du projet entreprise.",
        )

    contract = factory.SubFactory(ContractFactory)
    academic_year = factory.LazyAttribute(lambda o: o.contract.apprentice.cohort.entry_year)


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = Evaluation

    contract = factory.SubFactory(ContractFactory)
    period = factory.LazyAttribute(
        lambda o: free_company_period(o.contract, taken=Evaluation.objects.filter(contract=o.contract))
    )


class RatingFactory(DjangoModelFactory):
    class Meta:
        model = Rating

    evaluation = factory.SubFactory(EvaluationFactory)
    rater = Rating.Rater.TUTOR
    level = Rating.Level.IN_PROGRESS


class GridSharingFactory(DjangoModelFactory):
    class Meta:
        model = GridSharing

    contract = factory.SubFactory(ContractFactory)
    shared_on = factory.LazyAttribute(lambda o: o.contract.start_date + datetime.timedelta(days=10))


# Helpers shared by the livret tests --------------------------------------------------------------


def snapshot(*sheets) -> dict:
    """Everything a refused action must leave as it was: the sheets' rows, and the number of sheets,
    signatures, audit events and action links (with their expiry and use)."""
    return {
        "rows": [LiaisonSheet.objects.filter(pk=sheet.pk).values().get() for sheet in sheets],
        "sheets": LiaisonSheet.objects.count(),
        "signatures": list(Signature.objects.order_by("pk").values_list("pk", "act", "content_sha256")),
        "events": AuditEvent.objects.count(),
        "links": list(ActionLink.objects.order_by("pk").values_list("pk", "expires_at", "used_at")),
    }


def small_world():
    """The conftest's ``World`` reduced to its own contract (``other`` and ``foreign`` are None) with
    a user per role: enough for workflow tests, a third of the cost of the full one."""
    from core.models import Role
    from tests.conftest import World, build_chain
    from tests.core.factories import AcademicYearFactory, OrganisationFactory, UserFactory

    organisation = OrganisationFactory(name="CFA des Tests")
    year = AcademicYearFactory()
    mine = build_chain(organisation, year, with_accounts=True)
    users = {
        "apprentice": mine.apprentice.user,
        "company_tutor": mine.company_tutor.user,
        "school_tutor": mine.school_tutor.user,
        "head_of_diploma": mine.diploma.heads.get(),
        "staff": UserFactory(organisation=organisation, roles=[Role.STAFF], is_staff=True),
        "admin": UserFactory(organisation=organisation, roles=[Role.ADMIN], is_staff=True),
    }
    for user in users.values():
        user.__dict__.pop("roles", None)
    return World(organisation, None, year, mine, None, None, users)


# Competence frameworks (the DiplomaFactory gives a diploma none) ----------------------------------


class CompetenceBlockFactory(DjangoModelFactory):
    class Meta:
        model = "apprentices.CompetenceBlock"

    diploma = factory.SubFactory("tests.apprentices.factories.DiplomaFactory")
    code = factory.Sequence(lambda n: f"BC{n}")
    title = factory.Sequence(lambda n: f"Bloc de compétences {n}")
    order = factory.Sequence(lambda n: n)


class CompetenceFactory(DjangoModelFactory):
    class Meta:
        model = "apprentices.Competence"

    block = factory.SubFactory(CompetenceBlockFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    title = factory.Sequence(lambda n: f"Compétence n° {n}")
    order = factory.Sequence(lambda n: n)


def competence_framework(diploma, *, blocks: int = 2, per_block: int = 3) -> list:
    """``blocks`` more blocks of ``per_block`` competences for ``diploma``, after its others, in order."""
    return [
        CompetenceFactory(block=block)
        for _ in range(blocks)
        for block in [CompetenceBlockFactory(diploma=diploma)]
        for _ in range(per_block)
    ]


# Mission descriptions through their services (real signatures, decisions, audit events) -------------


def mission_in(contract, status, *, writer=None, head=None, empty=False, **values):
    """A current description of ``contract`` for the apprentice's cohort year in ``status``, brought
    there by the services: written (``MISSION_TEXT`` with ``values``; nothing if ``empty``) and
    submitted by ``writer`` (by default the apprentice), decided by ``head`` (by default the diploma's
    first head)."""
    from livret.services import missions as mission_services

    writer = writer or contract.apprentice.user
    head = head or contract.diploma.heads.order_by("pk").first()
    mission = mission_services.create_mission(
        contract=contract, academic_year=contract.apprentice.cohort.entry_year, by=writer
    )
    if empty:
        return mission
    mission = mission_services.save_draft(
        mission=mission, by=writer, values={**MISSION_TEXT, **values}, revision=mission.revision
    )
    if status == MissionStatus.DRAFT:
        return mission
    mission = mission_services.submit(mission=mission, by=writer)
    if status == MissionStatus.VALIDATED:
        return mission_services.validate(mission=mission, by=head, comment="Validée.")
    if status == MissionStatus.RETURNED:
        return mission_services.return_mission(mission=mission, by=head, comment="Précisez le projet.")
    return mission


def mission_snapshot(*missions) -> dict:
    """Everything a refused mission transition must leave as it was."""
    from livret.models import MissionDecision

    return {
        "rows": [MissionDescription.objects.filter(pk=m.pk).values().get() for m in missions],
        "missions": MissionDescription.objects.count(),
        "decisions": list(MissionDecision.objects.order_by("pk").values()),
        "signatures": list(Signature.objects.order_by("pk").values_list("pk", "act", "content_sha256")),
        "events": AuditEvent.objects.count(),
    }
