import logging

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.audit import acting_as
from core.mfa import has_second_factor, needs_second_factor, passed_second_factor
from core.pdf import PdfUnavailable
from core.validators import has_control_characters

logger = logging.getLogger(__name__)


class SecurityPoliciesMiddleware:
    """Every answer carries ``CONTENT_SECURITY_POLICY`` and ``PERMISSIONS_POLICY`` (settings); Django
    5.2 sets neither. A view may set its own (none does)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class AuditActorMiddleware:
    """Every change made while answering a request is audited as done by the logged-in person."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(request.user, via="session"):
            return self.get_response(request)


class RequireStaffMFAMiddleware:
    """With ``MFA_REQUIRED_FOR_STAFF``, a staff or admin session reaches nothing before its second factor.

    Enrolled, the session must have passed the factor at login; one that did not (whatever door it
    came through) is logged out and sent back to the login. Not enrolled yet, only the account pages
    (where the TOTP is activated) are open.
    """

    enrolment_prefixes = (
        "/accounts/",
        "/static/",
        "/i18n/",
        "/sw.js",
        "/manifest.webmanifest",
        "/hors-ligne/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_second_factor(request.user) and not passed_second_factor(request):
            if has_second_factor(request.user):
                logout(request)
                return redirect_to_login(request.get_full_path(), reverse("account_login"))
            if not request.path.startswith(self.enrolment_prefixes):
                return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        return self.get_response(request)


class RefuseControlCharactersMiddleware:
    """A control character (a NUL byte above all) in the path, a query parameter or a form field gets
    the French 400 page before any view runs: PostgreSQL can neither store nor compare a NUL, and no
    field of the platform takes one. Line breaks and tabs pass here; single-line fields refuse them
    in their forms (``core.forms.SingleLineFieldsMixin``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.carries_control_characters(request):
            reason = _(
                "La demande contient un caractère de contrôle (un octet nul, par exemple) qu'aucun champ "
                "n'accepte. Rien n'a été enregistré."
            )
            return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)

    @staticmethod
    def carries_control_characters(request) -> bool:
        if has_control_characters(request.path_info):
            return True
        parameters = [request.GET]
        if request.method == "POST":
            parameters.append(request.POST)
        return any(
            has_control_characters(key) or any(has_control_characters(value) for value in values)
            for query in parameters
            for key, values in query.lists()
        )


class PdfUnavailableMiddleware:
    """A PDF asked of a server that cannot make one gets a French page (503), not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PdfUnavailable):
            logger.error("%s", exception)
            return render(request, "core/pdf_unavailable.html", status=503)
        return None


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
