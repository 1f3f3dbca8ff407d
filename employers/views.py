from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apprentices.models import Contract
from core.csvexport import export_response
from core.models import AuditEvent
from core.submissions import submitted_once
from core.viewutils import filtered_page, render_list, save_form
from employers import perms
from employers.forms import EmployerForm
from employers.models import Employer


@login_required
def employer_list(request):
    context = filtered_page(request, "employers")
    context["can_create"] = perms.can_create_employer(request.user)
    return render_list(request, "employers/employer_list.html", "employers/_employer_results.html", context)


@login_required
def employer_export(request):
    return export_response(request, "employers")


@login_required
def employer_detail(request, pk):
    employer = get_object_or_404(Employer.objects.visible_one_to(request.user), pk=pk)
    contracts = (
        Contract.objects.visible_to(request.user)
        .filter(employer=employer)
        .with_people()
        .order_by("status", "-start_date")
    )
    tutors = employer.company_tutors.order_by("last_name", "first_name")
    can_edit = perms.can_edit_employer(request.user, employer)
    return render(
        request,
        "employers/employer_detail.html",
        {
            "employer": employer,
            "contracts": contracts,
            "tutors": tutors,
            "can_edit": can_edit,
            "audit_events": AuditEvent.for_object(employer)[:20] if can_edit else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def employer_create(request):
    if not perms.can_create_employer(request.user):
        raise Http404
    form = EmployerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        employer = save_form(request, form, _("Employeur enregistré."))
        if employer:
            return redirect(employer)
    return render(request, "employers/employer_form.html", {"form": form, "employer": None})


@login_required
@require_http_methods(["GET", "POST"])
def employer_update(request, pk):
    employer = get_object_or_404(Employer.objects.visible_one_to(request.user), pk=pk)
    if not perms.can_edit_employer(request.user, employer):
        raise Http404
    form = EmployerForm(request.POST or None, instance=employer, user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, _("Modifications enregistrées.")):
            return redirect(employer)
    return render(request, "employers/employer_form.html", {"form": form, "employer": employer})
