"""The booklet PDFs: an apprentice's whole livret, and the report of one visit. Scoped fetch, then the
predicate, else a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from apprentices.models import Apprentice
from core.pdf import attachment, pdf_filename
from livret import perms
from livret.models import VisitReport
from livret.pdf import booklet_pdf as render_booklet
from livret.pdf import visit_report_pdf


@login_required
def booklet_pdf(request, apprentice_pk):
    apprentice = get_object_or_404(
        Apprentice.objects.visible_one_to(request.user).select_related("organisation", "cohort__diploma"),
        pk=apprentice_pk,
    )
    if not perms.can_export_booklet(request.user, apprentice):
        raise Http404
    data = render_booklet(apprentice, by=request.user)
    return attachment(data, pdf_filename("livret", apprentice.last_name, apprentice.first_name))


@login_required
def visit_pdf(request, pk):
    visit = get_object_or_404(
        VisitReport.objects.visible_one_to(request.user).select_related("author"), pk=pk
    )
    if not perms.can_export_visit(request.user, visit):
        raise Http404
    data = visit_report_pdf(visit, by=request.user)
    return attachment(data, pdf_filename("compte-rendu-visite", visit.date.isoformat()))
