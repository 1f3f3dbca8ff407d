from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apprentices.models import Apprentice
from core.audit import AuditEvent
from core.csvexport import export_response
from core.offline import OFFLINE_HEADER
from core.queue import waiting_for_broker
from core.viewutils import filtered_page, render_list
from core.workflow import REFUSALS, refuse
from core.workflow import views as workflow_views
from core.workflow.signatures import signatures_of
from livret import perms, selectors
from livret.forms.sheets import ApprenticePartForm, CountersignForm, ReturnForm, ReviewForm
from livret.models import Evaluation, LiaisonSheet, MissionDescription, VisitReport
from livret.services import sheets as services


def _sheet_for(user, pk):
    return get_object_or_404(
        selectors.sheets_with_context(LiaisonSheet.objects.visible_one_to(user)).select_related(
            "contract__diploma", "contract__apprentice__user", "previous"
        ),
        pk=pk,
    )


@login_required
def sheet_list(request):
    context = filtered_page(request, "sheets")
    context["today"] = timezone.localdate()
    return render_list(request, "livret/sheet_list.html", "livret/_sheet_results.html", context)


@login_required
def sheet_export(request):
    return export_response(request, "sheets")


@login_required
def booklet(request, apprentice_pk):
    """Le livret of one apprentice: every document in time order, newest first."""
    user = request.user
    apprentice = get_object_or_404(
        Apprentice.objects.visible_one_to(user).select_related("cohort__diploma"), pk=apprentice_pk
    )
    mine = {"contract__apprentice": apprentice}
    # One apprentice's documents, a few dozen: found by key in what the person sees (``visible_one_to``),
    # where DISTINCT over the joined columns cost more to plan than the rows to read.
    sheets = selectors.sheets_with_context(LiaisonSheet.objects.visible_one_to(user)).filter(
        is_current=True, **mine
    )
    visits = VisitReport.objects.visible_one_to(user).filter(**mine).select_related("contract__employer")
    missions = (
        MissionDescription.objects.visible_one_to(user)
        .filter(is_current=True, **mine)
        .select_related("academic_year", "contract__employer")
    )
    evaluations = (
        Evaluation.objects.visible_one_to(user).filter(**mine).select_related("period", "contract__employer")
    )
    return render(
        request,
        "livret/booklet.html",
        {
            "apprentice": apprentice,
            "entries": selectors.timeline(
                sheets=sheets, visits=visits, missions=missions, evaluations=evaluations
            ),
            "today": timezone.localdate(),
            "can_export_pdf": perms.can_export_booklet(user, apprentice),
        },
    )


@login_required
def sheet_detail(request, pk):
    return _detail(request, _sheet_for(request.user, pk))


def _detail(request, sheet, *, bound=None, status=200):
    """The sheet's page, with its forms for this person; ``bound`` (name -> form) puts back a form sent
    with errors, shown with its error summary."""
    user = request.user
    context = {
        "sheet": sheet,
        "today": timezone.localdate(),
        "signatures": list(signatures_of(sheet)),
        "versions": list(
            LiaisonSheet.objects.filter(contract=sheet.contract, period=sheet.period).order_by("-version")
        ),
        "can_fill": perms.can_fill(user, sheet),
        "can_countersign": perms.can_countersign(user, sheet),
        "can_return": perms.can_return(user, sheet),
        "can_review": perms.can_review(user, sheet),
        "can_correct": perms.can_correct(user, sheet),
        "fill_form": None,
        "countersign_form": None,
        "return_form": None,
        "review_form": None,
        "audit_events": AuditEvent.for_object(sheet)[:30] if perms.can_see_audit(user, sheet) else None,
    }
    if context["can_fill"]:
        context["fill_form"] = ApprenticePartForm(
            initial={**sheet.apprentice_content(), "revision": sheet.revision}
        )
    if context["can_countersign"]:
        context["countersign_form"] = CountersignForm()
    if context["can_return"]:
        context["return_form"] = ReturnForm()
    if context["can_review"]:
        context["review_form"] = ReviewForm()
    for name, form in (bound or {}).items():
        if context[name] is not None:
            context[name] = form
    response = render(request, "livret/sheet_detail.html", context, status=status)
    if context["fill_form"] is not None:
        # The apprentice's draft opens again without network (core.offline).
        response[OFFLINE_HEADER] = "1"
    return response


