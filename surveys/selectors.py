"""Reads of the surveys shaped for the pages and the PDF: a campaign's results (response rate,
distributions, free texts), a diploma's results, the insertion figures. A fixed number of queries each;
counts are SQL aggregates.

Anonymous campaigns: nothing here names a person. The invitations (who was asked, who answered) are
listed only for a campaign that is not anonymous, and free texts carry a name only then.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _

from core.charts import Bar, bar_chart
from surveys.models import (
    INSERTION_KINDS,
    SCALE,
    Answer,
    Campaign,
    Invitation,
    NationalRate,
    Question,
    Response,
    Situation,
)

# A published rate (insertion) on fewer people than this is "effectif insuffisant": the rule of the
# quality app (quality.indicators.base.MIN_PUBLISHED_POPULATION), which this layer does not import.
MIN_PUBLISHED_POPULATION = 20


def percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def format_percent(value) -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} %"


@dataclass
class QuestionResult:
    question: Question
    answered: int
    rows: list[tuple[str, int, str]] = field(default_factory=list)  # (label, count, "n (p %)")
    mean: Decimal | None = None
    texts: list[dict] = field(default_factory=list)
    chart: str = ""


@dataclass
class Results:
    campaign: Campaign
    invited: int
    answered: int
    rate: Decimal | None
    questions: list[QuestionResult]
    invitations: list[Invitation] | None  # None for an anonymous campaign

    @property
    def rate_text(self) -> str:
        return format_percent(self.rate)


def campaign_queryset():
    return Campaign.objects.select_related(
        "questionnaire", "diploma", "cohort", "academic_year", "organisation"
    )


def response_rate(campaign: Campaign, diploma_id: int | None = None) -> tuple[int, int]:
    invitations = campaign.invitations.all()
    if diploma_id:
        invitations = invitations.filter(diploma_id=diploma_id)
    counts = invitations.aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    return counts["invited"], counts["answered"]


def response_rates(campaigns, *, diploma_id: int | None = None) -> dict[int, dict]:
    """Invited, answered and their rate for each campaign (of one diploma when given): one query."""
    invitations = Invitation.objects.filter(campaign__in=[c.pk for c in campaigns])
    if diploma_id:
        invitations = invitations.filter(diploma_id=diploma_id)
    rows = invitations.values("campaign_id").annotate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    return {
        row["campaign_id"]: {
            "invited": row["invited"],
            "answered": row["answered"],
            "rate": format_percent(percent(row["answered"], row["invited"])),
        }
        for row in rows
    }


def _distribution(question: Question, counts: Counter, answered: int, chart_id: str) -> QuestionResult:
    if question.type == Question.Type.SCALE:
        labels = [(value, str(value)) for value in SCALE]
    else:
        labels = [(option["code"], option["label"]) for option in question.options]
    rows = []
    for key, label in labels:
        n = counts.get(key, 0)
        rows.append((label, n, f"{n} ({format_percent(percent(n, answered))})"))
    chart = bar_chart(
        title=question.text,
        description=_("Répartition des %(n)s réponses à cette question.") % {"n": answered},
        bars=[
            Bar(label=label, value=n, text=format_percent(percent(n, answered))) for label, n, _text in rows
        ],
        maximum=answered or None,
        chart_id=chart_id,
        empty_message=_("Aucune réponse pour l'instant."),
    )
    return QuestionResult(question=question, answered=answered, rows=rows, chart=chart)


def results(campaign: Campaign, *, diploma_id: int | None = None, texts: bool = True) -> Results:
    """Everything the campaign's page and PDF show. Seven queries."""
    invited, answered = response_rate(campaign, diploma_id)
    questions = list(campaign.questionnaire.questions.all())
    answers = Answer.objects.filter(response__campaign=campaign)
    if diploma_id:
        answers = answers.filter(response__diploma_id=diploma_id)
    counts: dict[int, Counter] = {q.pk: Counter() for q in questions}
    answered_by_question = Counter()
    means = {}
    for row in answers.exclude(number__isnull=True).values("question_id", "number").annotate(n=Count("pk")):
        counts[row["question_id"]][row["number"]] += row["n"]
    for row in (
        answers.filter(question__type=Question.Type.SINGLE)
        .values("question_id", "text")
        .annotate(n=Count("pk"))
    ):
        counts[row["question_id"]][row["text"]] += row["n"]
    for row in answers.filter(question__type=Question.Type.MULTIPLE).values("question_id", "choices"):
        counts[row["question_id"]].update(row["choices"])
    for row in answers.values("question_id").annotate(n=Count("pk"), mean=Avg("number")):
        answered_by_question[row["question_id"]] = row["n"]
        if row["mean"] is not None:
            means[row["question_id"]] = Decimal(str(row["mean"])).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
    text_rows = []
    if texts:
        fields = (
            ["question_id", "text"]
            if campaign.anonymous
            else ["question_id", "text", "response__invitation__name"]
        )
        text_rows = list(
            answers.filter(question__type=Question.Type.TEXT)
            .exclude(text="")
            # Anonymous: in the order of the texts themselves, which tells nothing of who wrote first.
            .order_by("question_id", "text" if campaign.anonymous else "response__submitted_on")
            .values(*fields)
        )
    dates = dict(
        answers.filter(question__type=Question.Type.DATE)
        .values("question_id")
        .annotate(n=Count("pk"))
        .values_list("question_id", "n")
    )
    results_ = []
    for number, question in enumerate(questions, start=1):
        n = answered_by_question.get(question.pk, 0)
        if question.type in (Question.Type.SCALE, Question.Type.SINGLE, Question.Type.MULTIPLE):
            result = _distribution(question, counts[question.pk], n, f"q{number}")
            result.mean = means.get(question.pk)
        else:
            result = QuestionResult(question=question, answered=dates.get(question.pk, n))
            result.texts = [
                {"text": row["text"], "name": row.get("response__invitation__name", "")}
                for row in text_rows
                if row["question_id"] == question.pk
            ]
        results_.append(result)
    invitations = None
    if not campaign.anonymous:
        invitations = list(campaign.invitations.select_related("diploma").order_by("name", "pk"))
    return Results(
        campaign=campaign,
        invited=invited,
        answered=answered,
        rate=percent(answered, invited),
        questions=results_,
        invitations=invitations,
    )


