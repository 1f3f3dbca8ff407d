"""Pages of the company visits: the school tutor's list, a contract's windows and visits, planning,
the report form, the report itself, and the emailed link that lets a reader acknowledge it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apprentices.models import Contract
from core.csvexport import export_response
from core.models import AuditEvent
from core.viewutils import PAGE_SIZE, filtered_page, render_list, search
from livret import links, perms
from livret.forms.visits import CancelForm, CloseActionForm, LogForm, NewActionFormSet, PlanForm
from livret.models import ActionItem, ActionLink, VisitReport
from livret.services import InvalidTransition, signatures_of
from livret.services import visits as services
from livret.tasks import send_visit_acknowledge_requests
from livret.views.common import refuse

V = VisitReport.Status
REFUSALS = (InvalidTransition, PermissionDenied, ValidationError)
CONTRACT_PEOPLE = (
    "contract__apprentice__user",
    "contract__employer",
    "contract__company_tutor",
    "contract__school_tutor__user",
    "contract__diploma",
)


def _visit_for(user, pk) -> VisitReport:
    return get_object_or_404(
        VisitReport.objects.visible_to(user).select_related(*CONTRACT_PEOPLE, "author"), pk=pk
    )


def _contract_for(user, pk) -> Contract:
    return get_object_or_404(
        Contract.objects.visible_to(user).with_people().select_related("apprentice__user"), pk=pk
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


def _open_actions(contract, *, exclude_visit=None):
    actions = ActionItem.objects.filter(contract=contract, done_on__isnull=True).select_related("opened_in")
    if exclude_visit is not None:
        actions = actions.exclude(opened_in=exclude_visit)
    return list(actions.order_by("due_date", "pk"))


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
    page = Paginator(
        contracts.order_by("apprentice__last_name", "apprentice__first_name", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    visits = list(VisitReport.objects.filter(contract__in=rows).exclude(status=V.CANCELLED))
    actions = {
        row["contract"]: row
        for row in ActionItem.objects.filter(contract__in=rows, done_on__isnull=True)
        .values("contract")
        .annotate(open=Count("pk"), late=Count("pk", filter=Q(due_date__lt=today)))
    }
    entries = [
        {
            "contract": contract,
            "summary": services.summarize(contract, visits, today),
            "open_actions": actions.get(contract.pk, {}).get("open", 0),
            "late_actions": actions.get(contract.pk, {}).get("late", 0),
        }
        for contract in rows
    ]
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
            "years": services.visit_windows(contract, visits, today),
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
def visit_plan(request, contract_pk):
    contract = _contract_for(request.user, contract_pk)
    if not perms.can_plan_visit(request.user, contract):
        raise Http404
    today = timezone.localdate()
    visits = list(contract.visits.all())
    has_start_meeting = any(v.is_start_meeting and v.status != V.CANCELLED for v in visits)
    form = PlanForm(request.POST or None, start_meeting_allowed=not has_start_meeting)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.plan_visit(
                contract=contract,
                by=request.user,
                planned_date=form.cleaned_data["planned_date"],
                mode=form.cleaned_data["mode"],
                is_start_meeting=form.cleaned_data.get("is_start_meeting", False),
            )
        except ValidationError as error:
            _form_errors(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            form.add_error(None, error.args[0])
        else:
            messages.success(
                request,
                _("Visite planifiée le %(day)s. Après la rencontre, rédigez son compte rendu ici.")
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
            "summary": services.summarize(contract, visits, today),
            "open_actions": _open_actions(contract),
        },
    )


# One visit --------------------------------------------------------------------------------------------


@login_required
def visit_detail(request, pk):
    visit = _visit_for(request.user, pk)
    user = request.user
    contract = visit.contract
    today = timezone.localdate()
    signatures = list(signatures_of(visit))
    held = visit.status in services.HELD
    actions = list(
        ActionItem.objects.filter(contract=contract)
        .filter(
            Q(opened_in=visit)
            | Q(closed_in=visit)
            | Q(done_on__isnull=True, opened_in__held_on__lte=visit.date) & ~Q(opened_in=visit)
        )
        .select_related("opened_in")
        .order_by("due_date", "pk")
    )
    legal_representatives = (
        list(contract.apprentice.legal_representatives.all()) if held and contract.apprentice.is_minor else []
    )
    readers = services.readers(contract, legal_representatives) if held else []
    can_cancel = perms.can_cancel_visit(user, visit)
    context = {
        "visit": visit,
        "contract": contract,
        "today": today,
        "signatures": signatures,
        "opened_here": [a for a in actions if a.opened_in_id == visit.pk],
        "closed_here": [a for a in actions if a.closed_in_id == visit.pk],
        "carried": [a for a in actions if a.opened_in_id != visit.pk and a.done_on is None],
        "reading": [
            {"reader": reader, "done": services.has_acknowledged(reader, signatures)} for reader in readers
        ],
        "can_log": perms.can_log_visit(user, visit),
        "can_export_pdf": perms.can_export_visit(user, visit),
        "can_acknowledge": held and services.may_acknowledge(user, visit, signatures),
        "cancel_form": CancelForm() if can_cancel else None,
        "audit_events": AuditEvent.for_object(visit)[:30] if perms.can_see_audit(user, visit) else None,
    }
    return render(request, "livret/visits/visit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_log(request, pk):
    visit = _visit_for(request.user, pk)
    contract = visit.contract
    if not perms.can_plan_visit(request.user, contract):
        raise Http404
    if visit.status != V.PLANNED:
        messages.info(
            request,
            _("Cette visite est annulée.")
            if visit.status == V.CANCELLED
            else _("Le compte rendu de cette visite est déjà partagé : il ne se modifie plus."),
        )
        return redirect(visit)
    open_actions = _open_actions(contract, exclude_visit=visit)
    minor = contract.apprentice.is_minor
    data = request.POST if request.method == "POST" else None
    form = LogForm(
        data,
        open_actions=open_actions,
        minor=minor,
        initial={"held_on": min(visit.planned_date, timezone.localdate()), "mode": visit.mode},
    )
    formset = NewActionFormSet(data, prefix="actions")
    action_errors = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = {name: form.cleaned_data.get(name) for name in LogForm.PARTICIPANTS if name in form.fields}
        try:
            visit = services.log_visit(
                visit=visit,
                by=request.user,
                held_on=form.cleaned_data["held_on"],
                mode=form.cleaned_data["mode"],
                other_participants=form.cleaned_data["other_participants"],
                **fields,
                **{name: form.cleaned_data[name] for name in LogForm.TEXTS},
                close_action_ids=form.cleaned_data["close_actions"],
                new_actions=formset.actions(),
            )
        except ValidationError as error:
            action_errors = _form_errors(form, error, fields_elsewhere=("new_actions",))
        except (InvalidTransition, PermissionDenied) as error:
            refuse(request, error)
            return redirect(visit)
        else:
            messages.success(
                request,
                _(
                    "Compte rendu partagé : l'apprenti et le maître d'apprentissage sont invités à en "
                    "prendre connaissance."
                ),
            )
            return redirect(visit)
    ticked = set(form["close_actions"].value() or []) if form.is_bound else set()
    return render(
        request,
        "livret/visits/visit_log.html",
        {
            "visit": visit,
            "contract": contract,
            "form": form,
            "formset": formset,
            "action_errors": action_errors,
            "today": timezone.localdate(),
            "close_choices": [{"action": a, "checked": str(a.pk) in ticked} for a in open_actions],
            "minor": minor,
        },
    )


@login_required
@require_POST
def visit_cancel(request, pk):
    visit = _visit_for(request.user, pk)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.cancel_visit(visit=visit, by=request.user, reason=form.cleaned_data["reason"])
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("Visite annulée."))
    return redirect(visit)


@login_required
@require_POST
def visit_acknowledge(request, pk):
    visit = _visit_for(request.user, pk)
    try:
        services.acknowledge(visit=visit, by=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("Merci : votre prise de connaissance du compte rendu est enregistrée."))
    return redirect(visit)


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
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.close_action(action=action, by=request.user, done_on=form.cleaned_data["done_on"])
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(request, _("Action close : « %(action)s ».") % {"action": action.description})
    return redirect("livret:contract_visits", contract_pk=action.contract_id)


# The emailed link ---------------------------------------------------------------------------------------


def _link_invalid(request, visit, token, error, *, status):
    return render(
        request,
        "livret/visits/link_invalid.html",
        {
            "visit": visit,
            "error": error,
            "token": token,
            "can_resend": visit.status in services.HELD and error.kind != "used",
        },
        status=status,
    )


LINK_STATUS = {"tampered": 400, "foreign": 400, "expired": 410, "used": 410}


@require_http_methods(["GET", "POST"])
def visit_link(request, pk, token):
    """A reader's page from the emailed link: this report alone, and the one action. No login."""
    visit = get_object_or_404(VisitReport.objects.select_related(*CONTRACT_PEOPLE, "author"), pk=pk)
    try:
        _link, reader = services.resolve_link(token, visit)
        if visit.status not in services.HELD:
            raise links.LinkError("used")
        signatures = list(signatures_of(visit))
        if services.has_acknowledged(reader, signatures):
            raise links.LinkError("used")
    except links.LinkError as error:
        return _link_invalid(request, visit, token, error, status=LINK_STATUS[error.kind])
    if request.method == "POST":
        try:
            services.acknowledge(visit=visit, token=token)
        except links.LinkError as error:
            return _link_invalid(request, visit, token, error, status=LINK_STATUS[error.kind])
        except InvalidTransition:
            return _link_invalid(request, visit, token, links.LinkError("used"), status=410)
        return render(
            request,
            "livret/visits/link_done.html",
            {"visit": visit, "reader": reader, "signatures": list(signatures_of(visit))},
        )
    actions = list(ActionItem.objects.filter(opened_in=visit).order_by("due_date", "pk"))
    return render(
        request,
        "livret/visits/link_acknowledge.html",
        {
            "visit": visit,
            "contract": visit.contract,
            "reader": reader,
            "opened_here": actions,
            "today": timezone.localdate(),
        },
    )


