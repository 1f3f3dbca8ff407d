"""The booklet's documents that people act on from an emailed link (``core.workflow.links``).

- a liaison sheet, countersigned by the company tutor;
- an evaluation grid, filled and validated by the company tutor;
- a visit report, acknowledged by the company tutor and by each legal representative of a minor.

Each kind says how to find its document, who holds a link to it now, whether it still waits for them,
and what its page shows and does; ``core.workflow.views`` serves them all the same way.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import ActionLink, Signature
from core.queue import enqueue
from core.workflow import REFUSALS, Refusal, links, refuse
from core.workflow import views as link_pages
from core.workflow.links import LinkError, LinkKind
from core.workflow.signatures import signatures_of
from livret import pdf
from livret.forms.evaluations import EvaluationForm, grid
from livret.forms.sheets import CountersignForm, ReturnForm
from livret.models import ActionItem, Evaluation, LiaisonSheet, Rating, VisitReport
from livret.readers import has_acknowledged, link_readers
from livret.selectors import competences_of, sheets_with_context
from livret.services import evaluations as evaluation_services
from livret.services import sheets as sheet_services
from livret.services import visits as visit_services
from livret.windows import HELD

CONTRACT_PEOPLE = (
    "contract__apprentice__user",
    "contract__employer",
    "contract__company_tutor",
    "contract__school_tutor__user",
    "contract__diploma",
)


def _signed(signature) -> dict:
    return json.loads(signature.content)


def _period(content) -> str:
    start, end = (str(day) for day in content.get("period") or ("", ""))
    return _("du %(start)s au %(end)s") % {"start": start, "end": end}


class _CompanyTutorLink(LinkKind):
    """A document the company tutor now on file acts on, through a form on the link's page."""

    task: str  # the task that mails a fresh link
    invalid_status = 200  # of the page shown again with the form's errors

    def resolve(self, document, token, *, for_update=False):
        tutor = document.contract.company_tutor
        link = links.resolve(
            token,
            document=document,
            expected_email=tutor.email if tutor else None,
            action=self.action,
            for_update=for_update,
        )
        return link, tutor

    def resend(self, document, token):
        if self.is_waiting(document, None) and links.may_resend(document, token):
            enqueue(self.task, document.pk)

    def form(self, request, document):
        raise NotImplementedError

    def perform(self, request, document, token, form):
        """Call the service with the link's token; return the page that follows."""
        raise NotImplementedError

    def act(self, request, document, token, tutor):
        form = self.form(request, document)
        if request.method == "POST" and form.is_valid():
            try:
                return self.perform(request, document, token, form)
            except LinkError as error:
                return link_pages.invalid(request, self, document, token, error, can_resend=False)
            except REFUSALS as error:
                refuse(request, error)
        status = self.invalid_status if form.errors else 200
        return link_pages.action_page(request, self, document, tutor, status=status, form=form)


