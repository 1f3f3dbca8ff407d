"""The job offers' pages: for the CFA's team, every offer of the establishment and the register of former
employers (page and CSV); for a company tutor, their employer's offers; for an apprentice, the offers of
their diplomas; for a former apprentice, the same from the link of their weekly digest, without an
account, with the choice to receive no more digests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.submissions import submitted_once
from core.viewutils import PAGE_SIZE
from core.workflow import Refusal, refuse
from core.workflow.links import LinkError
from jobs import exports, links, perms, selectors, services
from jobs.forms import JobOfferForm, SubscriptionForm
from jobs.models import JobOffer, OfferPageVisit

STATUSES = {
    "ouvertes": gettext_lazy("Ouvertes"),
    "closes": gettext_lazy("Closes ou retirées"),
    "toutes": gettext_lazy("Toutes"),
}


def _require_poster(user) -> None:
    if not perms.may_post(user):
        raise Http404


def _offer(request, pk) -> JobOffer:
    _require_poster(request.user)
    return get_object_or_404(
        JobOffer.objects.visible_to(request.user).select_related("employer", "posted_by"), pk=pk
    )


def _organisation_id(user) -> int:
    if perms.manages_offers(user):
        return user.organisation_id
    return user.company_tutor_profile.employer.organisation_id


@login_required
def offer_list(request):
    _require_poster(request.user)
    status = request.GET.get("etat", "ouvertes")
    if status not in STATUSES:
        status = "ouvertes"
    today = timezone.localdate()
    offers = (
        JobOffer.objects.visible_to(request.user)
        .select_related("employer")
        .prefetch_related("diplomas")
        .order_by("-published_at", "-pk")
    )
    if status == "ouvertes":
        offers = offers.open_on(today)
    elif status == "closes":
        offers = offers.exclude(pk__in=JobOffer.objects.open_on(today).values("pk"))
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "jobs/offer_list.html",
        {
            "rows": selectors.offer_rows(page.object_list),
            "page": page,
            "status": status,
            "statuses": STATUSES,
            "manages": perms.manages_offers(request.user),
        },
    )


def _form_page(request, form, *, title, offer=None, status=200):
    return render(
        request,
        "jobs/offer_form.html",
        {"form": form, "title": title, "offer": offer},
        status=400 if form.errors else status,
    )


@login_required
@submitted_once
def offer_create(request):
    _require_poster(request.user)
    organisation_id = _organisation_id(request.user)
    employer_id = None if perms.manages_offers(request.user) else perms.tutor_employer_id(request.user)
    form = JobOfferForm(request.POST or None, organisation_id=organisation_id, employer_id=employer_id)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.post_offer(
                by=request.user, organisation_id=organisation_id, **form.offer_values()
            )
        except Refusal as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Offre publiée : les anciens apprentis des formations choisies la recevront dans "
                    "l'envoi de lundi prochain."
                ),
            )
            return redirect(offer)
    return _form_page(request, form, title=_("Publier une offre d'emploi"))


@login_required
def offer_detail(request, pk):
    offer = _offer(request, pk)
    row = selectors.offer_rows([offer])[0]
    return render(
        request,
        "jobs/offer_detail.html",
        {"offer": offer, "reached": row["reached"], "can_edit": perms.can_edit(request.user, offer)},
    )


@login_required
def offer_edit(request, pk):
    offer = _offer(request, pk)
    if not perms.can_edit(request.user, offer) or offer.withdrawn_at is not None:
        raise Http404
    employer_id = None if perms.manages_offers(request.user) else offer.employer_id
    form = JobOfferForm(
        request.POST or None, instance=offer, organisation_id=offer.organisation_id, employer_id=employer_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_offer(offer=offer, by=request.user, **form.offer_values())
        except Refusal as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Offre modifiée."))
            return redirect(offer)
    return _form_page(request, form, title=_("Modifier l'offre"), offer=offer)


@login_required
@require_POST
def offer_withdraw(request, pk):
    offer = _offer(request, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Cochez la case de confirmation pour retirer l'offre : rien n'a changé."))
        return redirect(offer)
    try:
        services.withdraw_offer(offer=offer, by=request.user)
    except Refusal as error:
        refuse(request, error)
    else:
        messages.success(
            request, _("Offre retirée : elle n'est plus envoyée ni affichée aux anciens apprentis.")
        )
    return redirect(offer)


@login_required
def former_employers(request):
    if not perms.manages_offers(request.user):
        raise Http404
    query = request.GET.get("q", "").strip()[:100]
    rows = selectors.former_employers(request.user.organisation_id, query=query)
    if request.GET.get("format") == "csv":
        return exports.former_employers_csv(rows)
    return render(request, "jobs/former_employers.html", {"rows": rows, "query": query})


# The apprentices ----------------------------------------------------------------------------------


@login_required
@require_GET
def my_offers(request):
    reads = perms.reads_offers(request.user)
    apprentice = getattr(request.user, "apprentice_profile", None) if reads else None
    if apprentice is None:
        raise Http404
    today = timezone.localdate()
    services.record_visit(apprentice_id=apprentice.pk, via=OfferPageVisit.Via.ACCOUNT, today=today)
    return render(
        request,
        "jobs/alumni_offers.html",
        {"offers": list(selectors.offers_for(apprentice, today)), "apprentice": apprentice, "link": None},
    )


def _invalid(request, error: LinkError):
    return render(request, "jobs/link_invalid.html", {"error": error}, status=error.status)


def alumni_offers(request, pk, token):
    """The page of the digest's link: the offers, and the choice to receive the digest or not."""
    try:
        link = links.resolve(pk, token)
    except LinkError as error:
        return _invalid(request, error)
    apprentice = link.apprentice
    if request.method == "POST":
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            link = services.set_subscription(link=link, subscribed=form.cleaned_data["subscribed"])
            messages.success(
                request,
                _("C'est noté : vous recevrez chaque lundi les nouvelles offres de vos formations.")
                if link.unsubscribed_at is None
                else _(
                    "C'est noté : vous ne recevrez plus les offres par message. Cette page reste ouverte."
                ),
            )
        return redirect(request.path)
    today = timezone.localdate()
    services.record_visit(apprentice_id=apprentice.pk, via=OfferPageVisit.Via.LINK, today=today)
    return render(
        request,
        "jobs/alumni_offers.html",
        {"offers": list(selectors.offers_for(apprentice, today)), "apprentice": apprentice, "link": link},
    )
