"""Evidence (upload, list, permission-checked download) and the meeting register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.models import AcademicYear
from core.submissions import submitted_once
from core.viewutils import PAGE_SIZE
from core.workflow import REFUSALS
from quality import perms, selectors
from quality.forms import EvidenceForm, MeetingFilter, MeetingForm
from quality.models import Evidence
from quality.services import evidence, meetings
from quality.views.common import organisation_of, require_quality


@login_required
def evidence_list(request):
    user = request.user
    require_quality(user)
    year = AcademicYear.objects.filter(label=request.GET.get("annee", "")).first()
    page = Paginator(selectors.evidence_of(user, year), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/evidence_list.html",
        {"page": page, "years": AcademicYear.objects.order_by("-start_date"), "year": year},
    )


@login_required
@submitted_once
def evidence_create(request):
    user = request.user
    require_quality(user)
    diplomas = perms.quality_diplomas(user).order_by("code")
    organisation_id = organisation_of(user, list(diplomas[:1]))
    if organisation_id is None:
        raise Http404
    establishment_wide = perms.can_act_for_establishment(user, organisation_id)
    initial = {
        "kind": request.GET.get("type") or None,
        "diploma": request.GET.get("formation") or None,
        "academic_year": AcademicYear.objects.filter(label=request.GET.get("annee", "")).first()
        or AcademicYear.objects.current(),
    }
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        diplomas=diplomas,
        establishment_wide=establishment_wide,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = evidence.add_evidence(
                organisation_id=organisation_id,
                diploma=data["diploma"],
                year=data["academic_year"],
                kind=data["kind"],
                title=data["title"],
                upload=data["file"],
                attested_on=data["attested_on"],
                valid_until=data["valid_until"],
                by=user,
            )
        except REFUSALS as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Document « %(title)s » déposé (empreinte %(sha)s…).")
                % {"title": document.title, "sha": document.sha256[:12]},
            )
            if document.diploma_id:
                return redirect("quality:trajectory", document.diploma_id, document.academic_year.label)
            return redirect("quality:evidence_list")
    return render(request, "quality/evidence_form.html", {"form": form})


@login_required
def evidence_download(request, pk):
    """Served by the platform after the permission check: the files live outside the web root."""
    require_quality(request.user)
    document = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{document.title[:80]}{document.extension}",
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def meeting_list(request):
    user = request.user
    require_quality(user)
    diplomas = perms.quality_diplomas(user).order_by("code")
    filters = MeetingFilter(request.GET or None, queryset=selectors.meetings_of(user), diplomas=diplomas)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quality/meeting_list.html", {"filter": filters, "page": page})


@login_required
def meeting_detail(request, pk):
    require_quality(request.user)
    meeting = get_object_or_404(selectors.meetings_of(request.user), pk=pk)
    return render(request, "quality/meeting_detail.html", {"meeting": meeting})


@login_required
@submitted_once
def meeting_create(request):
    user = request.user
    require_quality(user)
    diplomas = perms.quality_diplomas(user).order_by("code")
    organisation_id = organisation_of(user, list(diplomas[:1]))
    if organisation_id is None:
        raise Http404
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        diplomas=diplomas,
        initial={"kind": request.GET.get("type") or None, "diplomas": request.GET.getlist("formation")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meetings.record_meeting(
                organisation_id=organisation_id,
                kind=data["kind"],
                title=data["title"],
                held_on=data["held_on"],
                diplomas=data["diplomas"],
                cohorts=data["cohorts"],
                attendance=data["attendance"],
                attendees=data["attendees"],
                minutes=data["minutes"],
                by=user,
            )
        except REFUSALS as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Réunion enregistrée : %(meeting)s.") % {"meeting": meeting})
            return redirect("quality:meeting_detail", meeting.pk)
    return render(request, "quality/meeting_form.html", {"form": form})