@require_POST
def visit_link_resend(request, pk, token):
    """Send a fresh link to the address on file. Says the same whatever happens: it reveals nothing."""
    visit = (
        VisitReport.objects.select_related("contract__apprentice", "contract__company_tutor")
        .filter(pk=pk)
        .first()
    )
    if visit is not None and visit.status in services.HELD:
        email = _resend_address(visit, token)
        if email:
            send_visit_acknowledge_requests.delay_on_commit(visit.pk, email)
    return render(request, "livret/visits/link_resent.html")


def _resend_address(visit, token) -> str | None:
    """Only the holder of a genuine link to this report gets a new one sent: to the legal
    representative on file with that address, else to the company tutor now on file (whoever held the
    old link); not twice to the same address within ten minutes, so the endpoint cannot flood anyone."""
    try:
        link, _reader = services.resolve_link(token, visit)
    except links.LinkError as error:
        link = error.link
        if error.kind == "tampered" or link is None or not link.is_for(visit):
            return None
    people = services.link_readers(visit.contract)
    reader = next(
        (r for r in people if r.role == "legal_representative" and r.email == link.recipient_email), None
    )
    reader = reader or next((r for r in people if r.role == "company_tutor"), None)
    if reader is None:
        return None
    recent = (
        ActionLink.objects.for_document(visit)
        .filter(recipient_email=reader.email, created_at__gt=timezone.now() - links.RESEND_INTERVAL)
        .exclude(pk=link.pk)
    )
    return None if recent.exists() else reader.email
