"""Evidence (upload, list, permission-checked download) and the meeting register."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.models import AcademicYear
from core.viewutils import PAGE_SIZE
from quality import perms, services
from quality.forms import EvidenceForm, MeetingFilter, MeetingForm
from quality.models import Evidence, Meeting
from quality.views.common import REFUSALS, require_quality


def _organisation_id(user, diplomas):
    return user.organisation_id or (diplomas[0].organisation_id if diplomas else None)


@login_required
def evidence_list(request):
    user = request.user
    require_quality(user)
    evidence = (
        Evidence.objects.visible_to(user)
        .select_related("diploma", "academic_year", "attested_by")
        .order_by("-academic_year__start_date", "-attested_on", "-pk")
    )
    year = AcademicYear.objects.filter(label=request.GET.get("annee", "")).first()
    if year:
        evidence = evidence.filter(academic_year=year)
    page = Paginator(evidence, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/evidence_list.html",
        {"page": page, "years": AcademicYear.objects.order_by("-start_date"), "year": year},
    )


@login_required
def evidence_create(request):
    user = request.user
    require_quality(user)
    diplomas = perms.quality_diplomas(user).order_by("code")
    organisation_id = _organisation_id(user, list(diplomas[:1]))
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
            evidence = services.add_evidence(
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
                % {"title": evidence.title, "sha": evidence.sha256[:12]},
            )
            if evidence.diploma_id:
                return redirect("quality:trajectory", evidence.diploma_id, evidence.academic_year.label)
            return redirect("quality:evidence_list")
    return render(request, "quality/evidence_form.html", {"form": form})


@login_required
def evidence_download(request, pk):
    """Served by the platform after the permission check: the files live outside the web root."""
    require_quality(request.user)
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{evidence.title[:80]}{evidence.extension}",
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def meeting_list(request):
    user = request.user
    require_quality(user)
    diplomas = perms.quality_diplomas(user).order_by("code")
    meetings = (
        Meeting.objects.visible_to(user)
        .select_related("minutes")
        .prefetch_related("diplomas", "cohorts")
        .order_by("-held_on", "-pk")
    )
    filters = MeetingFilter(request.GET or None, queryset=meetings, diplomas=diplomas)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quality/meeting_list.html", {"filter": filters, "page": page})


@login_required
def meeting_detail(request, pk):
    require_quality(request.user)
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user)
        .select_related("minutes", "recorded_by")
        .prefetch_related("diplomas", "cohorts"),
        pk=pk,
    )
    return render(request, "quality/meeting_detail.html", {"meeting": meeting})


@login_required
def meeting_create(request):
    user = request.user
    require_quality(user)
    diplomas = perms.quality_diplomas(user).order_by("code")
    organisation_id = _organisation_id(user, list(diplomas[:1]))
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
            meeting = services.record_meeting(
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
