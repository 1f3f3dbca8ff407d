"""Every mail of the booklet, built one way: a subject that names the platform, a pair of templates
(plain text and HTML), and for a person without an account, a link that lets them act on one document.

The tasks in ``livret.tasks`` call these; a service never mails directly, it queues the task on commit.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.mail import send_templated
from core.models import User
from core.workflow import links
from core.workflow.links import LinkKind
from core.workflow.signatures import signatures_of
from livret import calendar
from livret.links import EVALUATION, SHEET, VISIT
from livret.models import Evaluation, LiaisonSheet, MissionDecision, MissionDescription, VisitReport
from livret.readers import has_acknowledged, link_readers
from livret.windows import HELD


def subject(text: str) -> str:
    """A subject names the platform first, as every mail of the booklet does."""
    return _("%(platform)s : %(text)s") % {"platform": settings.PLATFORM_NAME, "text": text}


def send(*, to: str, text: str, template: str, context: dict, attachments=()) -> None:
    send_templated(
        subject=subject(text),
        template=template,
        context={"platform_name": settings.PLATFORM_NAME, **context},
        to=[to],
        attachments=attachments,
    )


def send_link(kind: LinkKind, document, *, email: str, name: str, text: str, template: str, context) -> None:
    """Mail a fresh link to act on ``document`` to the person with ``email``."""
    _link, token = links.issue(document=document, action=kind.action, email=email, name=name)
    send(
        to=email,
        text=text,
        template=template,
        context={**context, "url": kind.url(document, token), "days": settings.LIVRET_LINK_VALID_DAYS},
    )


def _to_company_tutor(kind: LinkKind, document, *, text: str, template: str, context: dict) -> bool:
    """Mail the company tutor on file a link to act on ``document``; False when there is no one to."""
    if document is None or document.contract.company_tutor is None:
        return False
    tutor, apprentice = document.contract.company_tutor, document.contract.apprentice
    send_link(
        kind,
        document,
        email=tutor.email,
        name=str(tutor),
        text=text % {"apprentice": apprentice},
        template=template,
        context={**context, "tutor": tutor, "apprentice": apprentice},
    )
    return True


def countersign_request(sheet_id: int) -> bool:
    """Mail the company tutor a link to countersign the submitted sheet."""
    sheet = (
        LiaisonSheet.objects.filter(pk=sheet_id, status=LiaisonSheet.Status.SUBMITTED, is_current=True)
        .select_related("contract__apprentice", "contract__company_tutor", "period")
        .first()
    )
    return _to_company_tutor(
        SHEET,
        sheet,
        text=_("fiche de liaison de %(apprentice)s à contresigner"),
        template="livret/email/countersign_request",
        context={"sheet": sheet},
    )


def evaluation_request(evaluation_id: int) -> bool:
    """Mail the company tutor a link to fill the evaluation grid of a period (grille d'évaluation)."""
    evaluation = (
        Evaluation.objects.filter(pk=evaluation_id, tutor_submitted_at__isnull=True)
        .select_related("contract__apprentice", "contract__company_tutor", "period")
        .first()
    )
    return _to_company_tutor(
        EVALUATION,
        evaluation,
        text=_("évaluer les compétences de %(apprentice)s"),
        template="livret/email/evaluation_request",
        context={"evaluation": evaluation},
    )


def acknowledge_requests(visit_id: int, email: str | None = None) -> int:
    """Mail each reader with a link (company tutor, legal representatives of a minor) who has not yet
    acknowledged the report a fresh link; only ``email`` when given. Returns the number of mails."""
    visit = (
        VisitReport.objects.filter(pk=visit_id, status__in=HELD)
        .select_related(
            "contract__apprentice__user", "contract__company_tutor", "contract__school_tutor__user", "author"
        )
        .first()
    )
    if visit is None:
        return 0
    signatures = list(signatures_of(visit))
    apprentice = visit.contract.apprentice
    if visit.author is not None:
        author = visit.author.get_full_name() or visit.author.email
    else:
        author = str(visit.contract.school_tutor or "")
    sent = 0
    for reader in link_readers(visit.contract):
        if (email and reader.email != email.lower()) or has_acknowledged(reader, signatures):
            continue
        send_link(
            VISIT,
            visit,
            email=reader.email,
            name=reader.name,
            text=_("compte rendu de visite de %(apprentice)s à lire") % {"apprentice": apprentice},
            template="livret/email/visit_acknowledge_request",
            context={
                "visit": visit,
                "reader": reader,
                "apprentice": apprentice,
                "author": author,
            },
        )
        sent += 1
    return sent


def sheet_returned(sheet_id: int) -> bool:
    """Mail the apprentice that their sheet was sent back, with the reason; False when it no longer
    waits for them (corrected and sent again meanwhile) or they have no address."""
    sheet = (
        LiaisonSheet.objects.filter(pk=sheet_id, status=LiaisonSheet.Status.RETURNED, is_current=True)
        .select_related("contract__apprentice__user", "contract__company_tutor", "period")
        .first()
    )
    if sheet is None:
        return False
    apprentice = sheet.contract.apprentice
    email = apprentice.user.email if apprentice.user_id else apprentice.email
    if not email:
        return False
    send(
        to=email,
        text=_("votre fiche de liaison vous est renvoyée"),
        template="livret/email/sheet_returned",
        context={
            "sheet": sheet,
            "apprentice": apprentice,
            "url": settings.SITE_URL + sheet.get_absolute_url(),
        },
    )
    return True


def visit_invitations(visit_id: int, method: str) -> int:
    """Mail the apprentice and the company tutor the calendar invitation of a planned visit
    (``REQUEST``: planned or moved) or its cancellation (``CANCEL``), with the date and time in the
    mail itself. Nothing when the visit is no longer in that state (held, or cancelled meanwhile).
    Returns the number of mails."""
    wanted = VisitReport.Status.CANCELLED if method == "CANCEL" else VisitReport.Status.PLANNED
    visit = (
        VisitReport.objects.filter(pk=visit_id, status=wanted)
        .select_related(
            "contract__apprentice__user",
            "contract__employer",
            "contract__company_tutor",
            "contract__school_tutor__user",
        )
        .first()
    )
    if visit is None:
        return 0
    if method == "CANCEL":
        text = _("visite du %(day)s annulée") % {"day": visit.planned_date.strftime("%d/%m/%Y")}
    else:
        text = _("visite en entreprise le %(day)s") % {"day": visit.planned_date.strftime("%d/%m/%Y")}
    sent = 0
    for email, name in calendar.visit_people(visit):
        send(
            to=email,
            text=text,
            template="livret/email/visit_invitation",
            context={
                "visit": visit,
                "name": name,
                "cancelled": method == "CANCEL",
                "moved": method != "CANCEL" and visit.invitation_sequence > 0,
                "school_tutor": visit.contract.school_tutor,
                "apprentice": visit.contract.apprentice,
            },
            attachments=[calendar.invitation_part(visit, method)],
        )
        sent += 1
    return sent


def mission_decided(decision_id: int) -> int:
    """Mail the apprentice and the company tutor the head's decision on their mission description
    (validated, or to revise with the head's comment). Returns the number of mails."""
    decision = (
        MissionDecision.objects.filter(pk=decision_id)
        .select_related(
            "decided_by",
            "mission__academic_year",
            "mission__contract__apprentice__user",
            "mission__contract__company_tutor",
        )
        .first()
    )
    if decision is None:
        return 0
    mission = decision.mission
    contract = mission.contract
    validated = decision.outcome == MissionDecision.Outcome.VALIDATED
    if validated:
        text = _("description des missions %(year)s validée") % {"year": mission.academic_year}
    else:
        text = _("description des missions %(year)s à reprendre") % {"year": mission.academic_year}
    apprentice, tutor = contract.apprentice, contract.company_tutor
    people = [(apprentice.user.email if apprentice.user_id else apprentice.email, apprentice.first_name)]
    if tutor is not None:
        people.append((tutor.email, tutor.first_name))
    sent = 0
    for email, first_name in people:
        if not email:
            continue
        send(
            to=email,
            text=text,
            template="livret/email/mission_decided",
            context={
                "first_name": first_name,
                "mission": mission,
                "decision": decision,
                "validated": validated,
                "apprentice": apprentice,
                "head": decision.decided_by,
                "url": settings.SITE_URL + mission.get_absolute_url(),
            },
        )
        sent += 1
    return sent


def mission_reminder(mission_id: int, by_id: int | None = None) -> int:
    """Mail each head of the diploma that the description waits for their decision (staff's reminder).
    Nothing when it no longer waits. Returns the number of mails."""
    mission = (
        MissionDescription.objects.filter(
            pk=mission_id, status=MissionDescription.Status.SUBMITTED, is_current=True
        )
        .select_related("academic_year", "contract__apprentice", "contract__employer", "contract__diploma")
        .prefetch_related("contract__diploma__heads")
        .first()
    )
    if mission is None:
        return 0
    by = User.objects.filter(pk=by_id).first() if by_id else None
    days = (timezone.now() - mission.submitted_at).days
    sent = 0
    for head in mission.contract.diploma.heads.all():
        send(
            to=head.email,
            text=_("relance : description des missions de %(apprentice)s à valider")
            % {"apprentice": mission.contract.apprentice},
            template="livret/email/mission_reminder",
            context={
                "head": head,
                "mission": mission,
                "by": by,
                "days": days,
                "url": settings.SITE_URL + mission.get_absolute_url(),
            },
        )
        sent += 1
    return sent


def digest(*, email: str, name: str, items: list[dict], home_url: str) -> None:
    """One mail with everything that waits for a person (``livret.reminders``)."""
    todo = [item for item in items if not item["escalation"]]
    if todo:
        text = ngettext("%(n)s document vous attend", "%(n)s documents vous attendent", len(todo)) % {
            "n": len(todo)
        }
    else:
        text = _("des documents attendent chez vos apprentis")
    send(
        to=email,
        text=text,
        template="livret/email/digest",
        context={
            "name": name,
            "todo": todo,
            "told": [item for item in items if item["escalation"]],
            "home_url": home_url,
        },
    )
