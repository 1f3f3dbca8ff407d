"""Create forms that a double click cannot send twice.

Each create form carries a one-time token (``{% submission_field %}``, a hidden field). The view,
decorated with :func:`submitted_once`, records the token (:class:`~core.models.FormSubmission`) in the
same transaction as what the POST creates, with the page it then redirects to. A second POST with the
same token creates nothing: it is sent to that page with "Ce formulaire a déjà été envoyé.". Two POSTs
at once are the same: the second waits on the token's unique index until the first commits.

A POST whose answer is no redirect (the form shown again with its errors) keeps nothing, the token
included, so the corrected form can be sent. A POST without a token (a script, an old page) runs as
before. Tokens older than ``FORM_SUBMISSION_RETENTION_HOURS`` are purged by a beat job.
"""

from __future__ import annotations

import datetime
import functools
import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import FormSubmission

FIELD = "submission"
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _redirect_url(response) -> str | None:
    if response.status_code in (301, 302, 303, 307, 308):
        return response["Location"]
    return response.headers.get("HX-Redirect")


def submitted_once(view):
    """Decorate a view whose POST creates something (see the module's docstring)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not (request.user.is_authenticated and TOKEN.fullmatch(token)):
            return view(request, *args, **kwargs)
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(token=token, user=request.user)
                response = view(request, *args, **kwargs)
                url = _redirect_url(response)
                if url is None:
                    transaction.set_rollback(True)
                else:
                    submission.url = url[:500]
                    submission.save(update_fields=["url"])
        except IntegrityError:
            earlier = FormSubmission.objects.filter(token=token).first()
            if earlier is None:
                raise  # the view's own constraint, not the token
            return _sent_already(request, earlier)
        return response

    # Carried through the decorators above it (functools.wraps copies it): tests find every such view.
    wrapper.creates_once = True
    return wrapper


def _sent_already(request, earlier: FormSubmission):
    if earlier.user_id != request.user.pk:
        messages.error(request, _("Ce formulaire n'est plus valable : rechargez la page et recommencez."))
        return redirect(request.get_full_path())
    messages.info(request, _("Ce formulaire a déjà été envoyé."))
    return redirect(earlier.url or request.get_full_path())


def purge(now=None) -> int:
    """Delete the tokens older than ``FORM_SUBMISSION_RETENTION_HOURS``."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(hours=settings.FORM_SUBMISSION_RETENTION_HOURS)
    deleted, _by_model = FormSubmission.objects.filter(created_at__lt=limit).delete()
    return deleted
