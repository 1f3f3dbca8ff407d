from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import base36_to_int
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import filters, mfa, services
from core.forms import AcceptInvitationForm, InvitationForm, ProfileForm
from core.models import Role, User
from core.perms import is_staff_or_admin
from core.submissions import submitted_once
from core.tokens import invitation_token


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def invite(request):
    if not is_staff_or_admin(request.user):
        raise Http404
    form = InvitationForm(request.POST or None, inviter=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite_user(by=request.user, **form.cleaned_data)
        except PermissionDenied as error:
            form.add_error("roles", str(error))
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": user.email})
            return redirect("invite")
    return render(request, "core/invite.html", {"form": form})


@require_http_methods(["GET", "POST"])
def accept_invitation(request, uidb36, token):
    try:
        user = User.objects.get(pk=base36_to_int(uidb36), is_active=True)
    except (ValueError, User.DoesNotExist):
        user = None
    if user is None or user.has_usable_password() or not invitation_token.check_token(user, token):
        return render(request, "core/invitation_invalid.html", status=400)
    form = AcceptInvitationForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accept_invitation(user=user, password=form.cleaned_data["new_password1"])
        messages.success(request, _("Votre mot de passe est enregistré : vous pouvez vous connecter."))
        return redirect("account_login")
    return render(request, "core/accept_invitation.html", {"form": form, "invited": user})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """« Mon compte »: who the person is for the platform, their name and phone (theirs to correct), their
    language, and where to change their address, their password and, for the staff, their second factor."""
    user = request.user
    name_locked = Role.APPRENTICE in user.roles
    form = ProfileForm(request.POST or None, instance=user, name_locked=name_locked)
    if request.method == "POST":
        if form.is_valid():
            changes = services.update_contact_details(
                user=user, by=user, **{name: form.cleaned_data[name] for name in form.fields}
            )
            if changes:
                messages.success(request, _("Vos coordonnées sont enregistrées."))
            else:
                messages.info(request, _("Rien n'a changé : vos coordonnées étaient déjà celles-ci."))
            return redirect("profile")
        # The bound form has put the refused values on the instance: show the saved ones beside it.
        user.refresh_from_db(fields=["first_name", "last_name", "phone"])
    return render(
        request,
        "core/profile.html",
        {
            "form": form,
            "name_locked": name_locked,
            "roles": user.role_labels(),
            # The team's accounts reach everyone's data: a second factor is offered to them (and required
            # when MFA_REQUIRED_FOR_STAFF is on).
            "offers_second_factor": user.is_staff or is_staff_or_admin(user),
            "needs_second_factor": mfa.needs_second_factor(user),
            "has_second_factor": mfa.has_second_factor(user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def name_suggestions(request, key):
    """The suggestions of a filter's search field (``core.filters.SearchableSelect``): the labels of
    the first rows of the kind ``key`` that the person may see and that have every word typed (``q``)
    in a name, as JSON. The list is filtered by what is applied, never by a suggestion alone."""
    names = filters.NAMES.get(key)
    if names is None:
        raise Http404
    text = filters.typed_text(request.GET.get("q", "").replace("\x00", " "))
    labels: list[str] = []
    if text:
        rows = names.matching(names.visible(request.user), text)
        for _pk, label in names.labels(rows, filters.SUGGESTIONS):
            if label not in labels:
                labels.append(label)
    response = JsonResponse({"suggestions": labels})
    response["Cache-Control"] = "private, no-store"
    return response


def health(request):
    """For load balancers and compose healthchecks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
