"""Django's admin behind the platform's one login.

The admin's own login form would be a second door: no rate limit, no lockout, no second factor. Its
login view sends to allauth's instead, so the same limits and the same 2FA stage apply to everyone.
"""

from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class PlatformAdminSite(AdminSite):
    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(index)
            # allauth's login would send a logged-in person straight back here: refuse instead of looping.
            raise PermissionDenied
        return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or index, reverse("account_login"))
