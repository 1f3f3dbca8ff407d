"""Pages of the company visits: the school tutor's list, a contract's windows and visits, planning,
the report form, the report itself, and the emailed link that lets a reader acknowledge it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apprentices.models import Contract
from core.audit import AuditEvent
from core.csvexport import export_response
from core.offline import OFFLINE_HEADER
from core.submissions import submitted_once
from core.viewutils import PAGE_SIZE, NarrowPaginator, filtered_page, render_list, search
from core.workflow import Refusal, message_of, refuse
from core.workflow import views as workflow_views
from core.workflow.drafts import StaleDraft
from core.workflow.signatures import signatures_of
from core.workflow.views import cleaned
from livret import perms, selectors
from livret.forms.visits import (
    ACTIONS_PREFIX,
    CancelForm,
    CloseActionForm,
    LogForm,
    MoveForm,
    NewActionFormSet,
    PlanForm,
    draft_values,
)
from livret.links import CONTRACT_PEOPLE
from livret.models import ActionItem, VisitReport, VisitReportVersion
from livret.readers import has_acknowledged, readers
from livret.services import visits as services
from livret.services.visits import MAX_NEW_ACTIONS
from livret.windows import HELD, summarize, visit_windows


def _visit_for(user, pk) -> VisitReport:
    return get_object_or_404(
        VisitReport.objects.visible_one_to(user).select_related(*CONTRACT_PEOPLE, "author"), pk=pk
    )


def _contract_for(user, pk) -> Contract:
    return get_object_or_404(
        Contract.objects.visible_one_to(user).with_people().select_related("apprentice__user"), pk=pk
    )


def _form_errors(form, error: ValidationError, fields_elsewhere=()) -> list[str]:
    """Put a service's refusal on the form's fields; return the messages for ``fields_elsewhere``."""
    elsewhere = []
    for name, errors in error.message_dict.items():
        if name in fields_elsewhere:
            elsewhere.extend(errors)
        elif name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)
    return elsewhere


# Lists -----------------------------------------------------------------------------------------------


@login_required
def visit_list(request):
    """The active contracts the person follows, each with the window to act on and its visits."""
    today = timezone.localdate()
    contracts = (
        Contract.objects.visible_to(request.user)
        .filter(status=Contract.Status.ACTIVE)
        .select_related("apprentice", "employer", "company_tutor", "school_tutor__user", "diploma")
    )
    contracts, term = search(
        contracts, request, ["apprentice__first_name", "apprentice__last_name", "employer__legal_name"]
    )
    # The page's keys first: sorting a network's 13,000 running contracts by name with their five joins
    # cost PostgreSQL five times more (67 → 14 ms at 20,000 apprentices).
    page = NarrowPaginator(
        contracts.order_by("apprentice__last_name", "apprentice__first_name", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    entries = selectors.visit_follow_up(list(page.object_list), today)
    return render_list(
        request,
        "livret/visits/visit_list.html",
        "livret/visits/_visit_results.html",
        {"page": page, "entries": entries, "q": term, "today": today},
    )


@login_required
def visit_report_list(request):
    """Le registre des visites: every meeting (planned, held, cancelled) the person sees, filtered."""
    return render_list(
        request,
        "livret/visits/visit_report_list.html",
        "livret/visits/_visit_report_results.html",
        filtered_page(request, "visits"),
    )


@login_required
def visit_report_export(request):
    return export_response(request, "visits")


@login_required
def contract_visits(request, contract_pk):
    """One contract: the charter's windows year by year, its visits, and the actions still open."""
    contract = _contract_for(request.user, contract_pk)
    today = timezone.localdate()
    visits = list(contract.visits.order_by("-planned_date", "-pk"))
    for visit in visits:
        visit.contract = contract
    actions = list(
        ActionItem.objects.filter(contract=contract)
        .select_related("opened_in", "closed_in")
        .order_by("due_date", "pk")
    )
    can_plan = perms.can_plan_visit(request.user, contract)
    return render(
        request,
        "livret/visits/contract_visits.html",
        {
            "contract": contract,
            "today": today,
            "years": visit_windows(contract, visits, today),
            "visits": visits,
            "open_actions": [a for a in actions if a.done_on is None],
            "closed_actions": [a for a in actions if a.done_on is not None],
            "can_plan": can_plan,
            "close_form": CloseActionForm() if can_plan else None,
        },
    )


