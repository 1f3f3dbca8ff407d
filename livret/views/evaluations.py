"""Pages of the grille d'évaluation: the contract's grids and progression, one period's grid, and the
company tutor's page from the emailed link."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apprentices.models import Contract
from core.audit import AuditEvent
from core.submissions import submitted_once
from core.workflow import REFUSALS, refuse, refuse_on_form
from core.workflow import views as workflow_views
from core.workflow.signatures import signatures_of
from core.workflow.views import cleaned
from livret import charts, perms, selectors
from livret.forms.evaluations import EvaluationForm, GridSharingForm, OpenEvaluationForm, grid
from livret.models import Evaluation, GridSharing, Rating
from livret.services import evaluations as workflow

TUTOR, APPRENTICE = Rating.Rater.TUTOR, Rating.Rater.APPRENTICE


# The grid sharing form's ids, on the page and after a refusal (the error summary's links lead there).
GRID_FORM_IDS = "id_grid_%s"


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
    return get_object_or_404(_with_context(Evaluation.objects.visible_one_to(user)), pk=pk)


def _contract_for(user, pk) -> Contract:
    return get_object_or_404(
        Contract.objects.visible_one_to(user).select_related(
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
        return TUTOR
    if perms.can_self_assess(user, evaluation):
        return APPRENTICE
    return None


def _detail_context(request, evaluation, form=None) -> dict:
    user = request.user
    competences = selectors.competences_of(evaluation.contract.diploma_id)
    ratings = list(evaluation.ratings.all())
    rater = _rater_for(user, evaluation)
    if rater is not None and form is None:
        comment = evaluation.tutor_comment if rater == TUTOR else evaluation.apprentice_comment
        form = EvaluationForm(
            competences=competences,
            rater=rater,
            initial=EvaluationForm.initial_for([r for r in ratings if r.rater == rater], comment),
        )
    return {
        "evaluation": evaluation,
        "rater": rater,
        "form": form,
        "grid": grid(evaluation, competences, ratings, form),
        "signatures": list(signatures_of(evaluation)),
        "audit_events": AuditEvent.for_object(evaluation)[:30]
        if perms.can_see_audit(user, evaluation)
        else None,
    }


# The contract's grids -------------------------------------------------------------------------------


@login_required
def contract_evaluations(request, contract_pk):
    return _contract_page(request, _contract_for(request.user, contract_pk))


def _contract_page(request, contract, *, refused_grid_form=None):
    """The contract's grids; ``refused_grid_form`` is the grid sharing just refused, shown with its errors
    at its fields (and in the error summary at the top)."""
    user = request.user
    today = timezone.localdate()
    evaluations = list(contract.evaluations.select_related("period").order_by("period__start_date"))
    open_form = None
    if perms.can_open_evaluation(user, contract):
        periods = selectors.openable_periods(contract, today=today, taken={e.period_id for e in evaluations})
        if periods:
            open_form = OpenEvaluationForm(periods=periods, initial={"period": periods[-1].pk})
    sharing = _sharing_of(contract)
    grid_form = refused_grid_form
    if grid_form is None and perms.may_note_grid_sharing(user, contract, sharing):
        grid_form = GridSharingForm(
            initial={"shared_on": sharing.shared_on, "means": sharing.means}
            if sharing
            else {"shared_on": today},
            auto_id=GRID_FORM_IDS,
        )
    deadline = contract.start_date + datetime.timedelta(days=GridSharing.DUE_DAYS)
    progression = selectors.progression(contract)
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
            # The error summary lists the refused grid sharing's errors.
            "form": refused_grid_form,
            "progression": progression,
            "rows": progression.rows(),
            "chart": None
            if progression.is_empty
            else charts.progression_chart(progression, apprentice=str(contract.apprentice)),
        },
        status=400 if refused_grid_form is not None else 200,
    )


@login_required
@require_POST
@submitted_once
def evaluation_open(request, contract_pk):
    contract = _contract_for(request.user, contract_pk)
    back = reverse("livret:contract_evaluations", args=[contract.pk])
    form = OpenEvaluationForm(request.POST, periods=selectors.company_periods(contract))
    if contract.company_tutor is not None:
        success = _("Évaluation ouverte : le maître d'apprentissage la reçoit par message électronique.")
    else:
        success = _("Évaluation ouverte.")
    return workflow_views.transition(
        request,
        back,
        lambda: workflow.open_evaluation(
            contract=contract, period=form.periods[cleaned(form)["period"]], by=request.user
        ),
        success,
        then=lambda evaluation: evaluation,
    )


@login_required
@require_POST
def grid_sharing(request, contract_pk):
    contract = _contract_for(request.user, contract_pk)
    had_one = _sharing_of(contract) is not None
    form = GridSharingForm(request.POST, auto_id=GRID_FORM_IDS)
    if form.is_valid():
        try:
            workflow.record_grid_sharing(
                contract=contract,
                by=request.user,
                shared_on=form.cleaned_data["shared_on"],
                means=form.cleaned_data["means"],
            )
        except PermissionDenied as error:
            refuse(request, error)
            return redirect("livret:contract_evaluations", contract.pk)
        except REFUSALS as error:
            refuse_on_form(form, error)
        else:
            messages.success(
                request, _("Partage de la grille corrigé.") if had_one else _("Partage de la grille noté.")
            )
            return redirect("livret:contract_evaluations", contract.pk)
    return _contract_page(request, contract, refused_grid_form=form)


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
        side = TUTOR if perms.is_company_tutor_of(user, contract) else APPRENTICE
        try:
            workflow.check_side(evaluation=evaluation, rater=side, by=user)
        except REFUSALS as error:
            refuse(request, error)
        return redirect(evaluation)
    submit = request.POST.get("action") == "submit"
    competences = selectors.competences_of(contract.diploma_id)
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
    elif rater == TUTOR:
        messages.success(request, _("Évaluation validée et signée."))
    else:
        messages.success(request, _("Auto-évaluation validée et signée."))
    return redirect(evaluation)