class SheetLink(_CompanyTutorLink):
    name = "sheet"
    action = ActionLink.Action.COUNTERSIGN
    url_name = "livret:sheet_link"
    resend_url_name = "livret:sheet_link_resend"
    task = "livret.tasks.send_countersign_request"
    template = "livret/links/sheet.html"
    title = gettext_lazy("Fiche de liaison à contresigner")
    resend_offer = gettext_lazy(
        "Si cette fiche attend toujours votre contresignature, nous pouvons envoyer un nouveau lien à "
        "l'adresse électronique enregistrée pour vous."
    )
    resent = gettext_lazy(
        "Si la fiche attend votre contresignature, un nouveau lien vient d'être envoyé à l'adresse "
        "électronique enregistrée pour le maître d'apprentissage. Il ne sert qu’une fois."
    )
    done_title = gettext_lazy("Fiche contresignée")
    done_heading = gettext_lazy("Merci, la fiche est contresignée")
    signature_act = Signature.Act.COUNTERSIGN
    read_template = "livret/links/sheet_read.html"
    receipt_url_name = "livret:sheet_link_receipt"
    used_title = gettext_lazy("Fiche de liaison")

    def queryset(self):
        return sheets_with_context(LiaisonSheet.objects.all()).select_related("contract__diploma")

    def is_waiting(self, sheet, person) -> bool:
        return sheet.status == LiaisonSheet.Status.SUBMITTED and sheet.is_current

    def can_resend(self, sheet, error) -> bool:
        return sheet.status == LiaisonSheet.Status.SUBMITTED

    def context(self, sheet, tutor) -> dict:
        # Both forms post text: distinct ids keep each label on its own field.
        return {"sheet": sheet, "tutor": tutor, "return_form": ReturnForm(auto_id="return_%s")}

    def form(self, request, sheet):
        return CountersignForm(request.POST or None)

    def act(self, request, sheet, token, tutor):
        if request.method == "POST" and request.POST.get("action") == "return":
            return self._return(request, sheet, token, tutor)
        return super().act(request, sheet, token, tutor)

    def _return(self, request, sheet, token, tutor):
        """Send the sheet back to the apprentice with the reason typed on the link's page."""
        return_form = ReturnForm(request.POST, auto_id="return_%s")
        if return_form.is_valid():
            try:
                sheet_services.return_to_apprentice(
                    sheet=sheet, token=token, reason=return_form.cleaned_data["reason"]
                )
            except LinkError as error:
                return link_pages.invalid(request, self, sheet, token, error, can_resend=False)
            except REFUSALS as error:
                refuse(request, error)
            else:
                return link_pages.done(
                    request,
                    self,
                    sheet,
                    heading=_("La fiche est renvoyée à l'apprenti"),
                    text=_(
                        "%(name)s reçoit votre motif par message électronique, reprend sa fiche et vous la "
                        "transmet à nouveau : vous recevrez alors un nouveau lien pour la contresigner."
                    )
                    % {"name": sheet.contract.apprentice},
                )
        return link_pages.action_page(
            request, self, sheet, tutor, status=200, form=CountersignForm(), return_form=return_form
        )

    def perform(self, request, sheet, token, form):
        sheet_services.countersign(
            sheet=sheet, token=token, tutor_assessment=form.cleaned_data["tutor_assessment"]
        )
        return link_pages.done(request, self, sheet, token=token)

    def done_text(self, sheet) -> str:
        return _(
            "La fiche de liaison de %(name)s est enregistrée avec votre signature. Le tuteur pédagogique va "
            "la lire."
        ) % {"name": sheet.contract.apprentice}

    def read_context(self, sheet, link) -> dict:
        return {"sheet": sheet}

    def receipt_pdf(self, sheet, signature) -> bytes:
        content = _signed(signature)
        rows = [
            (_("Période en entreprise"), _period(content)),
            (_("Version de la fiche"), str(content.get("version", ""))),
            (_("Ce que j'ai fait en entreprise"), content.get("activities", "")),
            (_("Compétences mobilisées"), content.get("competences_used", "")),
            (_("Difficultés rencontrées"), content.get("difficulties", "")),
            (_("Écarts entre l'école et l'entreprise"), content.get("school_company_gap", "")),
            (_("Appréciation du maître d'apprentissage"), content.get("tutor_assessment", "")),
        ]
        return pdf.receipt_pdf(sheet, signature, title=_("Reçu de contresignature"), rows=rows)