# Planning ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def visit_plan(request, contract_pk):
    contract = _contract_for(request.user, contract_pk)
    if not perms.can_plan_visit(request.user, contract):
        raise Http404
    today = timezone.localdate()
    visits = list(contract.visits.all())
    has_start_meeting = any(v.is_start_meeting and v.status != VisitReport.Status.CANCELLED for v in visits)
    form = PlanForm(request.POST or None, start_meeting_allowed=not has_start_meeting)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.plan_visit(
                contract=contract,
                by=request.user,
                planned_date=form.cleaned_data["planned_date"],
                planned_time=form.cleaned_data["planned_time"],
                mode=form.cleaned_data["mode"],
                is_start_meeting=form.cleaned_data.get("is_start_meeting", False),
            )
        except ValidationError as error:
            _form_errors(form, error)
        except (Refusal, PermissionDenied) as error:
            form.add_error(None, error.args[0])
        else:
            messages.success(
                request,
                _(
                    "Visite planifiée le %(day)s : l'apprenti et le maître d'apprentissage reçoivent "
                    "l'invitation par message électronique. Après la rencontre, rédigez son compte rendu ici."
                )
                % {"day": visit.planned_date.strftime("%d/%m/%Y")},
            )
            return redirect(visit)
    return render(
        request,
        "livret/visits/visit_plan.html",
        {
            "contract": contract,
            "form": form,
            "today": today,
            "summary": summarize(contract, visits, today),
            "open_actions": selectors.open_actions(contract),
        },
    )


# One visit --------------------------------------------------------------------------------------------


def _plan_of(visit) -> dict:
    return {"planned_date": visit.planned_date, "planned_time": visit.planned_time, "mode": visit.mode}


@login_required
def visit_detail(request, pk):
    visit = _visit_for(request.user, pk)
    user = request.user
    contract = visit.contract
    today = timezone.localdate()
    signatures = list(signatures_of(visit))
    held = visit.status in HELD
    actions = selectors.visit_actions(visit)
    legal_representatives = (
        list(contract.apprentice.legal_representatives.all()) if held and contract.apprentice.is_minor else []
    )
    people = readers(contract, legal_representatives) if held else []
    can_cancel = perms.can_cancel_visit(user, visit)
    context = {
        "visit": visit,
        "contract": contract,
        "today": today,
        "signatures": signatures,
        "opened_here": [a for a in actions if a.opened_in_id == visit.pk],
        "closed_here": [a for a in actions if a.closed_in_id == visit.pk],
        "carried": [a for a in actions if a.opened_in_id != visit.pk and a.done_on is None],
        "reading": [{"reader": reader, "done": has_acknowledged(reader, signatures)} for reader in people],
        "can_log": perms.can_log_visit(user, visit),
        "can_correct": perms.can_correct_visit(user, visit),
        "versions": list(visit.past_versions.select_related("author")) if held else [],
        "can_export_pdf": perms.can_export_visit(user, visit),
        "can_acknowledge": held and perms.may_acknowledge(user, visit, signatures),
        "cancel_form": CancelForm() if can_cancel else None,
        "move_form": MoveForm(initial=_plan_of(visit), auto_id="move_%s") if can_cancel else None,
        "audit_events": AuditEvent.for_object(visit)[:30] if perms.can_see_audit(user, visit) else None,
    }
    return render(request, "livret/visits/visit_detail.html", context)


def _draft_errors_json(error: ValidationError) -> dict:
    return {
        name: [{"message": message} for message in messages_]
        for name, messages_ in error.message_dict.items()
    }


