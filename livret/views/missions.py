"""Pages of the mission description: the list (what waits for a head first), the description with its
forms, and one POST view per transition. Each fetches through ``visible_to``: someone else's is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apprentices.models import Contract
from core.audit import AuditEvent
from core.csvexport import export_response
from core.models import AcademicYear, Role
from core.submissions import submitted_once
from core.viewutils import filtered_page, render_list
from core.workflow import REFUSALS, refuse
from core.workflow import views as workflow_views
from core.workflow.signatures import signatures_of
from livret import perms, selectors
from livret.forms.missions import MissionForm, ReturnForm, ValidateForm
from livret.models import MissionDescription
from livret.services import missions as services


def _mission_for(user, pk):
    return get_object_or_404(
        selectors.missions_with_context(MissionDescription.objects.visible_one_to(user)), pk=pk
    )


# The list ------------------------------------------------------------------------------------------


@login_required
def mission_list(request):
    """For a head, the descriptions waiting for their decision first (oldest first); then every
    description the person sees, filterable by state, by pages."""
    user = request.user
    today = timezone.localdate()
    waiting = selectors.waiting_missions_for_head(user, today)
    context = filtered_page(request, "missions", exclude_pks=[mission.pk for mission in waiting])
    page = context["page"]
    page.object_list = list(page.object_list)
    for mission in page.object_list:
        mission.days_waiting = selectors.days_waiting(mission, today)
        mission.overdue = selectors.is_overdue(mission, today)
    year = to_describe = None
    if user.roles & {Role.APPRENTICE, Role.COMPANY_TUTOR}:
        year = AcademicYear.objects.current(today)
        to_describe = list(selectors.contracts_to_describe(user, year))
    return render_list(
        request,
        "livret/missions/list.html",
        "livret/missions/_results.html",
        {
            **context,
            "waiting": waiting,
            "year": year,
            "to_describe": to_describe,
            "is_head": Role.HEAD_OF_DIPLOMA in user.roles,
        },
    )


@login_required
def mission_export(request):
    return export_response(request, "missions")


@login_required
@require_POST
@submitted_once
def mission_create(request, contract_pk):
    """Open the description of the current academic year, from the contract page or the list."""
    contract = get_object_or_404(Contract.objects.visible_one_to(request.user), pk=contract_pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = contract.get_absolute_url()
    year = AcademicYear.objects.current(timezone.localdate())
    if year is None:
        messages.error(request, _("Aucune année scolaire n'est définie : demandez-la à l'équipe du CFA."))
        return redirect(back)
    try:
        mission = services.create_mission(contract=contract, academic_year=year, by=request.user)
    except services.MissionExists as exists:
        messages.info(request, exists.message)
        return redirect(exists.mission)
    except REFUSALS as error:
        refuse(request, error)
        return redirect(back)
    messages.success(
        request,
        _(
            "Description des missions %(year)s ouverte : rédigez-la puis soumettez-la au "
            "responsable de formation."
        )
        % {"year": year},
    )
    return redirect(mission)


# The description -----------------------------------------------------------------------------------


def _render_detail(request, mission, *, form=None, conflict=None, status=200):
    user = request.user
    today = timezone.localdate()
    versions = list(
        MissionDescription.objects.filter(
            contract_id=mission.contract_id, academic_year_id=mission.academic_year_id
        ).order_by("-version")
    )
    decisions = list(mission.decisions.select_related("decided_by"))
    for decision in decisions:
        decision.delay_days = decision.delay.days
    can_edit = perms.can_edit_mission(user, mission)
    can_decide = perms.can_decide_mission(user, mission)
    if can_edit and form is None:
        form = MissionForm(initial={**mission.content(), "revision": mission.revision})
    context = {
        "mission": mission,
        "days_waiting": selectors.days_waiting(mission, today),
        "overdue": selectors.is_overdue(mission, today),
        "signatures": list(signatures_of(mission)),
        "versions": versions,
        "current_version": None if mission.is_current else next((v for v in versions if v.is_current), None),
        "decisions": decisions,
        "can_edit": can_edit,
        "can_decide": can_decide,
        "can_correct": perms.can_correct_mission(user, mission),
        "can_remind": perms.can_remind_heads(user, mission),
        "heads": list(mission.contract.diploma.heads.all()),
        "is_staff": perms.is_staff_of(user, mission.contract),
        "form": form if can_edit else None,
        "conflict": conflict,
        # Both forms post a "comment": distinct ids keep each label on its own field.
        "validate_form": ValidateForm(auto_id="validate_%s") if can_decide else None,
        "return_form": ReturnForm(auto_id="return_%s") if can_decide else None,
        "audit_events": AuditEvent.for_object(mission)[:30] if perms.can_see_audit(user, mission) else None,
    }
    return render(request, "livret/missions/detail.html", context, status=status)


@login_required
def mission_detail(request, pk):
    return _render_detail(request, _mission_for(request.user, pk))


class MissionDraftPage(workflow_views.DraftPage):
    """The description's writers: nothing typed is lost; an invalid form or a save from a stale copy
    shows the page again with the text as it was posted, and for a conflict the text saved elsewhere."""

    def save(self, request, mission, values, revision):
        return services.save_draft(mission=mission, by=request.user, values=values, revision=revision)

    def invalid(self, request, mission, form):
        try:
            services.check_writable(mission=mission, by=request.user)
        except REFUSALS as error:
            refuse(request, error)
            return redirect(mission)
        messages.error(request, _("Rien n'a été enregistré : corrigez les champs signalés."))
        return _render_detail(request, mission, form=form, status=400)

    def conflict(self, request, mission, values, stale):
        messages.error(
            request,
            _(
                "La description a été modifiée ailleurs (autre onglet, autre appareil ou l'autre "
                "rédacteur) : votre texte n'a pas été enregistré. Il est toujours dans le formulaire ; "
                "comparez avec la version enregistrée, puis enregistrez à nouveau pour la remplacer."
            ),
        )
        form = MissionForm({**values, "revision": stale.revision})
        return _render_detail(request, mission, form=form, conflict=stale.current, status=409)

    def submit(self, request, mission):
        try:
            services.submit(mission=mission, by=request.user)
        except REFUSALS as error:
            refuse(request, error)
        else:
            messages.success(
                request,
                _(
                    "Description soumise au responsable de formation : il la valide ou la renvoie "
                    "sous une semaine."
                ),
            )
        return redirect(mission)


@login_required
@require_POST
def mission_save(request, pk):
    """Save the draft: from the form (``action`` = save or submit) or as people type (fetch, JSON)."""
    mission = _mission_for(request.user, pk)
    return workflow_views.save_draft(request, mission, MissionForm(request.POST), MissionDraftPage())


def _next_waiting(request, decided):
    """Where a head goes after a decision: the next description waiting for them (oldest first), or
    the list, saying that none waits any more."""
    following = [m for m in selectors.waiting_missions_for_head(request.user) if m.pk != decided.pk]
    if following:
        return following[0].get_absolute_url()
    messages.info(request, _("Plus aucune description n'attend votre décision."))
    return reverse("livret:mission_list")


def _decision(request, pk, act, success_message):
    mission = _mission_for(request.user, pk)
    comment = request.POST.get("comment", "")
    return workflow_views.transition(
        request,
        mission,
        lambda: act(mission, request.user, comment),
        success_message,
        then=lambda decided: _next_waiting(request, decided),
    )


@login_required
@require_POST
def mission_validate(request, pk):
    return _decision(
        request,
        pk,
        lambda mission, user, comment: services.validate(mission=mission, by=user, comment=comment),
        _(
            "Description validée : l'apprenti et son maître d'apprentissage en sont avertis par message "
            "électronique et la retrouvent dans le livret."
        ),
    )


@login_required
@require_POST
def mission_return(request, pk):
    return _decision(
        request,
        pk,
        lambda mission, user, comment: services.return_mission(mission=mission, by=user, comment=comment),
        _(
            "Description renvoyée avec votre commentaire : l'apprenti et son maître d'apprentissage le "
            "reçoivent par message électronique."
        ),
    )


@login_required
@require_POST
def mission_remind(request, pk):
    """« Relancer le responsable »: the staff mail the heads of the diploma, named in the message."""
    mission = _mission_for(request.user, pk)
    return workflow_views.transition(
        request,
        mission,
        lambda: services.remind_heads(mission=mission, by=request.user),
        _("Relance envoyée."),
        then=lambda heads: _reminded(request, mission, heads),
    )


def _reminded(request, mission, heads):
    # The transition's message says it was sent; this one names to whom.
    messages.info(
        request,
        _("%(names)s a reçu la relance par message électronique.") % {"names": names_of(heads)},
    )
    return mission


def names_of(people) -> str:
    return ", ".join(person.get_full_name() or person.email for person in people)


@login_required
@require_POST
def mission_correct(request, pk):
    mission = _mission_for(request.user, pk)
    return workflow_views.transition(
        request,
        mission,
        lambda: services.correct(mission=mission, by=request.user),
        _("Nouvelle version ouverte ; la version validée reste consultable."),
        then=lambda new: new,
    )
