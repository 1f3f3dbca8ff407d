"""Writes of the surveys: questionnaires, campaigns (open, close), answers, the automatic insertion
campaigns, the national rates. Each runs in one transaction, locks what it changes, checks the state,
writes an audit event and queues its mails on commit."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import AcademicYear, Organisation
from core.queue import enqueue
from core.workflow import Refusal
from surveys import links
from surveys.models import (
    INSERTION_KINDS,
    INSERTION_MONTHS,
    SCALE,
    TEXT_MAX_LENGTH,
    Answer,
    Campaign,
    Invitation,
    NationalRate,
    Question,
    Questionnaire,
    Response,
    Situation,
)
from surveys.populations import add_months, apprentices_of, leaving_contracts, population

# Questionnaires ---------------------------------------------------------------------------------


def _editable(questionnaire: Questionnaire) -> None:
    if questionnaire.is_template:
        raise Refusal(_("Un modèle fourni avec la plateforme ne se modifie pas : copiez-le d'abord."))
    if questionnaire.campaigns.exclude(status=Campaign.Status.DRAFT).exists():
        raise Refusal(_("Ce questionnaire a déjà été envoyé : copiez-le pour en faire une nouvelle version."))


@transaction.atomic
def create_questionnaire(*, organisation, by, title: str, kind: str, introduction: str = "") -> Questionnaire:
    questionnaire = Questionnaire.objects.create(
        organisation=organisation, title=title, kind=kind, introduction=introduction
    )
    audit.record("surveys.questionnaire.created", questionnaire, actor=by)
    return questionnaire


@transaction.atomic
def copy_questionnaire(*, questionnaire: Questionnaire, organisation, by) -> Questionnaire:
    """A copy in ``organisation`` that its staff may change (of a template, or of one of theirs)."""
    copy = Questionnaire.objects.create(
        organisation=organisation,
        title=questionnaire.title,
        kind=questionnaire.kind,
        introduction=questionnaire.introduction,
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=copy,
            order=q.order,
            code=q.code,
            text=q.text,
            help_text=q.help_text,
            type=q.type,
            required=q.required,
            options=q.options,
        )
        for q in questionnaire.questions.all()
    )
    audit.record("surveys.questionnaire.copied", copy, {"from": questionnaire.pk}, actor=by)
    return copy


def options_from_lines(lines: list[str]) -> list[dict]:
    return [{"code": f"o{number}", "label": label} for number, label in enumerate(lines, start=1)]


@transaction.atomic
def add_question(
    *,
    questionnaire: Questionnaire,
    by,
    text: str,
    type: str,
    required: bool,
    options: list[str],
    help_text="",
) -> Question:
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _editable(questionnaire)
    if type in (Question.Type.SINGLE, Question.Type.MULTIPLE) and len(options) < 2:
        raise Refusal(_("Une question à choix propose au moins deux choix, un par ligne."))
    last = questionnaire.questions.order_by("-order").values_list("order", flat=True).first() or 0
    question = Question.objects.create(
        questionnaire=questionnaire,
        order=last + 1,
        text=text,
        type=type,
        required=required,
        help_text=help_text,
        options=options_from_lines(options) if type in (Question.Type.SINGLE, Question.Type.MULTIPLE) else [],
    )
    audit.record("surveys.question.added", questionnaire, {"question": text}, actor=by)
    return question


@transaction.atomic
def delete_question(*, question: Question, by) -> None:
    questionnaire = Questionnaire.objects.select_for_update().get(pk=question.questionnaire_id)
    _editable(questionnaire)
    audit.record("surveys.question.deleted", questionnaire, {"question": question.text}, actor=by)
    question.delete()


# Campaigns ----------------------------------------------------------------------------------------


@transaction.atomic
def create_campaign(*, organisation, by, **fields) -> Campaign:
    campaign = Campaign.objects.create(organisation=organisation, created_by=by, **fields)
    audit.record("surveys.campaign.created", campaign, actor=by)
    return campaign


def invite(campaign: Campaign, people, *, mail: bool = True) -> int:
    """Invite each person not invited yet (idempotent: keyed by the apprentice or the tutor); their
    links are mailed on commit unless ``mail`` is False (the demo data marks them sent itself)."""
    known_apprentices = set(campaign.invitations.values_list("apprentice_id", flat=True))
    known_tutors = set(campaign.invitations.values_list("company_tutor_id", flat=True))
    new = [
        Invitation(
            campaign=campaign,
            apprentice_id=p.apprentice_id,
            company_tutor_id=p.company_tutor_id,
            diploma_id=p.diploma_id,
            email=p.email.lower(),
            name=p.name,
            nonce=links.new_nonce(),
            reference_date=p.reference_date,
        )
        for p in people
        if (p.apprentice_id and p.apprentice_id not in known_apprentices)
        or (p.company_tutor_id and p.company_tutor_id not in known_tutors)
    ]
    Invitation.objects.bulk_create(new)
    if new and mail:
        enqueue("surveys.tasks.send_invitations", campaign.pk)
    return len(new)


@transaction.atomic
def open_campaign(*, campaign: Campaign, by, today: datetime.date | None = None) -> int:
    """Open the campaign and invite its population (each person gets their link by mail)."""
    today = today or timezone.localdate()
    campaign = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("academic_year", "cohort")
        .get(pk=campaign.pk)
    )
    if campaign.status != Campaign.Status.DRAFT:
        raise Refusal(_("Cette campagne est déjà ouverte ou close."))
    if campaign.closes_on < today:
        raise Refusal(_("La date de clôture de cette campagne est passée : changez-la avant de l'ouvrir."))
    if not campaign.questionnaire.questions.exists():
        raise Refusal(_("Ce questionnaire n'a aucune question."))
    campaign.status = Campaign.Status.OPEN
    campaign.opened_at = timezone.now()
    campaign.save(update_fields=["status", "opened_at"])
    invited = invite(campaign, population(campaign))
    audit.record("surveys.campaign.opened", campaign, {"invited": invited}, actor=by)
    return invited


@transaction.atomic
def close_campaign(*, campaign: Campaign, by=None) -> bool:
    """Close the campaign: its links stop working. Closing a closed campaign changes nothing (False)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == Campaign.Status.CLOSED:
        return False
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    audit.record("surveys.campaign.closed", campaign, actor=by)
    return True


