"""Writes of the quality app: computing the indicators, thresholds, jalons, evidence, attestations, the
meeting register and the close of a campaign. Each write is atomic, checks its rules with a French
message (:class:`QualityRefusal`) and leaves an audit event; nothing is ever half-written."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Diploma
from core.audit import record
from core.models import AcademicYear
from quality import perms
from quality.indicators import INDICATORS
from quality.levels import evaluate, socle_floors, stricter_or_equal
from quality.models import (
    Attestation,
    Campaign,
    Comparison,
    ComputationRun,
    Evidence,
    EvidenceKind,
    FollowedIndicator,
    IndicatorValue,
    Meeting,
    Milestone,
    Perimeter,
    Requirement,
    Threshold,
    year_as_of,
)
from quality.snapshot import serialize
from quality.uploads import check_upload

logger = logging.getLogger(__name__)


class QualityRefusal(ValidationError):
    """A write refused for a reason the person can act on; the message is in French."""


def ensure_open(organisation_id: int, year: AcademicYear) -> None:
    """A closed campaign's year is frozen: nothing of it changes any more."""
    if Campaign.objects.filter(organisation_id=organisation_id, academic_year=year).exists():
        raise QualityRefusal(
            _("La campagne %(year)s est close : ses valeurs, seuils, jalons et preuves sont figés.")
            % {"year": year}
        )


def _ensure_requirement_of(requirement: Requirement, diploma, year: AcademicYear) -> None:
    """A jalon's requirement belongs to its own diploma and year; the referential's to every diploma."""
    if requirement.milestone_id and (
        requirement.milestone.diploma_id != diploma.pk or requirement.milestone.academic_year_id != year.pk
    ):
        raise QualityRefusal(_("Ce jalon appartient à une autre formation ou une autre année."))


def _ensure_may_edit(user, diploma) -> None:
    if not perms.can_edit_diploma(user, diploma):
        raise PermissionDenied(_("Vous ne pouvez pas modifier la trajectoire de cette formation."))


# Indicators ---------------------------------------------------------------------------------------


def compute_figures(
    diploma_ids, year: AcademicYear, as_of: datetime.date, progress=None
) -> list[IndicatorValue]:
    """Every indicator of ``diploma_ids`` for ``year``, in memory: nothing is written here."""
    now = timezone.now()
    rows = []
    for index, (code, indicator) in enumerate(INDICATORS.items(), start=1):
        for diploma_id, figure in indicator.compute(diploma_ids, year, as_of).items():
            rows.append(
                IndicatorValue(
                    diploma_id=diploma_id,
                    academic_year=year,
                    indicator=code,
                    numerator=figure.numerator,
                    denominator=figure.denominator,
                    value=figure.value,
                    computed_at=now,
                    as_of=as_of,
                )
            )
        if progress:
            progress(index, len(INDICATORS))
    return rows


def store_figures(rows: list[IndicatorValue]) -> int:
    """Upsert keyed by (diploma, year, indicator), in one transaction: a second run rewrites the same
    rows, and a failure leaves every previous value in place."""
    with transaction.atomic():
        IndicatorValue.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["diploma", "academic_year", "indicator"],
            update_fields=["numerator", "denominator", "value", "computed_at", "as_of"],
            batch_size=1000,
        )
    return len(rows)


def compute_indicators(*, year: AcademicYear, diplomas=None, today=None, progress=None) -> int:
    """Compute and store the indicators of ``diplomas`` (default: every diploma) for ``year``."""
    diplomas = Diploma.objects.all() if diplomas is None else diplomas
    ids = (
        list(diplomas.values_list("pk", flat=True))
        if hasattr(diplomas, "values_list")
        else [d.pk for d in diplomas]
    )
    if not ids:
        return 0
    return store_figures(compute_figures(ids, year, year_as_of(year, today), progress=progress))


def stale_after() -> datetime.timedelta:
    """A run still marked active this long after it was asked for died with its worker."""
    return datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)