class EvaluationLink(_CompanyTutorLink):
    name = "evaluation"
    action = ActionLink.Action.EVALUATE
    url_name = "livret:evaluation_link"
    resend_url_name = "livret:evaluation_link_resend"
    task = "livret.tasks.send_evaluation_request"
    template = "livret/links/evaluation.html"
    title = gettext_lazy("Grille d'évaluation à remplir")
    resend_offer = gettext_lazy(
        "Si cette grille attend toujours votre évaluation, nous pouvons envoyer un nouveau lien à "
        "l'adresse électronique enregistrée pour vous."
    )
    resent = gettext_lazy(
        "Si la grille attend votre évaluation, un nouveau lien vient d'être envoyé à l'adresse électronique "
        "enregistrée pour le maître d'apprentissage."
    )
    done_title = gettext_lazy("Évaluation validée")
    done_heading = gettext_lazy("Merci, votre évaluation est validée")
    signature_act = Signature.Act.EVALUATE
    read_template = "livret/links/evaluation_read.html"
    receipt_url_name = "livret:evaluation_link_receipt"
    used_title = gettext_lazy("Grille d'évaluation")

    def queryset(self):
        return Evaluation.objects.select_related(
            "contract__apprentice__user",
            "contract__employer",
            "contract__company_tutor__user",
            "contract__school_tutor__user",
            "contract__diploma",
            "period",
        )

    def is_waiting(self, evaluation, person) -> bool:
        return evaluation.tutor_submitted_at is None

    def can_resend(self, evaluation, error) -> bool:
        return self.is_waiting(evaluation, None)

    invalid_status = 400

    def form(self, request, evaluation):
        competences = competences_of(evaluation.contract.diploma_id)
        ratings = list(evaluation.ratings.all())
        form = EvaluationForm(
            request.POST or None,
            competences=competences,
            rater=Rating.Rater.TUTOR,
            require_all=self._submits(request),
            initial=EvaluationForm.initial_for(
                [r for r in ratings if r.rater == Rating.Rater.TUTOR], evaluation.tutor_comment
            ),
        )
        form.grid = grid(evaluation, competences, ratings, form)
        return form

    @staticmethod
    def _submits(request) -> bool:
        return request.POST.get("action") == "submit"

    def perform(self, request, evaluation, token, form):
        submit = self._submits(request)
        evaluation = evaluation_services.save_ratings(
            evaluation=evaluation,
            rater=Rating.Rater.TUTOR,
            levels=form.levels(),
            comment=form.cleaned_data["comment"],
            submit=submit,
            token=token,
        )
        if submit:
            return link_pages.done(request, self, evaluation, token=token)
        messages.success(
            request,
            _("Évaluation enregistrée. Ce lien reste valable pour la compléter et la valider."),
        )
        return redirect(self.url_name, evaluation.pk, token)

    def context(self, evaluation, tutor) -> dict:
        return {"evaluation": evaluation, "tutor": tutor}

    def done_text(self, evaluation) -> str:
        return _(
            "L'évaluation des compétences de %(name)s est enregistrée avec votre signature. "
            "L'apprenti et son tuteur pédagogique la retrouvent dans le livret."
        ) % {"name": evaluation.contract.apprentice}

    def read_context(self, evaluation, link) -> dict:
        competences = competences_of(evaluation.contract.diploma_id)
        return {
            "evaluation": evaluation,
            "grid": grid(evaluation, competences, list(evaluation.ratings.all())),
        }

    def receipt_pdf(self, evaluation, signature) -> bytes:
        content = _signed(signature)
        rows = [(_("Période en entreprise"), _period(content))]
        rows += [
            (f"{rating['competence']} — {rating['title']}", rating["label"])
            for rating in content.get("ratings", [])
        ]
        rows.append((_("Appréciation du maître d'apprentissage"), content.get("comment", "")))
        return pdf.receipt_pdf(evaluation, signature, title=_("Reçu d'évaluation"), rows=rows)


