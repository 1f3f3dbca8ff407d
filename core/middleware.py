from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

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


class LanguageMiddleware:
    """French unless the person chose another language (cookie set by the language switcher).

    The browser's Accept-Language is deliberately ignored: the platform is French first, and a phone
    set to English must not turn an apprentice's booklet into a half-translated page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