@login_required
@require_http_methods(["GET", "POST"])
def visit_log(request, pk):
    """The report of a visit, or the correction of a shared one: a draft saved as it is typed (in JSON
    to the page's script, offline copies included), or by its buttons: save the draft, add an action
    row, share the report (which signs it)."""
    visit = _visit_for(request.user, pk)
    contract = visit.contract
    if not perms.can_plan_visit(request.user, contract):
        raise Http404
    try:
        services.check_loggable(visit)
    except Refusal as error:
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"error": error.message}, status=403)
        messages.info(request, error.message)
        return redirect(visit)
    correction = visit.is_correcting
    action = request.POST.get("action", "share")
    if request.method == "POST" and action in {"save", "add_action"}:
        return _save_draft(request, visit, action)
    open_actions = [] if correction else selectors.open_actions(contract, exclude_visit=visit)
    minor = contract.apprentice.is_minor
    draft = services.report_draft(visit)
    data = request.POST if request.method == "POST" else None
    form = LogForm(
        data,
        open_actions=open_actions,
        minor=minor,
        initial={
            **{name: value for name, value in draft.items() if name != "actions"},
            "revision": visit.revision,
        },
    )
    rows = draft.get("actions", [])
    formset = NewActionFormSet(data, prefix=ACTIONS_PREFIX, initial=rows or None)
    formset.extra = max(1, min(_rows_asked(request) - len(rows), MAX_NEW_ACTIONS - len(rows)))
    action_errors = []
    conflict = False
    if (
        request.method == "POST"
        and form.is_valid()
        and formset.is_valid()
        and formset.due_dates_follow(form.cleaned_data["held_on"])
    ):
        try:
            report = services.Report.clean(**form.report_values(formset.actions()))
            # The text is saved first: a report refused by the contract's rules is not lost.
            visit = services.save_report_draft(
                visit=visit,
                by=request.user,
                values=draft_values(request.POST),
                revision=form.cleaned_data["revision"],
            )
            share = services.share_correction if correction else services.log_visit
            visit = share(visit=visit, by=request.user, report=report)
        except StaleDraft:
            conflict = True
        except ValidationError as error:
            action_errors = _form_errors(form, error, fields_elsewhere=("new_actions",))
        except (Refusal, PermissionDenied) as error:
            refuse(request, error)
            return redirect(visit)
        else:
            if correction:
                message = _(
                    "Compte rendu corrigé (version %(n)s) : l'apprenti et le maître d'apprentissage sont "
                    "invités à prendre connaissance de la nouvelle version."
                ) % {"n": visit.version}
            else:
                message = _(
                    "Compte rendu partagé : l'apprenti et le maître d'apprentissage sont invités à en "
                    "prendre connaissance."
                )
            messages.success(request, message)
            return redirect(visit)
    if form.is_bound and not conflict and "revision" not in form.errors:
        # The draft saved before a refusal moved the revision on: the page's next save is based on it.
        form.data = form.data.copy()
        form.data["revision"] = str(visit.revision)
    if form.is_bound:
        ticked = {str(value) for value in form.data.getlist("close_actions")}
    else:
        ticked = {str(value) for value in draft.get("close_actions", [])}
    response = render(
        request,
        "livret/visits/visit_log.html",
        {
            "visit": visit,
            "contract": contract,
            "form": form,
            "formset": formset,
            "action_errors": action_errors,
            "conflict": conflict,
            "correction": correction,
            "today": timezone.localdate(),
            "close_choices": [{"action": a, "checked": str(a.pk) in ticked} for a in open_actions],
            "minor": minor,
            "max_actions": MAX_NEW_ACTIONS,
        },
    )
    response[OFFLINE_HEADER] = "1"
    return response


def _rows_asked(request) -> int:
    try:
        return int(request.GET.get("lignes", 0))
    except ValueError:
        return 0