def request_computation(*, organisation_id: int, year: AcademicYear, by=None, diploma=None) -> ComputationRun:
    """Queue a recomputation of the organisation's indicators for ``year``. Refused while another one
    is queued or running (a database constraint holds it, whatever the number of clicks). ``by`` None
    is the platform itself (a command, a task)."""
    if by is not None and not perms.can_recompute(by, organisation_id):
        raise PermissionDenied(_("Vous ne pouvez pas recalculer les indicateurs de cet établissement."))
    ensure_open(organisation_id, year)
    ComputationRun.objects.filter(
        organisation_id=organisation_id,
        academic_year=year,
        status__in=ComputationRun.ACTIVE,
        requested_at__lt=timezone.now() - stale_after(),
    ).update(status=ComputationRun.Status.FAILED, error=_("Interrompu (le calcul ne répondait plus)."))
    try:
        with transaction.atomic():
            run = ComputationRun.objects.create(
                organisation_id=organisation_id,
                academic_year=year,
                diploma=diploma,
                requested_by=by,
                total=len(INDICATORS),
            )
    except IntegrityError:
        active = ComputationRun.objects.filter(
            organisation_id=organisation_id, academic_year=year, status__in=ComputationRun.ACTIVE
        ).first()
        raise QualityRefusal(
            _(
                "Un calcul des indicateurs %(year)s est déjà en cours (%(done)s/%(total)s) : "
                "attendez qu'il se termine."
            )
            % {"year": year, "done": active.done if active else 0, "total": len(INDICATORS)}
        ) from None
    from quality.tasks import run_computation

    run_computation.delay_on_commit(run.pk)
    return run


def run_computation(run_id: int) -> ComputationRun:
    """Carry out a queued run, reporting its progress. On failure the previous values stay and the run
    says what went wrong."""
    claimed = ComputationRun.objects.filter(pk=run_id, status=ComputationRun.Status.QUEUED).update(
        status=ComputationRun.Status.RUNNING, started_at=timezone.now()
    )
    run = ComputationRun.objects.select_related("academic_year").get(pk=run_id)
    if not claimed:
        return run  # already carried out, or taken by another worker: idempotent

    def progress(done, total):
        ComputationRun.objects.filter(pk=run_id).update(done=done, total=total)

    diplomas = Diploma.objects.filter(organisation_id=run.organisation_id)
    if run.diploma_id:
        diplomas = diplomas.filter(pk=run.diploma_id)
    try:
        rows = compute_indicators(year=run.academic_year, diplomas=diplomas, progress=progress)
    except Exception as error:
        logger.exception("Calcul des indicateurs %s en échec", run_id)
        ComputationRun.objects.filter(pk=run_id).update(
            status=ComputationRun.Status.FAILED,
            finished_at=timezone.now(),
            error=_("Le calcul a échoué (%(error)s) : les valeurs précédentes sont conservées.")
            % {"error": type(error).__name__},
        )
    else:
        ComputationRun.objects.filter(pk=run_id).update(
            status=ComputationRun.Status.DONE, finished_at=timezone.now(), rows=rows, done=len(INDICATORS)
        )
    run.refresh_from_db()
    return run


# Thresholds and jalons ----------------------------------------------------------------------------


def parse_threshold(raw) -> Decimal:
    try:
        value = Decimal(str(raw).replace(",", ".").replace("%", "").strip())
    except (InvalidOperation, ValueError):
        raise QualityRefusal(_("Le seuil doit être un nombre, par exemple 90 ou 7,5.")) from None
    if not value.is_finite() or value < 0 or value > 100000:
        raise QualityRefusal(_("Le seuil doit être un nombre positif."))
    return value.quantize(Decimal("0.1"))


def check_against_floor(indicator: str, comparison: str, value: Decimal, floors=None) -> None:
    """No threshold on an indicator asks less than the socle's floor on that indicator."""
    floors = socle_floors() if floors is None else floors
    floor = floors.get(indicator)
    if floor is None or comparison != floor[0]:
        return
    if not stricter_or_equal(comparison, value, floor[1]):
        label = INDICATORS[indicator]
        raise QualityRefusal(
            _(
                "Le socle de la charte fixe « %(label)s » à %(floor)s : une formation peut relever ce seuil, "
                "pas l'abaisser (%(value)s demandé)."
            )
            % {
                "label": label.label,
                "floor": f"{Comparison(floor[0]).label} {label.format_value(floor[1])}",
                "value": label.format_value(value),
            }
        )


def current_threshold(requirement: Requirement, diploma, year) -> Decimal | None:
    latest = (
        Threshold.objects.filter(requirement=requirement, diploma=diploma, academic_year=year)
        .order_by("-version")
        .first()
    )
    return latest.value if latest else requirement.threshold


