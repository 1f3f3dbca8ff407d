"""The apprentice's page of their personal data, the downloads, and the staff's erasure page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from apprentices.models import Apprentice
from core.pdf import attachment, pdf_filename
from core.perms import is_platform_admin
from privacy import export, perms, services


def _apprentice_for(request, pk) -> Apprentice:
    """Scoped fetch, then the rule: anybody else's apprentice is a 404."""
    apprentice = get_object_or_404(
        Apprentice.objects.visible_to(request.user).select_related(
            "organisation", "user", "cohort__diploma", "option", "disability_referent"
        ),
        pk=pk,
    )
    if not perms.can_export_personal_data(request.user, apprentice):
        raise Http404
    return apprentice


@login_required
@require_GET
def my_data(request):
    if not perms.has_personal_data(request.user):
        raise Http404
    apprentice = Apprentice.objects.visible_to(request.user).filter(user=request.user).first()
    if apprentice is None:
        raise Http404
    return render(
        request,
        "privacy/my_data.html",
        {"apprentice": apprentice, "retention_years": settings.RETENTION_YEARS},
    )


@login_required
@require_GET
def archive_download(request, pk):
    apprentice = _apprentice_for(request, pk)
    response = HttpResponse(export.archive_json(apprentice, by=request.user), content_type="application/json")
    name = pdf_filename("donnees-personnelles", apprentice.last_name, apprentice.first_name)
    response["Content-Disposition"] = f'attachment; filename="{name.removesuffix(".pdf")}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def pdf_download(request, pk):
    apprentice = _apprentice_for(request, pk)
    data = export.personal_data_pdf(apprentice, by=request.user)
    return attachment(data, pdf_filename("donnees-personnelles", apprentice.last_name, apprentice.first_name))


@login_required
@require_http_methods(["GET", "POST"])
def erasure(request):
    """What the erasure would anonymise in the staff's organisation today; a POST does it."""
    if not perms.can_erase_expired(request.user):
        raise Http404
    today = timezone.localdate()
    organisation = services.organisation_of(request.user)
    if organisation is None and not is_platform_admin(request.user):
        raise Http404
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            messages.error(request, _("Cochez la case de confirmation pour anonymiser ces données."))
            return redirect("privacy:erasure")
        result = services.erase_expired(today, organisation=organisation, by=request.user)
        if result.apprentices:
            messages.success(
                request,
                ngettext(
                    "%(n)s apprenti anonymisé.",
                    "%(n)s apprentis anonymisés.",
                    result.apprentices,
                )
                % {"n": result.apprentices},
            )
        else:
            messages.info(request, _("Aucune donnée à anonymiser aujourd'hui."))
        return redirect("privacy:erasure")
    return render(
        request,
        "privacy/erasure.html",
        {
            "plan": services.plan(today, organisation=organisation),
            "cutoff": services.cutoff(today),
            "retention_years": settings.RETENTION_YEARS,
            "recent": services.recent_erasures(organisation),
        },
    )
