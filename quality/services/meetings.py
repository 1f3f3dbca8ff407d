"""The meeting register: steering committees, councils, debriefs… each entered with its minutes when
given (kept as evidence)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record
from core.models import AcademicYear
from core.workflow import Refusal
from quality import perms
from quality.models import EvidenceKind, Meeting
from quality.services.checks import ensure_may_edit, ensure_open
from quality.services.evidence import add_evidence

MINUTES_KIND = {
    Meeting.Kind.STEERING: EvidenceKind.COPIL_MINUTES,
    Meeting.Kind.COUNCIL: EvidenceKind.COUNCIL_MINUTES,
}


def record_meeting(
    *, organisation_id, kind, title, held_on, diplomas, cohorts=(), attendance, attendees, minutes=None, by
) -> Meeting:
    """Enter a meeting in the register, with its minutes when given (stored as evidence)."""
    diplomas = list(diplomas)
    if not diplomas:
        raise Refusal(_("Choisissez au moins une formation concernée."))
    for diploma in diplomas:
        if diploma.organisation_id != organisation_id:
            raise Refusal(_("Cette formation n'est pas de votre établissement."))
        ensure_may_edit(by, diploma)
    if kind not in Meeting.Kind.values:
        raise Refusal(_("Choisissez le type de réunion."))
    if held_on is None:
        raise Refusal(_("Indiquez la date de la réunion."))
    if held_on > timezone.localdate():
        raise Refusal(_("Le registre consigne les réunions tenues : la date ne peut être à venir."))
    year = AcademicYear.objects.filter(start_date__lte=held_on, end_date__gte=held_on).first()
    if year is None:
        raise Refusal(_("Aucune année scolaire ne contient cette date."))
    ensure_open(organisation_id, year)
    cohorts = list(cohorts)
    if kind == Meeting.Kind.DEBRIEF and not cohorts:
        raise Refusal(_("Un retour d'alternance réunit une promotion : choisissez-la."))
    if any(cohort.diploma_id not in {d.pk for d in diplomas} for cohort in cohorts):
        raise Refusal(_("Chaque promotion choisie doit appartenir à une formation choisie."))
    if attendance is None or attendance < 1:
        raise Refusal(_("Indiquez le nombre de participants."))
    title = (title or "").strip() or str(Meeting.Kind(kind).label)
    if minutes and len(diplomas) > 1 and not perms.can_act_for_establishment(by, organisation_id):
        raise Refusal(
            _("Le compte rendu d'une réunion de plusieurs formations est déposé par l'équipe du CFA.")
        )
    evidence = None
    try:
        with transaction.atomic():
            if minutes:
                evidence = add_evidence(
                    organisation_id=organisation_id,
                    diploma=diplomas[0] if len(diplomas) == 1 else None,
                    year=year,
                    kind=MINUTES_KIND.get(kind, EvidenceKind.MEETING_MINUTES),
                    title=_("Compte rendu — %(title)s") % {"title": title},
                    upload=minutes,
                    attested_on=held_on,
                    by=by,
                )
            meeting = Meeting.objects.create(
                organisation_id=organisation_id,
                kind=kind,
                title=title[:200],
                held_on=held_on,
                attendance=attendance,
                attendees=(attendees or "").strip(),
                minutes=evidence,
                recorded_by=by,
            )
            meeting.diplomas.set(diplomas)
            meeting.cohorts.set(cohorts)
            record(
                "quality.meeting.created",
                meeting,
                {"kind": kind, "held_on": held_on, "year": year.label},
                actor=by,
            )
    except Exception:
        if evidence is not None:
            evidence.file.delete(save=False)
        raise
    return meeting
