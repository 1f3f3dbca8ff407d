"""Each person's home page: one section per role they hold, and their "À faire" inbox."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from apprentices import selectors
from apprentices.models import Apprentice
from core.models import Role
from core.perms import is_staff_or_admin
from livret.waiting import todo_for
from reports import dashboard as board
from reports.dashboard import kept


@login_required
def home(request):
    """One home per role; a person with several roles sees each of their sections."""
    user = request.user
    today = timezone.localdate()
    context = {
        "today": today,
        "apprentice_home": None,
        "company_tutor_contracts": None,
        "school_tutor_contracts": None,
        "headed_diplomas": None,
        "staff_home": None,
        "todo": todo_for(user, today),
    }
    if Role.APPRENTICE in user.roles:
        apprentice = (
            Apprentice.objects.filter(user=user)
            .select_related("cohort__diploma", "cohort__entry_year", "option")
            .first()
        )
        if apprentice is not None:
            context["apprentice_home"] = selectors.apprentice_home(apprentice, today)
    if Role.COMPANY_TUTOR in user.roles:
        context["company_tutor_contracts"] = selectors.tutored_contracts(
            user, role_lookup="company_tutor__user"
        )
    if Role.SCHOOL_TUTOR in user.roles:
        context["school_tutor_contracts"] = selectors.tutored_contracts(
            user, role_lookup="school_tutor__user"
        )
    if Role.HEAD_OF_DIPLOMA in user.roles:
        context["headed_diplomas"] = selectors.headed_diplomas(user)
    if is_staff_or_admin(user) and user.organisation_id:
        # The dashboard's own figures, from the same functions: the same number under the same name.
        scope = board.Scope.default(user, today)
        figures, computed = kept.for_the_home(scope) if scope is not None else ([], None)
        context["staff_home"] = {
            "figures": figures,
            "computed": computed,  # the kept dashboard they were read from, if any
            **selectors.organisation_counts(user.organisation_id),
        }
    return render(request, "portal/home.html", context)
