"""Pages of the grille d'évaluation: the contract's grids and progression, one period's grid, and the
company tutor's page from the emailed link."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apprentices.models import Contract
from core.models import AuditEvent
from livret import charts, links, perms, services
from livret.forms.evaluations import EvaluationForm, GridSharingForm, OpenEvaluationForm
from livret.models import ActionLink, Evaluation, GridSharing, Rating
from livret.services import evaluations as workflow
from livret.tasks import send_evaluation_request
from livret.views.common import refuse, tutor_email

R = Rating.Rater
REFUSALS = (services.InvalidTransition, PermissionDenied, ValidationError)
# A month after the start of the contract: the charter's "grille partagée au démarrage".


def _with_context(queryset):
    return queryset.select_related(
        "contract__apprentice__user",
        "contract__employer",
        "contract__company_tutor__user",
        "contract__school_tutor__user",
        "contract__diploma",
        "period",
    )


def _evaluation_for(user, pk) -> Evaluation:
    return get_object_or_404(_with_context(Evaluation.objects.visible_to(user)), pk=pk)


def _contract_for(user, pk) -> Contract:
    return get_object_or_404(
        Contract.objects.visible_to(user).select_related(
            "apprentice__cohort__entry_year",
            "apprentice__user",
            "employer",
            "company_tutor__user",
            "school_tutor__user",
            "diploma",
            "grid_sharing__recorded_by",
        ),
        pk=pk,
    )


def _sharing_of(contract):
    try:
        return contract.grid_sharing
    except ObjectDoesNotExist:
        return None


def _rater_for(user, evaluation) -> str | None:
    """The side this person may still fill, if any."""
    if perms.can_rate_as_tutor(user, evaluation):
        return R.TUTOR
    if perms.can_self_assess(user, evaluation):
        return R.APPRENTICE
    return None


def _grid(evaluation, competences, ratings, form=None) -> list[dict]:
    """The grid by block: each competence with the levels of the sides already validated (a draft is
    seen by its author only, in the form) and, when the person fills a side, its radio group."""
    shown = {
        R.TUTOR: evaluation.tutor_submitted_at is not None,
        R.APPRENTICE: evaluation.apprentice_submitted_at is not None,
    }
    levels = {(r.competence_id, r.rater): r.get_level_display() for r in ratings if shown[r.rater]}
    blocks = []
    for competence in competences:
        if not blocks or blocks[-1]["block"].pk != competence.block_id:
            blocks.append({"block": competence.block, "rows": []})
        blocks[-1]["rows"].append(
            {
                "competence": competence,
                "tutor": levels.get((competence.pk, R.TUTOR)),
                "apprentice": levels.get((competence.pk, R.APPRENTICE)),
                "field": form.field_for(competence) if form is not None else None,
            }
        )
    return blocks


def _detail_context(request, evaluation, form=None) -> dict:
    user = request.user
    competences = workflow.competences_of(evaluation.contract.diploma_id)
    ratings = list(evaluation.ratings.all())
    rater = _rater_for(user, evaluation)
    if rater is not None and form is None:
        comment = evaluation.tutor_comment if rater == R.TUTOR else evaluation.apprentice_comment
        form = EvaluationForm(
            competences=competences,
            rater=rater,
            initial=EvaluationForm.initial_for([r for r in ratings if r.rater == rater], comment),
        )
    return {
        "evaluation": evaluation,
        "rater": rater,
        "form": form,
        "grid": _grid(evaluation, competences, ratings, form),
        "signatures": list(services.signatures_of(evaluation)),
        "audit_events": AuditEvent.for_object(evaluation)[:30]
        if perms.can_see_audit(user, evaluation)
        else None,
    }


# The contract's grids -------------------------------------------------------------------------------


@login_required
def contract_evaluations(request, contract_pk):
    user = request.user
    contract = _contract_for(user, contract_pk)
    today = timezone.localdate()
    evaluations = list(contract.evaluations.select_related("period").order_by("period__start_date"))
    open_form = None
    if perms.can_open_evaluation(user, contract):
        periods = workflow.openable_periods(contract, today=today, taken={e.period_id for e in evaluations})
        if periods:
            open_form = OpenEvaluationForm(periods=periods, initial={"period": periods[-1].pk})
    sharing = _sharing_of(contract)
    grid_form = None
    if perms.can_record_grid_sharing(user, contract) and (
        sharing is None or perms.is_staff_of(user, contract)
    ):
        grid_form = GridSharingForm(
            initial={"shared_on": sharing.shared_on, "means": sharing.means}
            if sharing
            else {"shared_on": today},
            auto_id="id_grid_%s",
        )
    deadline = contract.start_date + datetime.timedelta(days=GridSharing.DUE_DAYS)
    progression = workflow.progression(contract)
    return render(
        request,
        "livret/evaluations/contract.html",
        {
            "contract": contract,
            "evaluations": evaluations,
            "open_form": open_form,
            "sharing": sharing,
            "sharing_late": (sharing.shared_on if sharing else today) > deadline,
            "sharing_deadline": deadline,
            "grid_form": grid_form,
            "progression": progression,
            "rows": progression.rows(),
            "chart": None
            if progression.is_empty
            else charts.progression_chart(progression, apprentice=str(contract.apprentice)),
        },
    )


@login_required
@require_POST
def evaluation_open(request, contract_pk):
    contract = _contract_for(request.user, contract_pk)
    back = reverse("livret:contract_evaluations", args=[contract.pk])
    form = OpenEvaluationForm(request.POST, periods=workflow.company_periods(contract))
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        evaluation = workflow.open_evaluation(
            contract=contract, period=form.periods[form.cleaned_data["period"]], by=request.user
        )
    except REFUSALS as error:
        refuse(request, error)
        return redirect(back)
    if contract.company_tutor is not None:
        messages.success(request, _("Évaluation ouverte : le maître d'apprentissage la reçoit par e-mail."))
    else:
        messages.success(request, _("Évaluation ouverte."))
    return redirect(evaluation)


@login_required
@require_POST
def grid_sharing(request, contract_pk):
    contract = _contract_for(request.user, contract_pk)
    had_one = _sharing_of(contract) is not None
    form = GridSharingForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        workflow.record_grid_sharing(
            contract=contract,
            by=request.user,
            shared_on=form.cleaned_data["shared_on"],
            means=form.cleaned_data["means"],
        )
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(
            request, _("Partage de la grille corrigé.") if had_one else _("Partage de la grille noté.")
        )
    return redirect("livret:contract_evaluations", contract.pk)


# One period's grid ----------------------------------------------------------------------------------


@login_required
def evaluation_detail(request, pk):
    evaluation = _evaluation_for(request.user, pk)
    return render(request, "livret/evaluations/detail.html", _detail_context(request, evaluation))


@login_required
@require_POST
def evaluation_save(request, pk):
    """Save this person's side of the grid ("Enregistrer"), or validate and sign it."""
    user = request.user
    evaluation = _evaluation_for(user, pk)
    contract = evaluation.contract
    if not (perms.is_company_tutor_of(user, contract) or perms.is_apprentice_of(user, contract)):
        messages.error(request, _("Seuls l'apprenti et son maître d'apprentissage remplissent cette grille."))
        return redirect(evaluation)
    rater = _rater_for(user, evaluation)
    if rater is None:
        side = R.TUTOR if perms.is_company_tutor_of(user, contract) else R.APPRENTICE
        try:
            workflow.check_side(evaluation=evaluation, rater=side, by=user)
        except REFUSALS as error:
            refuse(request, error)
        return redirect(evaluation)
    submit = request.POST.get("action") == "submit"
    competences = workflow.competences_of(contract.diploma_id)
    form = EvaluationForm(request.POST, competences=competences, rater=rater, require_all=submit)
    if not form.is_valid():
        context = _detail_context(request, evaluation, form)
        return render(request, "livret/evaluations/detail.html", context, status=400)
    try:
        workflow.save_ratings(
            evaluation=evaluation,
            rater=rater,
            levels=form.levels(),
            comment=form.cleaned_data["comment"],
            submit=submit,
            by=user,
        )
    except REFUSALS as error:
        refuse(request, error)
        return redirect(evaluation)
    if not submit:
        messages.success(
            request, _("Évaluation enregistrée. Vous pourrez la compléter et la valider plus tard.")
        )
    elif rater == R.TUTOR:
        messages.success(request, _("Évaluation validée et signée."))
    else:
        messages.success(request, _("Auto-évaluation validée et signée."))
    return redirect(evaluation)