def close_due_campaigns(*, today: datetime.date) -> int:
    due = Campaign.objects.filter(status=Campaign.Status.OPEN, closes_on__lt=today)
    return sum(close_campaign(campaign=campaign) for campaign in due)


# Answers ------------------------------------------------------------------------------------------


def clean_answer(question: Question, value):
    """The stored form of one answer, or a :class:`Refusal` saying what is wrong with it. ``value`` is
    what the form gives: an int, a code, a list of codes, a text or a date (None or empty: no answer)."""
    empty = value in (None, "", [], ())
    if empty:
        if question.required:
            raise Refusal(_("« %(question)s » : une réponse est demandée.") % {"question": question.text})
        return None
    codes = set(question.option_labels)
    if question.type == Question.Type.SCALE:
        if not isinstance(value, int) or value not in SCALE:
            raise Refusal(_("« %(question)s » : la note va de 1 à 5.") % {"question": question.text})
        return {"number": value}
    if question.type == Question.Type.SINGLE:
        if value not in codes:
            raise Refusal(_("« %(question)s » : ce choix n'existe pas.") % {"question": question.text})
        return {"text": value}
    if question.type == Question.Type.MULTIPLE:
        if not set(value) <= codes:
            raise Refusal(_("« %(question)s » : ce choix n'existe pas.") % {"question": question.text})
        return {"choices": sorted(set(value))}
    if question.type == Question.Type.DATE:
        if not isinstance(value, datetime.date) or not (
            datetime.date(1950, 1, 1) <= value <= timezone.localdate()
        ):
            raise Refusal(
                _("« %(question)s » : donnez une date passée, au format JJ/MM/AAAA.")
                % {"question": question.text}
            )
        return {"date": value}
    text = str(value).strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise Refusal(
            _("« %(question)s » : %(max)s caractères au plus.")
            % {"question": question.text, "max": TEXT_MAX_LENGTH}
        )
    return {"text": text} if text else None


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is not later)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