def set_threshold(
    *, requirement: Requirement, diploma, year: AcademicYear, value, reason: str, by
) -> Threshold:
    """A new version of ``requirement``'s threshold for the diploma and year, with why."""
    _ensure_may_edit(by, diploma)
    ensure_open(diploma.organisation_id, year)
    if requirement.kind != Requirement.Kind.COMPUTED or requirement.comparison == Comparison.AVAILABLE:
        raise QualityRefusal(_("Cette exigence n'a pas de seuil."))
    _ensure_requirement_of(requirement, diploma, year)
    value = parse_threshold(value)
    reason = (reason or "").strip()
    if not reason:
        raise QualityRefusal(_("Dites pourquoi le seuil change : le motif est conservé avec la version."))
    check_against_floor(requirement.indicator, requirement.comparison, value)
    with transaction.atomic():
        previous = current_threshold(requirement, diploma, year)
        if previous is not None and previous == value:
            raise QualityRefusal(_("Le seuil est déjà de %(value)s.") % {"value": value})
        last = (
            Threshold.objects.select_for_update()
            .filter(requirement=requirement, diploma=diploma, academic_year=year)
            .order_by("-version")
            .first()
        )
        version = Threshold.objects.create(
            requirement=requirement,
            diploma=diploma,
            academic_year=year,
            version=(last.version + 1) if last else 1,
            value=value,
            previous_value=previous,
            reason=reason[:500],
            changed_by=by,
        )
        record(
            "quality.threshold.changed",
            diploma,
            {
                "requirement": requirement.code or requirement.pk,
                "year": year.label,
                "from": previous,
                "to": value,
                "reason": reason,
            },
            actor=by,
        )
    return version


def create_milestone(
    *, diploma, year: AcademicYear, perimeter: Perimeter, title: str, requirements, by
) -> Milestone:
    """A jalon of one périmètre with its requirements (at least one), after the existing jalons.
    ``requirements`` are dicts: kind, label, and indicator/comparison/threshold or evidence_kind."""
    _ensure_may_edit(by, diploma)
    ensure_open(diploma.organisation_id, year)
    title = (title or "").strip()
    if not title:
        raise QualityRefusal(_("Donnez un intitulé au jalon."))
    # Rows of the form left blank are not requirements.
    requirements = [r for r in requirements if (r.get("label") or "").strip()]
    if not requirements:
        raise QualityRefusal(_("Un jalon a au moins une exigence : sans elle, il ne mesurerait rien."))
    floors = socle_floors()
    rows = []
    for index, data in enumerate(requirements, start=1):
        kind = data.get("kind")
        label = (data.get("label") or "").strip()[:300]
        row = Requirement(kind=kind, label=label, order=index)
        if kind == Requirement.Kind.COMPUTED:
            indicator, comparison = data.get("indicator"), data.get("comparison")
            if indicator not in INDICATORS:
                raise QualityRefusal(_("Exigence %(n)s : choisissez un indicateur.") % {"n": index})
            if comparison not in (Comparison.AT_LEAST, Comparison.AT_MOST):
                raise QualityRefusal(
                    _("Exigence %(n)s : choisissez « au moins » ou « au plus ».") % {"n": index}
                )
            if data.get("threshold") in (None, ""):
                raise QualityRefusal(_("Exigence %(n)s : indiquez le seuil.") % {"n": index})
            threshold = parse_threshold(data["threshold"])
            check_against_floor(indicator, comparison, threshold, floors)
            row.indicator, row.comparison, row.threshold = indicator, comparison, threshold
        elif kind == Requirement.Kind.EVIDENCE:
            if data.get("evidence_kind") not in EvidenceKind.values:
                raise QualityRefusal(_("Exigence %(n)s : choisissez le type de document.") % {"n": index})
            row.evidence_kind = data["evidence_kind"]
        elif kind != Requirement.Kind.CHECKLIST:
            raise QualityRefusal(_("Exigence %(n)s : choisissez son type.") % {"n": index})
        if not label:
            raise QualityRefusal(_("Exigence %(n)s : dites ce qui doit être tenu.") % {"n": index})
        rows.append(row)
    with transaction.atomic():
        ranks = (
            Milestone.objects.select_for_update()
            .filter(diploma=diploma, academic_year=year, perimeter=perimeter)
            .values_list("rank", flat=True)
        )
        milestone = Milestone.objects.create(
            diploma=diploma,
            academic_year=year,
            perimeter=perimeter,
            rank=max(ranks, default=0) + 1,
            title=title[:200],
            created_by=by,
        )
        for row in rows:
            row.milestone = milestone
        Requirement.objects.bulk_create(rows)
        record(
            "quality.milestone.created",
            diploma,
            {
                "perimeter": perimeter.code,
                "year": year.label,
                "title": milestone.title,
                "requirements": len(rows),
            },
            actor=by,
        )
    return milestone