def _save_draft(request, visit, action):
    """Save the draft as it is: in JSON for the page's autosave (409 with the current draft on a stale
    copy, 400 with the problems), or from a button, back to the form (with one more action row)."""
    wants_json = request.headers.get("Accept") == "application/json"
    url = reverse("livret:visit_log", args=[visit.pk])
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        if wants_json:
            return JsonResponse({"errors": {"revision": [{"message": _("Rechargez la page.")}]}}, status=400)
        messages.error(request, _("Le formulaire est incomplet : rechargez la page."))
        return redirect(url)
    values = draft_values(request.POST)
    try:
        visit = services.save_report_draft(visit=visit, by=request.user, values=values, revision=revision)
    except StaleDraft as stale:
        if wants_json:
            return JsonResponse(
                {"conflict": True, "current": stale.current, "revision": stale.revision}, status=409
            )
        messages.error(
            request,
            _(
                "Le compte rendu a été modifié ailleurs (autre onglet ou autre appareil) : votre texte "
                "n'a pas été enregistré. Le voici, pour le recopier : %(text)s"
            )
            % {"text": " / ".join(v for v in (values.get(n, "") for n in VisitReport.REPORT_FIELDS) if v)},
        )
        return redirect(url)
    except ValidationError as error:
        if wants_json:
            return JsonResponse({"errors": _draft_errors_json(error)}, status=400)
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect(url)
    except (Refusal, PermissionDenied) as error:
        if wants_json:
            return JsonResponse({"error": message_of(error)}, status=403)
        refuse(request, error)
        return redirect(visit)
    if wants_json:
        return JsonResponse(
            {"revision": visit.revision, "saved_at": timezone.localtime().strftime("%H:%M:%S")}
        )
    if action == "add_action":
        rows = len(visit.draft.get("actions", [])) + 1
        return redirect(f"{url}?lignes={rows}#action-{rows}")
    messages.success(request, _("Brouillon enregistré."))
    return redirect(url)


@login_required
@require_POST
def visit_correct(request, pk):
    """Open the correction of a shared report: its draft starts from the version in force."""
    visit = _visit_for(request.user, pk)
    return workflow_views.transition(
        request,
        visit,
        lambda: services.correct_visit(visit=visit, by=request.user),
        _(
            "Correction ouverte : la version en vigueur reste partagée jusqu'à ce que vous partagiez "
            "la nouvelle."
        ),
        then=reverse("livret:visit_log", args=[visit.pk]),
    )


@login_required
@require_POST
def visit_discard_correction(request, pk):
    visit = _visit_for(request.user, pk)
    return workflow_views.transition(
        request,
        visit,
        lambda: services.discard_correction(visit=visit, by=request.user),
        _("Correction abandonnée : la version en vigueur est inchangée."),
    )


@login_required
def visit_version(request, pk):
    """A replaced version of a report, as it was shared: for whoever sees the visit."""
    version = get_object_or_404(
        VisitReportVersion.objects.filter(
            visit__in=VisitReport.objects.visible_to(request.user)
        ).select_related(*(f"visit__{name}" for name in CONTRACT_PEOPLE)),
        pk=pk,
    )
    visit = version.visit
    return render(
        request,
        "livret/visits/visit_version.html",
        {
            "visit": visit,
            "contract": visit.contract,
            "version": version,
            "shared": version.as_report(),
            "signatures": list(signatures_of(version)),
        },
    )


@login_required
@require_POST
def visit_cancel(request, pk):
    visit = _visit_for(request.user, pk)
    form = CancelForm(request.POST)
    return workflow_views.transition(
        request,
        visit,
        lambda: services.cancel_visit(visit=visit, by=request.user, reason=cleaned(form)["reason"]),
        _("Visite annulée."),
    )


@login_required
@require_POST
def visit_move(request, pk):
    visit = _visit_for(request.user, pk)
    form = MoveForm(request.POST)

    def move():
        data = cleaned(form)
        return services.move_visit(
            visit=visit,
            by=request.user,
            planned_date=data["planned_date"],
            planned_time=data["planned_time"],
            mode=data["mode"],
        )

    return workflow_views.transition(
        request,
        visit,
        move,
        _("Visite déplacée : l'apprenti et le maître d'apprentissage reçoivent l'invitation mise à jour."),
    )


@login_required
@require_POST
def visit_acknowledge(request, pk):
    visit = _visit_for(request.user, pk)
    return workflow_views.transition(
        request,
        visit,
        lambda: services.acknowledge(visit=visit, by=request.user),
        _("Merci : votre prise de connaissance du compte rendu est enregistrée."),
    )


@login_required
@require_POST
def action_close(request, pk):
    action = get_object_or_404(
        ActionItem.objects.visible_to(request.user).select_related(
            "contract__diploma", "contract__school_tutor"
        ),
        pk=pk,
    )
    form = CloseActionForm(request.POST)
    return workflow_views.transition(
        request,
        reverse("livret:contract_visits", args=[action.contract_id]),
        lambda: services.close_action(action=action, by=request.user, done_on=cleaned(form)["done_on"]),
        _("Action close : « %(action)s ».") % {"action": action.description},
    )
