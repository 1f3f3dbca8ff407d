"""Workflow of the grille d'évaluation: the grid shared at the start of training, one evaluation per
company period, the company tutor's ratings and the apprentice's self-assessment, and the progression.

Each transition runs in one transaction, locks the row it changes, checks the state then the person's
right, saves, writes an audit event and queues its mails on commit. Each side (tutor, apprentice)
saves its ratings as often as it likes, then validates them: that signs exactly the ratings given,
and the side never changes again.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apprentices.models import AlternancePeriod, Competence, Contract
from core import audit
from core.models import ActionLink, Signature
from core.queue import enqueue
from core.workflow import Refusal, links
from core.workflow.signatures import sign_document
from livret import perms
from livret.models import Evaluation, GridSharing, Rating
from livret.selectors import company_periods, competences_of

Status = Evaluation.Status
TUTOR, APPRENTICE = Rating.Rater.TUTOR, Rating.Rater.APPRENTICE
MAX_COMMENT = 5000
# A grid presented long before the contract starts (at signing, at an open day) still counts; earlier
# than this is a typing error.
GRID_SHARED_EARLIEST_DAYS = 60


def _locked_contract(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("apprentice__cohort__entry_year", "company_tutor", "school_tutor", "diploma")
        .get(pk=contract.pk)
    )


def _locked(evaluation: Evaluation) -> Evaluation:
    """The evaluation, row-locked, with what the rules read (people, diploma, period)."""
    return (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related(
            "contract__apprentice__user",
            "contract__company_tutor__user",
            "contract__school_tutor__user",
            "contract__diploma",
            "period",
        )
        .get(pk=evaluation.pk)
    )


# Opening -------------------------------------------------------------------------------------------


def open_evaluation(
    *, contract: Contract, period: AlternancePeriod, by, today: datetime.date | None = None, notify=True
) -> Evaluation:
    """Open the grid of one company period; the company tutor gets a link to fill it."""
    today = today or timezone.localdate()
    with transaction.atomic():
        contract = _locked_contract(contract)
        if Evaluation.objects.filter(contract=contract, period_id=period.pk).exists():
            raise Refusal(_("L'évaluation de cette période est déjà ouverte."))
        eligible = {p.pk: p for p in company_periods(contract)}
        if period.pk not in eligible:
            raise Refusal(_("Cette période n'est pas une période en entreprise de ce contrat."))
        period = eligible[period.pk]
        if period.start_date > today:
            raise Refusal(_("Cette période en entreprise n'a pas encore commencé."))
        if not perms.can_open_evaluation(by, contract):
            raise PermissionDenied(
                _(
                    "Seuls le maître d'apprentissage, le tuteur pédagogique et l'équipe du CFA peuvent "
                    "ouvrir une évaluation."
                )
            )
        if not Competence.objects.filter(block__diploma_id=contract.diploma_id).exists():
            raise Refusal(
                _(
                    "La formation n'a pas encore de référentiel de compétences : "
                    "la grille ne peut pas être ouverte."
                )
            )
        evaluation = Evaluation.objects.create(contract=contract, period=period)
        audit.record(
            "livret.evaluation.opened",
            evaluation,
            {"period": [period.start_date.isoformat(), period.end_date.isoformat()]},
            actor=by,
        )
        if notify and contract.company_tutor is not None:
            enqueue("livret.tasks.send_evaluation_request", evaluation.pk)
    return evaluation


# Ratings -------------------------------------------------------------------------------------------


def _clean_levels(levels: dict, comment: str) -> tuple[dict[int, int], str]:
    """Ids and levels as integers; anything else is refused before the database is touched."""
    if not isinstance(levels, dict):
        raise ValidationError(_("Les niveaux envoyés sont illisibles."))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": _("Ce texte dépasse %(max)s caractères.") % {"max": MAX_COMMENT}})
    clean = {}
    for key, value in levels.items():
        try:
            competence_id, level = int(key), int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Les niveaux envoyés sont illisibles.")) from None
        if level not in Rating.Level.values:
            raise ValidationError(_("Le niveau va de 1 (non acquis) à 4 (maîtrisé)."))
        clean[competence_id] = level
    return clean, comment


def _check_competences(levels: dict[int, int], competences: list[Competence], *, submit: bool) -> None:
    known = {c.pk for c in competences}
    if set(levels) - known:
        raise ValidationError(_("Une compétence envoyée n'appartient pas au référentiel de cette formation."))
    if submit and not known:
        raise ValidationError(_("La formation n'a pas de référentiel de compétences : rien à valider."))
    if submit:
        missing = len(known - set(levels))
        if missing:
            raise ValidationError(
                ngettext(
                    "Choisissez un niveau pour chaque compétence avant de valider : "
                    "%(n)s compétence sans niveau.",
                    "Choisissez un niveau pour chaque compétence avant de valider : "
                    "%(n)s compétences sans niveau.",
                    missing,
                )
                % {"n": missing}
            )


def rating_content(evaluation: Evaluation, rater: str, competences, levels: dict[int, int], comment: str):
    """What a side signs: the period, each competence with the level given, and the comment."""
    return {
        "document": "evaluation",
        "evaluation": evaluation.pk,
        "contract": evaluation.contract_id,
        "apprentice": str(evaluation.contract.apprentice),
        "period": [evaluation.period.start_date, evaluation.period.end_date],
        "rater": rater,
        "ratings": [
            {
                "block": c.block.code,
                "competence": c.code,
                "title": c.title,
                "level": levels[c.pk],
                "label": str(Rating.Level(levels[c.pk]).label),
            }
            for c in competences
            if c.pk in levels
        ],
        "comment": comment,
    }


def check_side(*, evaluation: Evaluation, rater: str, by, by_link: bool = False) -> None:
    """Refuse, in French, a side already validated, then a person who may not fill it."""
    submitted_at = evaluation.tutor_submitted_at if rater == TUTOR else evaluation.apprentice_submitted_at
    if submitted_at is not None:
        raise Refusal(
            _("L'évaluation du maître d'apprentissage est déjà validée : elle ne change plus.")
            if rater == TUTOR
            else _("L'auto-évaluation est déjà validée : elle ne change plus.")
        )
    if by_link:
        return
    if rater == TUTOR and not (by is not None and perms.can_rate_as_tutor(by, evaluation)):
        raise PermissionDenied(_("Seul le maître d'apprentissage de l'apprenti peut l'évaluer."))
    if rater == APPRENTICE and not (by is not None and perms.can_self_assess(by, evaluation)):
        raise PermissionDenied(_("Seul l'apprenti peut remplir son auto-évaluation."))


def save_ratings(
    *,
    evaluation: Evaluation,
    rater: str,
    levels: dict,
    comment: str = "",
    submit: bool = False,
    by=None,
    token: str | None = None,
) -> Evaluation:
    """Save one side's ratings (``levels``: every competence rated so far, {competence id: 1..4}),
    and validate them when ``submit``. The tutor acts from a session (``by``) or an emailed link
    (``token``); the apprentice from a session."""
    if rater not in Rating.Rater.values:
        raise ValidationError(_("Les niveaux envoyés sont illisibles."))
    levels, comment = _clean_levels(levels, comment)
    with transaction.atomic():
        evaluation = _locked(evaluation)
        contract = evaluation.contract
        tutor = contract.company_tutor
        link = None
        if token is not None:
            if rater != TUTOR:
                raise PermissionDenied(_("Ce lien ne sert qu'à l'évaluation du maître d'apprentissage."))
            link = links.resolve(
                token,
                document=evaluation,
                expected_email=tutor.email if tutor else None,
                action=ActionLink.Action.EVALUATE,
                for_update=True,
            )
        check_side(evaluation=evaluation, rater=rater, by=by, by_link=link is not None)
        competences = competences_of(contract.diploma_id)
        _check_competences(levels, competences, submit=submit)

        changed = _write_ratings(evaluation, rater, levels)
        comment_field = "tutor_comment" if rater == TUTOR else "apprentice_comment"
        fields = []
        if getattr(evaluation, comment_field) != comment:
            setattr(evaluation, comment_field, comment)
            fields.append(comment_field)
        via = Signature.Via.LINK if link else Signature.Via.SESSION
        data = {"rater": rater, "rated": len(levels), "via": via}
        if rater == TUTOR and tutor is not None:
            data["by"] = tutor.email
        if not submit:
            if changed or fields:
                evaluation.save(update_fields=[*fields, "updated_at"])
                audit.record("livret.evaluation.saved", evaluation, data, actor=by if link is None else None)
            return evaluation

        now = timezone.now()
        if rater == TUTOR:
            evaluation.tutor_submitted_at = now
            evaluation.status = Status.COMPLETE if evaluation.apprentice_submitted_at else Status.TUTOR_DONE
            fields += ["tutor_submitted_at", "status"]
            signer = by if link is None else (tutor.user if tutor.user_id else None)
            name, email, act = str(tutor), tutor.email, Signature.Act.EVALUATE
        else:
            evaluation.apprentice_submitted_at = now
            evaluation.status = Status.COMPLETE if evaluation.tutor_submitted_at else Status.SELF_DONE
            fields += ["apprentice_submitted_at", "status"]
            signer, name, email, act = by, str(contract.apprentice), by.email, Signature.Act.SELF_ASSESS
        evaluation.save(update_fields=[*fields, "updated_at"])
        sign_document(
            evaluation,
            rating_content(evaluation, rater, competences, levels, comment),
            act=act,
            signer=signer,
            name=name,
            email=email,
            via=via,
        )
        if link is not None:
            links.use(link)
        audit.record(
            "livret.evaluation.evaluated" if rater == TUTOR else "livret.evaluation.self_assessed",
            evaluation,
            data,
            actor=by if link is None else None,
        )
    return evaluation


def _write_ratings(evaluation: Evaluation, rater: str, levels: dict[int, int]) -> bool:
    """Make the side's rows exactly ``levels``; True when something changed."""
    existing = {r.competence_id: r for r in Rating.objects.filter(evaluation=evaluation, rater=rater)}
    gone = [r.pk for cid, r in existing.items() if cid not in levels]
    new = [
        Rating(evaluation=evaluation, competence_id=cid, rater=rater, level=level)
        for cid, level in levels.items()
        if cid not in existing
    ]
    moved = []
    for cid, level in levels.items():
        if cid in existing and existing[cid].level != level:
            existing[cid].level = level
            moved.append(existing[cid])
    if gone:
        Rating.objects.filter(pk__in=gone).delete()
    if new:
        Rating.objects.bulk_create(new)
    if moved:
        Rating.objects.bulk_update(moved, ["level"])
    return bool(gone or new or moved)