class SheetDraftPage(workflow_views.DraftPage):
    """The apprentice's part of the sheet: back to the sheet, with what went wrong in a message."""

    def save(self, request, sheet, values, revision):
        return services.save_draft(sheet=sheet, by=request.user, values=values, revision=revision)

    def invalid(self, request, sheet, form):
        if perms.can_fill(request.user, sheet):
            return _detail(request, sheet, bound={"fill_form": form}, status=400)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(sheet)

    def conflict(self, request, sheet, values, stale):
        messages.error(
            request,
            _(
                "La fiche a été modifiée ailleurs (autre onglet ou autre appareil) : votre texte n'a pas été "
                "enregistré. Le voici, pour le recopier : %(text)s"
            )
            % {"text": " / ".join(v for v in values.values() if v)},
        )
        return redirect(sheet)

    def submit(self, request, sheet):
        try:
            services.submit(sheet=sheet, by=request.user)
        except REFUSALS as error:
            refuse(request, error)
        else:
            if waiting_for_broker("livret.tasks.send_countersign_request", sheet.pk):
                message = _(
                    "Fiche transmise. Le service d'envoi ne répond pas pour l'instant : votre maître "
                    "d'apprentissage recevra le message électronique pour la contresigner dès son retour."
                )
            else:
                message = _(
                    "Fiche transmise : votre maître d'apprentissage la reçoit par message électronique "
                    "pour la contresigner."
                )
            messages.success(request, message)
        return redirect(sheet)


@login_required
@require_POST
def sheet_save(request, pk):
    """Save the apprentice's draft: from the form (submit=save or transmit) or as they type (fetch)."""
    return workflow_views.save_draft(
        request, _sheet_for(request.user, pk), ApprenticePartForm(request.POST), SheetDraftPage()
    )


def _transition(request, pk, form_class, act, success_message, *, form_name, allowed):
    """A POSTed transition: scoped fetch, form, service call, message, back to the sheet. A form sent
    with errors by someone ``allowed`` to use it comes back on the sheet's page (as ``form_name``) with
    its error summary; anyone else gets the service's refusal."""
    sheet = _sheet_for(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid() and allowed(request.user, sheet):
        return _detail(request, sheet, bound={form_name: form}, status=400)
    return workflow_views.transition(
        request, sheet, lambda: act(sheet, request.user, workflow_views.cleaned(form)), success_message
    )


@login_required
@require_POST
def sheet_countersign(request, pk):
    return _transition(
        request,
        pk,
        CountersignForm,
        lambda sheet, user, data: services.countersign(
            sheet=sheet, by=user, tutor_assessment=data["tutor_assessment"]
        ),
        _("Fiche contresignée."),
        form_name="countersign_form",
        allowed=perms.can_countersign,
    )


@login_required
@require_POST
def sheet_return(request, pk):
    return _transition(
        request,
        pk,
        ReturnForm,
        lambda sheet, user, data: services.return_to_apprentice(sheet=sheet, by=user, reason=data["reason"]),
        _("Fiche renvoyée à l'apprenti avec votre motif."),
        form_name="return_form",
        allowed=perms.can_return,
    )


@login_required
@require_POST
def sheet_review(request, pk):
    return _transition(
        request,
        pk,
        ReviewForm,
        lambda sheet, user, data: services.review(sheet=sheet, by=user, comment=data["comment"]),
        _("Lecture de la fiche enregistrée."),
        form_name="review_form",
        allowed=perms.can_review,
    )


@login_required
@require_POST
def sheet_correct(request, pk):
    sheet = _sheet_for(request.user, pk)
    return workflow_views.transition(
        request,
        sheet,
        lambda: services.correct(sheet=sheet, by=request.user),
        _("Nouvelle version ouverte ; la version signée reste consultable."),
        then=lambda new: new,
    )
