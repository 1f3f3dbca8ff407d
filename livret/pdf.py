"""The booklet PDFs: an apprentice's whole livret, and one visit report.

Every signed document comes with its signature record (who, in which role, when, through a session or
an emailed link) and the SHA-256 of exactly what was signed, checked again against the signed content
as the document is written. The documents are read through ``visible_to(by)``, as the booklet page
reads them, in a fixed number of queries.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Contract
from core.pdf import render_pdf
from core.workflow.signatures import is_intact, signatures_by_document
from livret.models import (
    ActionItem,
    Evaluation,
    LiaisonSheet,
    MissionDecision,
    MissionDescription,
    Rating,
    VisitReport,
)
from livret.windows import HELD


def _signatures(documents) -> dict[tuple[int, int], list[dict]]:
    """The signatures of ``documents`` as the document shows them, by (content type id, document id)."""
    return {
        key: [
            {
                "act": signature.get_act_display(),
                "name": signature.signer_name,
                "email": signature.signer_email,
                "via": signature.get_via_display(),
                "at": timezone.localtime(signature.signed_at),
                "sha256": signature.content_sha256,
                "verified": is_intact(signature),
            }
            for signature in signatures
        ]
        for key, signatures in signatures_by_document(documents).items()
    }


def _attach_signatures(documents) -> None:
    found = _signatures(documents)
    for document in documents:
        document.signature_records = found.get(
            (ContentType.objects.get_for_model(type(document)).pk, document.pk), []
        )


def _grid(evaluation) -> list[dict]:
    """Each competence rated in the evaluation, with the levels of the sides already submitted."""
    rows = {}
    for rating in evaluation.ratings.all():
        if rating.rater == Rating.Rater.TUTOR and not evaluation.tutor_submitted_at:
            continue
        if rating.rater == Rating.Rater.APPRENTICE and not evaluation.apprentice_submitted_at:
            continue
        row = rows.setdefault(
            rating.competence_id, {"competence": rating.competence, "tutor": "", "self": ""}
        )
        row["tutor" if rating.rater == Rating.Rater.TUTOR else "self"] = rating.get_level_display()
    return sorted(
        rows.values(),
        key=lambda r: (r["competence"].block.order, r["competence"].block.code, r["competence"].order),
    )


def _visit_actions(visits, contracts) -> None:
    """On each visit, the actions it decided, closed, and carried from earlier visits: one query."""
    actions = list(
        ActionItem.objects.filter(contract__in=contracts)
        .select_related("opened_in", "closed_in")
        .order_by("due_date", "pk")
    )
    for visit in visits:
        visit.opened_here = [a for a in actions if a.opened_in_id == visit.pk]
        visit.closed_here = [a for a in actions if a.closed_in_id == visit.pk]
        visit.carried = [
            a
            for a in actions
            if a.contract_id == visit.contract_id
            and a.opened_in_id != visit.pk
            and a.opened_in.held_on
            and a.opened_in.held_on <= visit.date
            and (a.done_on is None or a.done_on > visit.date)
            and a.closed_in_id != visit.pk
        ]


def booklet_pdf(apprentice, *, by) -> bytes:
    """The livret of ``apprentice``: identity, contracts, every signed liaison sheet, the visits held
    with their reports and actions, the mission descriptions with their decisions, the evaluations."""
    mine = {"contract__apprentice": apprentice}
    contracts = list(
        Contract.objects.visible_to(by)
        .filter(apprentice=apprentice)
        .with_people()
        .select_related("diploma__organisation")
        .order_by("start_date")
    )
    sheets = list(
        LiaisonSheet.objects.visible_to(by)
        .filter(status__in=[LiaisonSheet.Status.COUNTERSIGNED, LiaisonSheet.Status.REVIEWED], **mine)
        .select_related("period", "contract__employer")
        .order_by("period__start_date", "version")
    )
    visits = list(
        VisitReport.objects.visible_to(by)
        .filter(status__in=HELD, **mine)
        .select_related("contract__employer", "author")
        .order_by("held_on", "pk")
    )
    missions = list(
        MissionDescription.objects.visible_to(by)
        .filter(is_current=True, **mine)
        .select_related("academic_year", "contract__employer", "decided_by")
        .prefetch_related(
            Prefetch("decisions", queryset=MissionDecision.objects.select_related("decided_by"))
        )
        .order_by("academic_year__start_date", "pk")
    )
    evaluations = list(
        Evaluation.objects.visible_to(by)
        .filter(**mine)
        .select_related("period", "contract__employer")
        .prefetch_related(
            Prefetch("ratings", queryset=Rating.objects.select_related("competence__block")),
        )
        .order_by("period__start_date")
    )
    _attach_signatures([*sheets, *visits, *missions, *evaluations])
    _visit_actions(visits, [v.contract_id for v in visits])
    for evaluation in evaluations:
        evaluation.grid = _grid(evaluation)
    organisation = apprentice.organisation
    diploma = apprentice.cohort.diploma if apprentice.cohort_id else None
    facts = [(_("Apprenti"), str(apprentice))]
    if diploma:
        facts.append((_("Formation"), f"{diploma.code} — {diploma.title}"))
        facts.append((_("Promotion"), apprentice.cohort.label))
    facts.append((_("Organisation"), organisation.name))
    return render_pdf(
        "livret/pdf/booklet.html",
        {
            "apprentice": apprentice,
            "contracts": contracts,
            "sheets": sheets,
            "visits": visits,
            "missions": missions,
            "evaluations": evaluations,
            "cover_facts": facts,
        },
        title=_("Livret d'apprentissage"),
        subject=str(apprentice),
        author=organisation.name,
        by=by,
    )


def visit_report_pdf(visit, *, by) -> bytes:
    """The report of one visit held: the meeting, its report, its actions, who acknowledged it."""
    contract = (
        Contract.objects.with_people()
        .select_related("apprentice__organisation", "diploma__organisation")
        .get(pk=visit.contract_id)
    )
    visit.contract = contract
    _attach_signatures([visit])
    _visit_actions([visit], [contract.pk])
    facts = [
        (_("Apprenti"), str(contract.apprentice)),
        (_("Employeur"), contract.employer.legal_name),
        (_("Formation"), f"{contract.diploma.code} — {contract.diploma.title}"),
        (_("Date de la rencontre"), visit.held_on.strftime("%d/%m/%Y") if visit.held_on else "—"),
        (_("Organisation"), contract.diploma.organisation.name),
    ]
    return render_pdf(
        "livret/pdf/visit.html",
        {"visit": visit, "contract": contract, "cover_facts": facts},
        title=_("Compte rendu de visite en entreprise"),
        subject=f"{contract.apprentice} — {visit}",
        author=contract.diploma.organisation.name,
        by=by,
    )


def receipt_pdf(document, signature, *, title: str, rows: list[tuple[str, str]]) -> bytes:
    """The receipt of one signature made from an emailed link: who signed, when, by which means, the
    SHA-256 checked again, and what was signed (``rows``: label and value, read from the signed
    content itself), with that content as it is stored."""
    contract = (
        Contract.objects.with_people().select_related("diploma__organisation").get(pk=document.contract_id)
    )
    organisation = contract.diploma.organisation.name
    facts = [
        (_("Document"), str(document)),
        (_("Apprenti"), str(contract.apprentice)),
        (_("Employeur"), contract.employer.legal_name),
        (_("Formation"), f"{contract.diploma.code} — {contract.diploma.title}"),
        (_("Organisation"), organisation),
    ]
    return render_pdf(
        "livret/pdf/receipt.html",
        {
            "signature": signature,
            "signed_at": timezone.localtime(signature.signed_at),
            "verified": is_intact(signature),
            "signed": rows,
            "cover_facts": facts,
        },
        title=title,
        subject=f"{contract.apprentice} — {document}",
        author=organisation,
        by=signature.signer_name,
    )