class VisitLink(LinkKind):
    """A shared report, acknowledged by the company tutor or a legal representative on file now."""

    name = "visit"
    action = ActionLink.Action.ACKNOWLEDGE
    url_name = "livret:visit_link"
    resend_url_name = "livret:visit_link_resend"
    template = "livret/links/visit.html"
    title = gettext_lazy("Compte rendu de visite à lire")
    resend_offer = gettext_lazy(
        "Si ce compte rendu attend toujours votre prise de connaissance, nous pouvons envoyer un nouveau "
        "lien à l'adresse électronique enregistrée pour vous."
    )
    resent = gettext_lazy(
        "Si le compte rendu attend votre prise de connaissance, un nouveau lien vient d'être envoyé à "
        "l'adresse électronique enregistrée pour vous. Il ne sert qu’une fois."
    )
    done_title = gettext_lazy("Prise de connaissance enregistrée")
    done_heading = gettext_lazy("Merci, votre prise de connaissance est enregistrée")
    signature_act = Signature.Act.ACKNOWLEDGE
    read_template = "livret/links/visit_read.html"
    receipt_url_name = "livret:visit_link_receipt"
    used_title = gettext_lazy("Compte rendu de visite")

    def queryset(self):
        return VisitReport.objects.select_related(*CONTRACT_PEOPLE, "author")

    def resolve(self, visit, token, *, for_update=False):
        return visit_services.resolve_link(token, visit, for_update=for_update)

    def is_waiting(self, visit, reader) -> bool:
        return visit.status in HELD and not has_acknowledged(reader, signatures_of(visit))

    def can_resend(self, visit, error) -> bool:
        return visit.status in HELD and error.kind != "used"

    def context(self, visit, reader) -> dict:
        return {
            "visit": visit,
            "contract": visit.contract,
            "reader": reader,
            "opened_here": list(ActionItem.objects.filter(opened_in=visit).order_by("due_date", "pk")),
            "today": timezone.localdate(),
        }

    def act(self, request, visit, token, reader):
        if request.method == "POST":
            try:
                visit_services.acknowledge(visit=visit, token=token)
            except LinkError as error:
                return link_pages.invalid(
                    request, self, visit, token, error, can_resend=self.can_resend(visit, error)
                )
            except Refusal:
                error = LinkError("used")
                return link_pages.invalid(
                    request, self, visit, token, error, can_resend=self.can_resend(visit, error)
                )
            return link_pages.done(request, self, visit, reader, token=token)
        return link_pages.action_page(request, self, visit, reader)

    def done_text(self, visit) -> str:
        return _("Le compte rendu de la visite au sujet de %(name)s porte désormais votre signature.") % {
            "name": visit.contract.apprentice
        }

    def read_context(self, visit, link) -> dict:
        return {
            "visit": visit,
            "contract": visit.contract,
            "opened_here": list(ActionItem.objects.filter(opened_in=visit).order_by("due_date", "pk")),
            "today": timezone.localdate(),
        }

    def receipt_pdf(self, visit, signature) -> bytes:
        content = _signed(signature)
        present = content.get("participants") or {}
        people = [
            label
            for key, label in (
                ("apprentice", _("apprenti")),
                ("company_tutor", _("maître d'apprentissage")),
                ("legal_representative", _("représentant légal")),
            )
            if present.get(key)
        ]
        if present.get("others"):
            people.append(present["others"])
        mode = content.get("mode")
        rows = [
            (_("Date de la rencontre"), content.get("held_on") or ""),
            (_("Modalité"), str(VisitReport.Mode(mode).label) if mode in VisitReport.Mode.values else ""),
            (_("Participants présents"), ", ".join(people)),
            (_("Intégration dans l'entreprise"), content.get("integration", "")),
            (_("Adéquation des missions avec la formation"), content.get("missions_adequacy", "")),
            (_("Progression de l'apprenti"), content.get("progress", "")),
            (_("Difficultés"), content.get("difficulties", "")),
        ]
        return pdf.receipt_pdf(visit, signature, title=_("Reçu de prise de connaissance"), rows=rows)

    def resend(self, visit, token):
        """Only the holder of a genuine link to this report gets a new one: the legal representative on
        file with that address, else the company tutor now on file (whoever held the old link); not
        twice to the same address within ten minutes, so the endpoint cannot flood anyone."""
        if visit.status not in HELD:
            return
        link = links.genuine_link(visit, token)
        if link is None:
            return
        people = link_readers(visit.contract)
        reader = next(
            (r for r in people if r.role == "legal_representative" and r.email == link.recipient_email), None
        )
        reader = reader or next((r for r in people if r.role == "company_tutor"), None)
        if reader is not None and links.may_resend(visit, token, email=reader.email):
            enqueue("livret.tasks.send_visit_acknowledge_requests", visit.pk, reader.email)


SHEET = links.register(SheetLink())
EVALUATION = links.register(EvaluationLink())
VISIT = links.register(VisitLink())