# Grid sharing --------------------------------------------------------------------------------------


def record_grid_sharing(
    *, contract: Contract, by, shared_on: datetime.date, means: str, today: datetime.date | None = None
) -> GridSharing:
    """Record when the grid was shared with the apprentice and the tutor. Once: afterwards only the
    CFA's staff corrects it, and the correction is in the audit trail."""
    today = today or timezone.localdate()
    if means not in GridSharing.Means.values:
        raise ValidationError({"means": _("Choisissez comment la grille a été partagée.")})
    if shared_on > today:
        raise ValidationError({"shared_on": _("La date du partage ne peut pas être dans le futur.")})
    with transaction.atomic():
        contract = _locked_contract(contract)
        earliest = contract.start_date - datetime.timedelta(days=GRID_SHARED_EARLIEST_DAYS)
        existing = GridSharing.objects.filter(contract=contract).first()
        if existing is not None and not perms.can_correct_grid_sharing(by, contract):
            raise Refusal(
                _(
                    "Le partage de la grille est déjà noté (le %(day)s) ; "
                    "seule l'équipe du CFA peut le corriger."
                )
                % {"day": existing.shared_on.strftime("%d/%m/%Y")}
            )
        if not perms.can_record_grid_sharing(by, contract):
            raise PermissionDenied(
                _("Seuls le tuteur pédagogique et l'équipe du CFA notent le partage de la grille.")
            )
        if shared_on < earliest:
            raise ValidationError(
                {
                    "shared_on": _(
                        "Cette date précède de plus de deux mois le début du contrat (le %(start)s) : "
                        "vérifiez-la."
                    )
                    % {"start": contract.start_date.strftime("%d/%m/%Y")}
                }
            )
        if existing is None:
            sharing = GridSharing.objects.create(
                contract=contract, shared_on=shared_on, means=means, recorded_by=by
            )
            audit.record(
                "livret.gridsharing.recorded",
                sharing,
                {"shared_on": shared_on.isoformat(), "means": means},
                actor=by,
            )
            return sharing
        changes = {
            name: [getattr(existing, name), value]
            for name, value in (("shared_on", shared_on), ("means", means))
            if getattr(existing, name) != value
        }
        if not changes:
            return existing
        existing.shared_on, existing.means = shared_on, means
        existing.recorded_by, existing.recorded_at = by, timezone.now()
        existing.save(update_fields=["shared_on", "means", "recorded_by", "recorded_at"])
        audit.record(
            "livret.gridsharing.changed",
            existing,
            {"changes": {name: [str(v) for v in pair] for name, pair in changes.items()}},
            actor=by,
        )
    return existing
