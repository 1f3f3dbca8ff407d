"""Small helpers shared by the views of every app."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

PAGE_SIZE = 25


def search(queryset, request, fields):
    """Filter ``queryset`` by the ``q`` parameter over ``fields``; return it with the term."""
    term = request.GET.get("q", "").strip()[:100]
    if term:
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(query)
    return queryset, term


def save_form(request, form, success_message):
    """Save a model form; a constraint the form could not foresee becomes a form error, never a 500."""
    try:
        with transaction.atomic():
            obj = form.save()
    except IntegrityError:
        form.add_error(None, _("L'enregistrement contredit une règle de cohérence : vérifiez les champs."))
        return None
    messages.success(request, success_message)
    return obj
