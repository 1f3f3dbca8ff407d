from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apprentices import perms, selectors, status
from apprentices.forms import ApprenticeForm, ContractForm
from apprentices.models import AlternanceCalendar, AlternancePeriod, Apprentice, Contract, Diploma
from apprentices.signals import apprentice_page, contract_page, diploma_page, sections
from core.csvexport import export_response
from core.models import AuditEvent
from core.submissions import submitted_once
from core.viewutils import filtered_page, render_list, save_form


@login_required
def apprentice_list(request):
    context = filtered_page(request, "apprentices")
    context["can_create"] = perms.can_manage_apprentices(request.user)
    context["today"] = timezone.localdate()
    return render_list(
        request, "apprentices/apprentice_list.html", "apprentices/_apprentice_results.html", context
    )


@login_required
def apprentice_export(request):
    return export_response(request, "apprentices")


@login_required
def contract_list(request):
    context = filtered_page(request, "contracts")
    context["can_create"] = perms.can_manage_apprentices(request.user)
    return render_list(
        request, "apprentices/contract_list.html", "apprentices/_contract_results.html", context
    )


@login_required
def contract_export(request):
    return export_response(request, "contracts")


@login_required
def apprentice_detail(request, pk):
    today = timezone.localdate()
    apprentice = get_object_or_404(
        status.annotate(
            Apprentice.objects.visible_to(request.user).select_related(
                "cohort__diploma", "cohort__entry_year", "option", "disability_referent", "user"
            ),
            today,
        ),
        pk=pk,
    )
    context = selectors.apprentice_home(apprentice, today, viewer=request.user)
    context["today"] = today
    context["situation"] = status.situation_of(apprentice)
    context["legal_representatives"] = list(apprentice.legal_representatives.all())
    context["can_edit"] = perms.can_edit_apprentice(request.user, apprentice)
    if context["can_edit"]:
        context["audit_events"] = AuditEvent.for_object(apprentice)[:20]
    context["sections"] = sections(apprentice_page, request=request, apprentice=apprentice)
    return render(request, "apprentices/apprentice_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def apprentice_create(request):
    if not perms.can_manage_apprentices(request.user):
        raise Http404
    form = ApprenticeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        apprentice = save_form(request, form, _("Apprenti enregistré."))
        if apprentice:
            return redirect(apprentice)
    return render(request, "apprentices/apprentice_form.html", {"form": form, "apprentice": None})


@login_required
@require_http_methods(["GET", "POST"])
def apprentice_update(request, pk):
    apprentice = get_object_or_404(Apprentice.objects.visible_one_to(request.user), pk=pk)
    if not perms.can_edit_apprentice(request.user, apprentice):
        raise Http404
    form = ApprenticeForm(request.POST or None, instance=apprentice, user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, _("Modifications enregistrées.")):
            return redirect(apprentice)
    return render(request, "apprentices/apprentice_form.html", {"form": form, "apprentice": apprentice})


@login_required
def contract_detail(request, pk):
    contract = get_object_or_404(
        Contract.objects.visible_one_to(request.user).with_people().select_related("diploma__organisation"),
        pk=pk,
    )
    can_edit = perms.can_edit_contract(request.user, contract)
    return render(
        request,
        "apprentices/contract_detail.html",
        {
            "contract": contract,
            "can_edit": can_edit,
            "audit_events": AuditEvent.for_object(contract)[:20] if can_edit else None,
            "sections": sections(
                contract_page, request=request, contract=contract, today=timezone.localdate()
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def contract_create(request):
    if not perms.can_manage_apprentices(request.user):
        raise Http404
    initial = {}
    if request.GET.get("apprentice", "").isdigit():
        initial["apprentice"] = request.GET["apprentice"]
    form = ContractForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        contract = save_form(request, form, _("Contrat enregistré."))
        if contract:
            return redirect(contract)
    return render(request, "apprentices/contract_form.html", {"form": form, "contract": None})


@login_required
@require_http_methods(["GET", "POST"])
def contract_update(request, pk):
    contract = get_object_or_404(
        Contract.objects.visible_one_to(request.user).select_related("diploma"), pk=pk
    )
    if not perms.can_edit_contract(request.user, contract):
        raise Http404
    form = ContractForm(request.POST or None, instance=contract, user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, _("Contrat mis à jour.")):
            return redirect(contract)
    return render(request, "apprentices/contract_form.html", {"form": form, "contract": contract})


@login_required
def diploma_list(request):
    diplomas = Diploma.objects.visible_to(request.user).select_related("organisation").order_by("title")
    return render(request, "apprentices/diploma_list.html", {"diplomas": diplomas})


@login_required
def diploma_detail(request, pk):
    diploma = get_object_or_404(
        Diploma.objects.visible_to(request.user)
        .select_related("organisation")
        .prefetch_related("heads", "options", "competence_blocks__competences"),
        pk=pk,
    )
    today = timezone.localdate()
    years = list(
        AlternanceCalendar.objects.filter(diploma=diploma)
        .values_list("academic_year__label", flat=True)
        .distinct()
        .order_by("-academic_year__label")
    )
    current = selectors.current_year(today)
    selected = request.GET.get("annee") or (current.label if current and current.label in years else None)
    if selected not in years:
        selected = years[0] if years else None
    calendars = (
        AlternanceCalendar.objects.filter(diploma=diploma, academic_year__label=selected)
        .select_related("academic_year")
        .prefetch_related(Prefetch("periods", queryset=AlternancePeriod.objects.order_by("start_date")))
        .order_by("year_of_study")
    )
    calendar_rows = []
    for calendar in calendars:
        periods = selectors.annotate_periods(calendar, today)
        school_weeks = sum(p["period"].weeks for p in periods if p["period"].kind == "school")
        company_weeks = sum(p["period"].weeks for p in periods if p["period"].kind == "company")
        calendar_rows.append(
            {
                "calendar": calendar,
                "periods": periods,
                "school_weeks": school_weeks,
                "company_weeks": company_weeks,
            }
        )
    return render(
        request,
        "apprentices/diploma_detail.html",
        {
            "diploma": diploma,
            "years": years,
            "selected_year": selected,
            "calendars": calendar_rows,
            "active_contracts": diploma.contracts.filter(status=Contract.Status.ACTIVE).count(),
            "sections": sections(diploma_page, request=request, diploma=diploma),
        },
    )