# The company tutor's emailed link -------------------------------------------------------------------


def _link_invalid(request, evaluation, token, error, *, can_resend):
    return render(
        request,
        "livret/evaluations/link_invalid.html",
        {"evaluation": evaluation, "error": error, "token": token, "can_resend": can_resend},
        status=410 if error.kind in {"expired", "used"} else 400,
    )


@require_http_methods(["GET", "POST"])
def evaluation_link(request, pk, token):
    """The company tutor's page from the emailed link: this grid alone, and their side of it. No login."""
    evaluation = get_object_or_404(_with_context(Evaluation.objects.all()), pk=pk)
    tutor = evaluation.contract.company_tutor
    waiting = evaluation.tutor_submitted_at is None
    try:
        link = links.resolve(token, document=evaluation, expected_email=tutor.email if tutor else None)
        if link.action != ActionLink.Action.EVALUATE:
            raise links.LinkError("foreign", link)
        if not waiting:
            raise links.LinkError("used", link)
    except links.LinkError as error:
        return _link_invalid(request, evaluation, token, error, can_resend=waiting)
    competences = workflow.competences_of(evaluation.contract.diploma_id)
    ratings = list(evaluation.ratings.all())
    submit = request.POST.get("action") == "submit"
    form = EvaluationForm(
        request.POST or None,
        competences=competences,
        rater=R.TUTOR,
        require_all=submit,
        initial=EvaluationForm.initial_for(
            [r for r in ratings if r.rater == R.TUTOR], evaluation.tutor_comment
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = workflow.save_ratings(
                evaluation=evaluation,
                rater=R.TUTOR,
                levels=form.levels(),
                comment=form.cleaned_data["comment"],
                submit=submit,
                token=token,
            )
        except links.LinkError as error:
            return _link_invalid(request, evaluation, token, error, can_resend=False)
        except (services.InvalidTransition, ValidationError) as error:
            refuse(request, error)
        else:
            if submit:
                return render(
                    request,
                    "livret/evaluations/link_done.html",
                    {"evaluation": evaluation, "signatures": list(services.signatures_of(evaluation))},
                )
            messages.success(
                request, _("Évaluation enregistrée. Ce lien reste valable pour la compléter et la valider.")
            )
            return redirect("livret:evaluation_link", evaluation.pk, token)
    return render(
        request,
        "livret/evaluations/link.html",
        {
            "evaluation": evaluation,
            "tutor": tutor,
            "form": form,
            "grid": _grid(evaluation, competences, ratings, form),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def evaluation_link_resend(request, pk, token):
    """Send a fresh link to the tutor on file. Says the same whatever happens: it reveals nothing."""
    evaluation = Evaluation.objects.select_related("contract__company_tutor").filter(pk=pk).first()
    if (
        evaluation is not None
        and evaluation.tutor_submitted_at is None
        and links.may_resend(evaluation, token, expected_email=tutor_email(evaluation))
    ):
        send_evaluation_request.delay_on_commit(evaluation.pk)
    return render(request, "livret/evaluations/link_resent.html")
