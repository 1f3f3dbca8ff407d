"""« Mon agenda »: a person's private calendar address (create, copy, revoke), and the feed it serves
to calendar applications without a login, the token its only key (``core.feeds``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import feeds
from core.models import CalendarFeed
from livret import calendar


@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request):
    """The page: the address just created (shown once: only its hash is kept), or whether one exists."""
    user = request.user
    address = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if feeds.revoke(user):
                messages.success(request, _("Adresse révoquée : les agendas abonnés ne reçoivent plus rien."))
            return redirect("livret:my_calendar")
        token = feeds.create(user)
        address = request.build_absolute_uri(reverse("livret:calendar_feed", args=[token]))
    feed = CalendarFeed.objects.filter(user=user).first()
    return render(
        request,
        "livret/calendar/my_calendar.html",
        {
            "feed": feed,
            "address": address,
            # webcal:// asks the person's calendar application to subscribe, rather than download once.
            "webcal": "webcal://" + address.split("://", 1)[1] if address else None,
        },
    )


@require_GET
def calendar_feed(request, token):
    """The iCalendar feed of the person whose address carries ``token``; a 404 for any other."""
    user = feeds.user_for(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar.feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="agenda.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
