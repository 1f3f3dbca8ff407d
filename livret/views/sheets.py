from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apprentices.models import Apprentice
from core.csvexport import export_response
from core.models import AuditEvent
from core.viewutils import filtered_page, render_list
from livret import links, perms, selectors, services
from livret.forms.sheets import ApprenticePartForm, CountersignForm, ReturnForm, ReviewForm
from livret.models import ActionLink, Evaluation, LiaisonSheet, MissionDescription, VisitReport
from livret.tasks import send_countersign_request
from livret.views.common import refuse, tutor_email

S = LiaisonSheet.Status
REFUSALS = (services.InvalidTransition, PermissionDenied, ValidationError)


def _sheet_for(user, pk):
    return get_object_or_404(
        selectors.sheets_with_context(LiaisonSheet.objects.visible_to(user)).select_related(
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
        Apprentice.objects.visible_to(user).select_related("cohort__diploma"), pk=apprentice_pk
    )
    mine = {"contract__apprentice": apprentice}
    sheets = selectors.sheets_with_context(LiaisonSheet.objects.visible_to(user)).filter(
        is_current=True, **mine
    )
    visits = VisitReport.objects.visible_to(user).filter(**mine).select_related("contract__employer")
    missions = (
        MissionDescription.objects.visible_to(user)
        .filter(is_current=True, **mine)
        .select_related("academic_year", "contract__employer")
    )
    evaluations = (
        Evaluation.objects.visible_to(user).filter(**mine).select_related("period", "contract__employer")
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
    sheet = _sheet_for(request.user, pk)
    user = request.user
    context = {
        "sheet": sheet,
        "today": timezone.localdate(),
        "signatures": list(services.signatures_of(sheet)),
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
    return render(request, "livret/sheet_detail.html", context)


@login_required
@require_POST
def sheet_save(request, pk):
    """Save the apprentice's draft: from the form (submit=save or transmit) or as they type (fetch)."""
    sheet = _sheet_for(request.user, pk)
    form = ApprenticePartForm(request.POST)
    wants_json = request.headers.get("Accept") == "application/json"
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(sheet)
    values = {name: form.cleaned_data[name] for name in LiaisonSheet.APPRENTICE_FIELDS}
    try:
        sheet = services.save_draft(
            sheet=sheet, by=request.user, values=values, revision=form.cleaned_data["revision"]
        )
    except services.StaleDraft as stale:
        if wants_json:
            return JsonResponse(
                {"conflict": True, "current": stale.current, "revision": stale.revision}, status=409
            )
        messages.error(
            request,
            _(
                "La fiche a été modifiée ailleurs (autre onglet ou autre appareil) : votre texte n'a pas été "
                "enregistré. Le voici, pour le recopier : %(text)s"
            )
            % {"text": " / ".join(v for v in values.values() if v)},
        )
        return redirect(sheet)
    except (PermissionDenied, ValidationError) as error:
        if wants_json:
            return JsonResponse({"error": str(error)}, status=403)
        refuse(request, error)
        return redirect(sheet)
    if wants_json:
        return JsonResponse(
            {"revision": sheet.revision, "saved_at": timezone.localtime().strftime("%H:%M:%S")}
        )
    if request.POST.get("action") == "submit":
        return _submit(request, sheet)
    messages.success(request, _("Brouillon enregistré."))
    return redirect(sheet)


def _submit(request, sheet):
    try:
        services.submit(sheet=sheet, by=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            _("Fiche transmise : votre maître d'apprentissage la reçoit par e-mail pour la contresigner."),
        )
    return redirect(sheet)


def _transition(request, pk, form_class, act, success_message):
    """A POSTed transition: scoped fetch, form, service call, message, back to the sheet."""
    sheet = _sheet_for(request.user, pk)
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        act(sheet, request.user, form.cleaned_data)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, success_message)
    return redirect(sheet)


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
    )


@login_required
@require_POST
def sheet_correct(request, pk):
    sheet = _sheet_for(request.user, pk)
    try:
        new = services.correct(sheet=sheet, by=request.user)
    except (services.InvalidTransition, PermissionDenied) as error:
        refuse(request, error)
        return redirect(sheet)
    messages.success(request, _("Nouvelle version ouverte ; la version signée reste consultable."))
    return redirect(new)


@require_http_methods(["GET", "POST"])
def sheet_link(request, pk, token):
    """The company tutor's page from the emailed link: this sheet alone, and the one action. No login."""
    sheet = get_object_or_404(
        selectors.sheets_with_context(LiaisonSheet.objects.all()).select_related("contract__diploma"), pk=pk
    )
    tutor = sheet.contract.company_tutor
    try:
        link = links.resolve(token, document=sheet, expected_email=tutor.email if tutor else None)
        if link.action != ActionLink.Action.COUNTERSIGN:
            raise links.LinkError("foreign", link)
        if sheet.status != S.SUBMITTED or not sheet.is_current:
            raise links.LinkError("used")
    except links.LinkError as error:
        return render(
            request,
            "livret/link_invalid.html",
            {"sheet": sheet, "error": error, "token": token, "can_resend": sheet.status == S.SUBMITTED},
            status=410 if error.kind in {"expired", "used"} else 400,
        )
    form = CountersignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.countersign(
                sheet=sheet, token=token, tutor_assessment=form.cleaned_data["tutor_assessment"]
            )
        except links.LinkError as error:
            return render(
                request,
                "livret/link_invalid.html",
                {"sheet": sheet, "error": error, "token": token, "can_resend": False},
                status=410,
            )
        except services.InvalidTransition as error:
            messages.error(request, error.message)
        else:
            return render(
                request,
                "livret/link_done.html",
                {"sheet": sheet, "signatures": list(services.signatures_of(sheet))},
            )
    return render(request, "livret/link_countersign.html", {"sheet": sheet, "form": form, "tutor": tutor})


@require_POST
def sheet_link_resend(request, pk, token):
    """Send a fresh link to the address on file. Says the same whatever happens: it reveals nothing."""
    sheet = LiaisonSheet.objects.select_related("contract__company_tutor").filter(pk=pk).first()
    if (
        sheet is not None
        and sheet.status == S.SUBMITTED
        and sheet.is_current
        and links.may_resend(sheet, token, expected_email=tutor_email(sheet))
    ):
        send_countersign_request.delay_on_commit(sheet.pk)
    return render(request, "livret/link_resent.html")
