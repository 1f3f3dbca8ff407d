"""Small helpers shared by the views of every app."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import IntegerField, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from core import csvexport

PAGE_SIZE = 25


class NarrowPaginator(Paginator):
    """Pages of a long sorted list read in two steps (a "deferred join"): the page's primary keys
    first, sorted and sliced over only the columns the filters and the sort need, then those rows with
    everything the page shows (``select_related``, annotations). Sorting 140,000 liaison sheets of a
    network with every joined column costs PostgreSQL about three times more than sorting their keys;
    the second query reads 25 rows by primary key. One query more, whatever the size of the list.

    A list reached along a to-many path (a head through their diplomas' heads) is ``DISTINCT``: its count
    compares the keys only, and its rows, read by key, need no ``DISTINCT`` at all."""

    @cached_property
    def count(self):
        queryset = self.object_list
        if queryset.query.distinct:
            # COUNT over SELECT DISTINCT of the key, not of every column the rows read.
            return queryset.order_by().values("pk").count()
        return queryset.count()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {}
        if keys:
            by_key = queryset.order_by().filter(pk__in=keys)
            # One row per key whatever the joins (the dict keeps one): no DISTINCT over every column read.
            by_key.query.distinct = False
            rows = {row.pk: row for row in by_key}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


class SubqueryCount(Subquery):
    """How many rows ``queryset`` (correlated through ``OuterRef``) has, as an annotation: evaluated for
    the rows a page reads only, where a ``Count`` over a join groups the whole list before its first
    page (66,000 employers of a network: 320 ms at each page)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


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


def filtered_page(request, name: str, *, exclude_pks=()) -> dict:
    """The context of a filtered list page: the bound filters, the page of rows (none when a filter
    is invalid) and the URL of the same list as CSV. Same rows, same order as the export (less the
    rows of ``exclude_pks``, that the page shows in a section of their own)."""
    filterset, queryset = csvexport.filtered(name, request.user, request.GET)
    export = csvexport.EXPORTS[name]
    if exclude_pks:
        queryset = queryset.exclude(pk__in=exclude_pks)
    query = request.GET.copy()
    query.pop("page", None)
    paginator = NarrowPaginator if export.narrow_pages else Paginator
    page = paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "filter": filterset,
        "page": page,
        # A long list is prepared in the background (reports.Export) rather than streamed at once.
        "export_name": name,
        "export_query": query.urlencode(),
        "export_in_background": page.paginator.count > settings.EXPORT_BACKGROUND_ROWS,
        "export_url": f"{reverse(export.url_name)}?{query.urlencode()}"
        if query
        else reverse(export.url_name),
    }


def render_list(request, template: str, results_template: str, context: dict) -> HttpResponse:
    """A list page, or only its results region (``results_template``) when htmx asks for it after
    a filter, the sort, the search or the page changed: the same context, without the page around
    it (so no more queries, fewer: the filters' choices are not rendered).

    A wrong filter makes htmx load the whole page instead, where the form shows the errors on its
    fields, as without JavaScript. Both answers vary on ``HX-Request``, so that a cache never gives
    the region for the page under the same URL."""
    if request.htmx and not request.htmx.history_restore_request:
        filterset = context.get("filter")
        if filterset is not None and filterset.has_errors:
            response = HttpResponseClientRedirect(request.get_full_path())
        else:
            response = render(request, results_template, context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_progress(request, template: str, context: dict, *, active: bool) -> HttpResponse:
    """The status of a background job for the progress bar that htmx polls (``components/progress.html``):
    its next state while ``active``; once it is over, the page reloads to show the result (or
    the error) where it belongs."""
    if not active:
        return HttpResponseClientRefresh()
    return render(request, template, {**context, "polled": True})