def delete_milestone(*, milestone: Milestone, by) -> None:
    """Remove a jalon of an open year; the jalons above it move down one rank."""
    _ensure_may_edit(by, milestone.diploma)
    ensure_open(milestone.diploma.organisation_id, milestone.academic_year)
    with transaction.atomic():
        siblings = list(
            Milestone.objects.select_for_update()
            .filter(
                diploma=milestone.diploma_id,
                academic_year=milestone.academic_year_id,
                perimeter=milestone.perimeter_id,
                rank__gt=milestone.rank,
            )
            .order_by("rank")
        )
        record(
            "quality.milestone.deleted",
            milestone.diploma,
            {
                "perimeter": milestone.perimeter.code,
                "year": milestone.academic_year.label,
                "title": milestone.title,
            },
            actor=by,
        )
        milestone.delete()
        for sibling in siblings:
            sibling.rank -= 1
            sibling.save(update_fields=["rank"])


def set_followed_indicators(*, diploma, year: AcademicYear, codes, by) -> int:
    """The diploma's minimum list of indicators for the year (replaces the previous list)."""
    _ensure_may_edit(by, diploma)
    ensure_open(diploma.organisation_id, year)
    codes = set(codes)
    unknown = codes - set(INDICATORS)
    if unknown:
        raise QualityRefusal(_("Indicateur inconnu : %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    with transaction.atomic():
        existing = set(
            FollowedIndicator.objects.filter(diploma=diploma, academic_year=year).values_list(
                "indicator", flat=True
            )
        )
        FollowedIndicator.objects.filter(
            diploma=diploma, academic_year=year, indicator__in=existing - codes
        ).delete()
        FollowedIndicator.objects.bulk_create(
            [
                FollowedIndicator(diploma=diploma, academic_year=year, indicator=code, added_by=by)
                for code in sorted(codes - existing)
            ]
        )
        if existing != codes:
            record(
                "quality.followed_indicators.changed",
                diploma,
                {"year": year.label, "added": sorted(codes - existing), "removed": sorted(existing - codes)},
                actor=by,
            )
    return len(codes)


# Evidence and attestations ------------------------------------------------------------------------


def add_evidence(
    *, organisation_id, diploma, year, kind, title, upload, attested_on, valid_until=None, by
) -> Evidence:
    """Store an uploaded document (checked by its content) and record it. The file is written first,
    then the row in a transaction; if the row cannot be written, the file is removed."""
    if diploma is not None:
        _ensure_may_edit(by, diploma)
        organisation_id = diploma.organisation_id
    elif not perms.can_act_for_establishment(by, organisation_id):
        raise PermissionDenied(_("Seule l'équipe du CFA dépose une preuve pour tout l'établissement."))
    ensure_open(organisation_id, year)
    if kind not in EvidenceKind.values:
        raise QualityRefusal(_("Choisissez le type de document."))
    title = (title or "").strip()
    if not title:
        raise QualityRefusal(_("Donnez un intitulé au document."))
    if attested_on is None:
        raise QualityRefusal(_("Indiquez la date du document."))
    if valid_until is not None and valid_until < attested_on:
        raise QualityRefusal(_("La fin de validité ne peut précéder la date du document."))
    if attested_on > year.end_date or (valid_until or year.end_date) < year.start_date:
        raise QualityRefusal(
            _("Ce document ne couvre pas l'année %(year)s : vérifiez ses dates.") % {"year": year}
        )
    checked = check_upload(upload)
    evidence = Evidence(
        organisation_id=organisation_id,
        diploma=diploma,
        academic_year=year,
        kind=kind,
        title=title[:200],
        token=secrets.token_hex(16),
        extension=checked.extension,
        original_name=(upload.name or "document")[-255:],
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        attested_by=by,
        attested_on=attested_on,
        valid_until=valid_until if valid_until is not None else year.end_date,
        uploaded_by=by,
    )
    # The stored name comes from the random token (quality.models.evidence_path), never from the upload.
    evidence.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            evidence.save()
            record(
                "quality.evidence.created",
                evidence,
                {"kind": kind, "year": year.label, "sha256": checked.sha256, "size": checked.size},
                actor=by,
            )
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


def attest(*, requirement: Requirement, diploma, year: AcademicYear, statement: str, by) -> Attestation:
    _ensure_may_edit(by, diploma)
    ensure_open(diploma.organisation_id, year)
    if requirement.kind != Requirement.Kind.CHECKLIST:
        raise QualityRefusal(_("Ce point ne s'atteste pas : il se calcule ou se prouve par un document."))
    _ensure_requirement_of(requirement, diploma, year)
    statement = (statement or "").strip()
    if not statement:
        raise QualityRefusal(
            _("Dites en une phrase comment ce point est tenu : c'est ce que lira l'auditeur.")
        )
    try:
        with transaction.atomic():
            attestation = Attestation.objects.create(
                requirement=requirement,
                diploma=diploma,
                academic_year=year,
                statement=statement[:500],
                attested_by=by,
            )
            record(
                "quality.attestation.created",
                diploma,
                {
                    "requirement": requirement.code or requirement.pk,
                    "year": year.label,
                    "statement": statement,
                },
                actor=by,
            )
    except IntegrityError:
        raise QualityRefusal(_("Ce point est déjà attesté pour cette année.")) from None
    return attestation


def withdraw_attestation(*, attestation: Attestation, by) -> None:
    _ensure_may_edit(by, attestation.diploma)
    ensure_open(attestation.diploma.organisation_id, attestation.academic_year)
    with transaction.atomic():
        updated = Attestation.objects.filter(pk=attestation.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=by
        )
        if not updated:
            raise QualityRefusal(_("Cette attestation est déjà retirée."))
        record(
            "quality.attestation.withdrawn",
            attestation.diploma,
            {
                "requirement": attestation.requirement.code or attestation.requirement_id,
                "year": attestation.academic_year.label,
            },
            actor=by,
        )


# Meetings ----------------------------------------------------------------------------------------

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
        raise QualityRefusal(_("Choisissez au moins une formation concernée."))
    for diploma in diplomas:
        if diploma.organisation_id != organisation_id:
            raise QualityRefusal(_("Cette formation n'est pas de votre établissement."))
        _ensure_may_edit(by, diploma)
    if kind not in Meeting.Kind.values:
        raise QualityRefusal(_("Choisissez le type de réunion."))
    if held_on is None:
        raise QualityRefusal(_("Indiquez la date de la réunion."))
    if held_on > timezone.localdate():
        raise QualityRefusal(_("Le registre consigne les réunions tenues : la date ne peut être à venir."))
    year = AcademicYear.objects.filter(start_date__lte=held_on, end_date__gte=held_on).first()
    if year is None:
        raise QualityRefusal(_("Aucune année scolaire ne contient cette date."))
    ensure_open(organisation_id, year)
    cohorts = list(cohorts)
    if kind == Meeting.Kind.DEBRIEF and not cohorts:
        raise QualityRefusal(_("Un retour d'alternance réunit une promotion : choisissez-la."))
    if any(cohort.diploma_id not in {d.pk for d in diplomas} for cohort in cohorts):
        raise QualityRefusal(_("Chaque promotion choisie doit appartenir à une formation choisie."))
    if attendance is None or attendance < 1:
        raise QualityRefusal(_("Indiquez le nombre de participants."))
    title = (title or "").strip() or str(Meeting.Kind(kind).label)
    if minutes and len(diplomas) > 1 and not perms.can_act_for_establishment(by, organisation_id):
        raise QualityRefusal(
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


# Campaigns ---------------------------------------------------------------------------------------


def close_campaign(*, organisation_id: int, year: AcademicYear, by, today=None) -> Campaign:
    """Freeze the year: recompute its indicators one last time, then keep every diploma's values,
    evidence, requirements and levels in an immutable snapshot."""
    if not perms.can_close_campaign(by, organisation_id):
        raise PermissionDenied(_("Seul un administrateur de l'établissement clôt une campagne."))
    today = today or timezone.localdate()
    if year.end_date >= today:
        raise QualityRefusal(
            _("L'année %(year)s n'est pas terminée (elle finit le %(end)s) : elle se clôt ensuite.")
            % {"year": year, "end": year.end_date.strftime("%d/%m/%Y")}
        )
    ensure_open(organisation_id, year)
    if ComputationRun.objects.filter(
        organisation_id=organisation_id, academic_year=year, status__in=ComputationRun.ACTIVE
    ).exists():
        raise QualityRefusal(_("Un calcul des indicateurs est en cours : clôturez quand il sera terminé."))
    diplomas = list(Diploma.objects.filter(organisation_id=organisation_id).order_by("code"))
    with transaction.atomic():
        compute_indicators(year=year, diplomas=diplomas, today=today)
        trajectories = evaluate(diplomas, year, today)
        snapshot = {
            "year": year.label,
            "closed_at": timezone.now().isoformat(),
            "diplomas": [serialize(trajectories[d.pk]) for d in diplomas],
        }
        canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
        try:
            campaign = Campaign.objects.create(
                organisation_id=organisation_id,
                academic_year=year,
                closed_by=by,
                snapshot=json.loads(canonical),
                sha256=hashlib.sha256(canonical.encode()).hexdigest(),
            )
        except IntegrityError:
            raise QualityRefusal(_("Cette année est déjà close.")) from None
        record("quality.campaign.closed", campaign, {"year": year.label, "sha256": campaign.sha256}, actor=by)
    return campaign
