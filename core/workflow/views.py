"""What the pages of every document share: the emailed links' pages, the same for every kind of
document (``core.workflow.links``), and the save of a draft as people type (``core.workflow.drafts``).

A link needs no login: the signed token is the key, and it opens one document for one action. A link
that cannot be used says why (tampered, meant for someone else, expired, already used) and, where it
makes sense, offers to mail a new one to the address on file; that request says the same whatever
happens, so it reveals nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.models import Signature
from core.pdf import attachment, pdf_filename
from core.workflow import REFUSALS, message_of, refuse
from core.workflow.drafts import StaleDraft
from core.workflow.links import KINDS, LinkError, LinkKind, still_readable
from core.workflow.signatures import signatures_of


def invalid(request, kind: LinkKind, document, token: str, error: LinkError, *, can_resend: bool):
    if error.kind == "used" and still_readable(error.link):
        # Read again (GET), the page is there; acted on again (POST), the action is gone.
        return used(
            request, kind, document, token, error.link, status=200 if request.method == "GET" else 410
        )
    return render(
        request,
        "links/invalid.html",
        {
            "kind": kind,
            "document": document,
            "error": error,
            "token": token,
            "can_resend": can_resend,
            "resend_url": kind.resend_url(document, token),
            # Named only to the holder of a genuine link: a forged one learns nothing of the document.
            "contact": kind.contact(document) if error.link is not None else None,
        },
        status=error.status,
    )


def _holder_signature(kind: LinkKind, document, link, signatures) -> Signature | None:
    """The signature the holder of ``link`` made on ``document`` (the last, if they signed again)."""
    email = link.recipient_email.lower()
    mine = [s for s in signatures if s.act == kind.signature_act and s.signer_email.lower() == email]
    return mine[-1] if mine else None


def used(request, kind: LinkKind, document, token: str, link, *, status: int = 200):
    """The page of a link its holder used: the document read-only, who to contact, and the receipt of
    what they signed."""
    signatures = list(signatures_of(document))
    signature = _holder_signature(kind, document, link, signatures)
    return render(
        request,
        "links/used.html",
        {
            "kind": kind,
            "document": document,
            "link": link,
            "signatures": signatures,
            "signature": signature,
            "receipt_url": kind.receipt_url(document, token) if signature else None,
            "contact": kind.contact(document),
            **kind.read_context(document, link),
        },
        status=status,
    )


def done(
    request, kind: LinkKind, document, person=None, token: str | None = None, *, heading=None, text=None
):
    """The page after the link's action: ``heading`` and ``text`` say what was done, the kind's own
    by default."""
    signatures = list(signatures_of(document))
    signed = token is not None and any(s.act == kind.signature_act for s in signatures)
    return render(
        request,
        "links/done.html",
        {
            "kind": kind,
            "document": document,
            "person": person,
            "heading": heading or kind.done_heading,
            "text": text or kind.done_text(document),
            "signatures": signatures,
            "receipt_url": kind.receipt_url(document, token) if signed else None,
            "contact": kind.contact(document),
        },
    )


def action_page(request, kind: LinkKind, document, person, status: int = 200, **context):
    return render(
        request,
        "links/action.html",
        {"kind": kind, "document": document, "person": person, **kind.context(document, person), **context},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def link(request, pk, token, kind):
    """The page a link opens: this document alone, and the one action."""
    kind = KINDS[kind]
    document = get_object_or_404(kind.queryset(), pk=pk)
    try:
        _link, person = kind.resolve(document, token)
        if not kind.is_waiting(document, person):
            raise LinkError("used", _link)
    except LinkError as error:
        return invalid(request, kind, document, token, error, can_resend=kind.can_resend(document, error))
    return kind.act(request, document, token, person)


@require_http_methods(["GET"])
def receipt(request, pk, token, kind):
    """The PDF receipt of what the holder of a used link signed with it; a 404 for any other token."""
    kind = KINDS[kind]
    document = get_object_or_404(kind.queryset(), pk=pk)
    try:
        kind.resolve(document, token)
    except LinkError as error:
        link = error.link if error.kind == "used" and still_readable(error.link) else None
    else:
        link = None  # not used yet: nothing signed with it
    if link is None:
        raise Http404
    signature = _holder_signature(kind, document, link, signatures_of(document))
    if signature is None:
        raise Http404
    data = kind.receipt_pdf(document, signature)
    return attachment(data, pdf_filename("recu", kind.name, document.pk))


@require_POST
def resend(request, pk, token, kind):
    """Mail a fresh link to the person on file. Says the same whatever happens: it reveals nothing."""
    kind = KINDS[kind]
    document = kind.queryset().filter(pk=pk).first()
    if document is not None:
        kind.resend(document, token)
    return render(request, "links/resent.html", {"kind": kind})


# Transitions ----------------------------------------------------------------------------------------------


def cleaned(form) -> dict:
    """The form's cleaned data, or its errors raised as a refusal (for :func:`transition`)."""
    if not form.is_valid():
        raise ValidationError(form.errors)
    return form.cleaned_data


def transition(request, document, act, success_message, *, then=None):
    """A POSTed transition: call ``act()`` (the service), say what happened, and go back to the
    document, or to ``then`` (an object or URL; a callable receives what ``act`` returned). A refusal
    changes nothing and is told in French."""
    try:
        result = act()
    except REFUSALS as error:
        refuse(request, error)
        return redirect(document)
    messages.success(request, success_message)
    if callable(then):
        then = then(result)
    return redirect(then or document)


# Drafts saved as people type ---------------------------------------------------------------------------


class DraftPage:
    """How the page of a versioned document answers a save of its draft (``core.workflow.drafts``):
    in JSON to the page's autosave script, or as a page after the form's buttons. Subclasses say how
    to save, and what the page shows when the form is invalid, on a conflict, and on submission."""

    def save(self, request, document, values: dict, revision: int):
        """Call the document's ``save_draft`` service; return the document saved."""
        raise NotImplementedError

    def invalid(self, request, document, form):
        raise NotImplementedError

    def conflict(self, request, document, values: dict, stale: StaleDraft):
        raise NotImplementedError

    def submit(self, request, document):
        raise NotImplementedError


def save_draft(request, document, form, page: DraftPage):
    """Save the draft from the form (``action`` = save or submit) or as people type (``Accept:
    application/json``): a stale revision is a conflict (409 with the current text), a refusal a 403,
    an invalid form a 400 with its errors; nothing typed is lost, nothing is half-saved."""
    wants_json = request.headers.get("Accept") == "application/json"
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return page.invalid(request, document, form)
    values = {name: form.cleaned_data[name] for name in document.DRAFT_FIELDS}
    try:
        document = page.save(request, document, values, form.cleaned_data["revision"])
    except StaleDraft as stale:
        if wants_json:
            return JsonResponse(
                {"conflict": True, "current": stale.current, "revision": stale.revision}, status=409
            )
        return page.conflict(request, document, values, stale)
    except REFUSALS as error:
        if wants_json:
            return JsonResponse({"error": message_of(error)}, status=403)
        refuse(request, error)
        return redirect(document)
    if wants_json:
        return JsonResponse(
            {"revision": document.revision, "saved_at": timezone.localtime().strftime("%H:%M:%S")}
        )
    if request.POST.get("action") == "submit":
        return page.submit(request, document)
    messages.success(request, _("Brouillon enregistré."))
    return redirect(document)
