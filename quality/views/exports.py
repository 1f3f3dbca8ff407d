"""The charter compliance PDF of one diploma and year, for its heads and the quality team."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404

from core.pdf import attachment, pdf_filename
from quality import perms
from quality.pdf import diploma_compliance_pdf
from quality.views.common import diploma_for, year_for


@login_required
def compliance_pdf(request, pk, year):
    diploma = diploma_for(request.user, pk)
    academic_year = year_for(year)
    if not perms.can_export_diploma_compliance(request.user, diploma):
        raise Http404
    data = diploma_compliance_pdf(diploma, academic_year, by=request.user)
    return attachment(data, pdf_filename("conformite", diploma.code, academic_year.label))
