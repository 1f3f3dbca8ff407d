from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from core.audit import acting_as
from core.perms import is_staff_or_admin


class AuditActorMiddleware:
    """Every change made while answering a request is audited as done by the logged-in person."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(request.user, via="session"):
            return self.get_response(request)


class RequireStaffMFAMiddleware:
    """With ``MFA_REQUIRED_FOR_STAFF``, staff and admins enrol a second factor before anything else."""

    allowed_prefixes = ("/accounts/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.MFA_REQUIRED_FOR_STAFF
            and request.user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and is_staff_or_admin(request.user)
            and not request.session.get("mfa_enrolled")
        ):
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
                return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
            request.session["mfa_enrolled"] = True
        return self.get_response(request)