def free_texts(campaign: Campaign):
    """The rows of the free-text export: question, text, and the person for a campaign that is not
    anonymous (sorted by text for an anonymous one)."""
    answers = (
        Answer.objects.filter(response__campaign=campaign, question__type=Question.Type.TEXT)
        .exclude(text="")
        .select_related("question", "response__invitation", "response__diploma")
    )
    if campaign.anonymous:
        return answers.order_by("question__order", "text")
    return answers.order_by("question__order", "response__invitation__name", "pk")


# Insertion -----------------------------------------------------------------------------------------


@dataclass
class InsertionFigure:
    """Insertion of a diploma's leavers of one year, from their answers: employed ÷ (respondents −
    continuing studies), and the share continuing their studies. Leavers who did not answer are not
    known and count in neither."""

    respondents: int
    employed: int
    studies: int

    @property
    def denominator(self) -> int:
        return self.respondents - self.studies

    @property
    def rate(self) -> Decimal | None:
        return percent(self.employed, self.denominator)

    @property
    def studies_rate(self) -> Decimal | None:
        return percent(self.studies, self.respondents)

    @property
    def insufficient(self) -> bool:
        return self.denominator < MIN_PUBLISHED_POPULATION


def insertion_responses():
    return Response.objects.filter(campaign__questionnaire__kind__in=INSERTION_KINDS).exclude(situation="")


def insertion_table(diploma) -> list[dict]:
    """Per academic year of the leavers (newest first): insertion at 6 and 12 months from the
    platform's survey, beside the national InserJeunes rates entered by the staff. Two queries."""
    rows = (
        insertion_responses()
        .filter(diploma=diploma)
        .values("campaign__academic_year__label", "campaign__questionnaire__kind")
        .annotate(
            total=Count("pk"),
            employed=Count("pk", filter=Q(situation=Situation.EMPLOYED)),
            studies=Count("pk", filter=Q(situation=Situation.STUDIES)),
        )
    )
    years: dict[str, dict] = {}
    for row in rows:
        entry = years.setdefault(row["campaign__academic_year__label"], {})
        entry[row["campaign__questionnaire__kind"]] = InsertionFigure(
            row["total"], row["employed"], row["studies"]
        )
    national = {
        rate.academic_year.label: rate
        for rate in NationalRate.objects.filter(diploma=diploma).select_related("academic_year")
    }
    table = []
    for label in sorted(set(years) | set(national), reverse=True):
        entry = years.get(label, {})
        table.append(
            {
                "year": label,
                "six": entry.get("insertion_6"),
                "twelve": entry.get("insertion_12"),
                "national": national.get(label),
            }
        )
    return table
