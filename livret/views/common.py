"""What the booklet's pages share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def message_of(error) -> str:
    """The French message of a refusal: a service's InvalidTransition, PermissionDenied or
    ValidationError (with or without fields)."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return getattr(error, "message", None) or (error.args[0] if error.args else _("Action impossible."))


def refuse(request, error) -> None:
    messages.error(request, message_of(error))


def tutor_email(document) -> str | None:
    """The address of the company tutor now on file for ``document``'s contract, if any."""
    tutor = document.contract.company_tutor
    return tutor.email if tutor else None
