"""The workflow toolkit every document of the platform shares.

- :class:`Refusal`: the one exception a service raises when an action cannot be done now, with a
  French message the person can act on; views show it with :func:`refuse`.
- ``core.workflow.drafts``: versioned documents (a correction is a new version) and their drafts saved
  as people type, with the stale-revision conflict.
- ``core.workflow.signatures``: simple electronic signatures of exactly what is signed.
- ``core.workflow.links``: emailed action links (signed, expiring, single-purpose), and the registry of
  document kinds that one view serves them with (``core.workflow.views``).

A refused transition changes nothing: services check before they write, inside their transaction.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class Refusal(Exception):
    """The action cannot be done on the object as it is now (its state, a rule of the domain, a
    campaign closed…); ``message`` is in French, for the person who asked; ``field`` names the form
    field it is about, when there is one (:func:`refuse_on_form` shows it there)."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# What a view catches around a service call: a refusal, a right the person lacks, an input refused.
REFUSALS = (Refusal, PermissionDenied, ValidationError)


def message_of(error) -> str:
    """The French message of a refusal: a :class:`Refusal`, a ``PermissionDenied`` or a
    ``ValidationError`` (with or without fields)."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return getattr(error, "message", None) or (error.args[0] if error.args else _("Action impossible."))


def refuse_on_form(form, error) -> None:
    """Put a refusal on the form it answers, so that the page shows it at the field it is about (and in
    the error summary that leads there): a ``ValidationError`` keyed by field goes to those of the form's
    fields it names, anything else to the form as a whole."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, message_of(error))


def refuse(request, error) -> None:
    """Tell the person why their action was refused, on the next page."""
    messages.error(request, message_of(error))