@transaction.atomic
def submit(*, pk: int, token: str, values: dict[int, object]) -> Response:
    """Record the answers of the invitation behind ``token``, once. ``values``: question id -> value.

    Raises ``LinkError`` (the link is altered, used or past the close) or :class:`Refusal` (an answer
    is missing, out of range or too long): then nothing is recorded.
    """
    invitation = links.resolve(pk, token, for_update=True)
    campaign = invitation.campaign
    questions = list(campaign.questionnaire.questions.all())
    cleaned = {q.pk: clean_answer(q, values.get(q.pk)) for q in questions}
    by_code = {q.code: cleaned[q.pk] for q in questions if q.code}
    situation = ""
    months_to_job = None
    if campaign.questionnaire.kind in INSERTION_KINDS:
        chosen = (by_code.get("situation") or {}).get("text", "")
        situation = chosen if chosen in Situation.values else ""
        first_job = (by_code.get("first_job_date") or {}).get("date")
        if first_job and invitation.reference_date:
            months_to_job = min(months_between(invitation.reference_date, first_job), 120)
    now = timezone.now()
    response = Response.objects.create(
        campaign=campaign,
        # Anonymous: neither the invitation nor the day, so nothing joins the answer to the person.
        invitation=None if campaign.anonymous else invitation,
        submitted_on=None if campaign.anonymous else timezone.localdate(),
        diploma_id=invitation.diploma_id,
        situation=situation,
        months_to_job=months_to_job,
    )
    Answer.objects.bulk_create(
        Answer(response=response, question_id=question_id, **value)
        for question_id, value in cleaned.items()
        if value is not None
    )
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    audit.record("surveys.invitation.answered", invitation, actor=None)
    return response


# Automatic insertion campaigns -------------------------------------------------------------------


def _insertion_questionnaire(organisation: Organisation, kind: str) -> Questionnaire | None:
    """The organisation's own questionnaire of that kind (its latest), else the shipped template."""
    own = Questionnaire.objects.filter(organisation=organisation, kind=kind).order_by("-pk").first()
    return own or Questionnaire.objects.filter(organisation__isnull=True, kind=kind).order_by("pk").first()


def automatic_campaign(organisation, kind: str, year: AcademicYear, today) -> Campaign | None:
    months = INSERTION_MONTHS[kind]
    key = f"{kind}:{year.label}"
    campaign = Campaign.objects.filter(organisation=organisation, automatic_key=key).first()
    if campaign is not None:
        return campaign
    questionnaire = _insertion_questionnaire(organisation, kind)
    if questionnaire is None:
        return None
    closes_on = add_months(year.end_date, months) + datetime.timedelta(days=settings.SURVEY_ANSWER_DAYS)
    try:
        with transaction.atomic():
            return Campaign.objects.create(
                organisation=organisation,
                questionnaire=questionnaire,
                title=_("Insertion à %(months)s mois des sortants %(year)s")
                % {"months": months, "year": year},
                population=Campaign.Population.LEAVERS,
                academic_year=year,
                opens_on=min(today, closes_on),
                closes_on=closes_on,
                anonymous=False,
                status=Campaign.Status.OPEN,
                opened_at=timezone.now(),
                automatic_key=key,
            )
    except IntegrityError:  # opened at the same moment by another run: take theirs
        return Campaign.objects.get(organisation=organisation, automatic_key=key)


def open_insertion_invitations(*, today: datetime.date) -> int:
    """Invite every leaver whose contract ended 6 (or 12) months ago, within
    ``SURVEY_INSERTION_CATCH_UP_DAYS``, to the insertion campaign of their leaving year, opened by
    itself if need be. Idempotent: a leaver is invited once per campaign."""
    invited = 0
    years = list(AcademicYear.objects.all())
    for organisation in Organisation.objects.all():
        for kind in INSERTION_KINDS:
            months = INSERTION_MONTHS[kind]
            latest_end = add_months(today, -months)
            earliest_end = latest_end - datetime.timedelta(days=settings.SURVEY_INSERTION_CATCH_UP_DAYS)
            for year in years:
                start, end = max(year.start_date, earliest_end), min(year.end_date, latest_end)
                if start > end:
                    continue
                contracts = leaving_contracts(organisation.pk, start, end)
                if not contracts.exists():
                    continue
                with transaction.atomic():
                    campaign = automatic_campaign(organisation, kind, year, today)
                    if campaign is None or campaign.status != Campaign.Status.OPEN:
                        continue
                    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
                    invited += invite(campaign, apprentices_of(contracts))
    return invited


# National rates ------------------------------------------------------------------------------------


@transaction.atomic
def save_national_rate(*, diploma, academic_year, by, insertion_6, insertion_12) -> NationalRate:
    rate, _created = NationalRate.objects.update_or_create(
        diploma=diploma,
        academic_year=academic_year,
        defaults={"insertion_6": insertion_6, "insertion_12": insertion_12, "entered_by": by},
    )
    audit.record(
        "surveys.national_rate.saved",
        rate,
        {"insertion_6": insertion_6, "insertion_12": insertion_12, "year": academic_year.label},
        actor=by,
    )
    return rate
