"""Indicators read from the surveys (app ``surveys``): response rates and scores of the satisfaction and
end-of-training surveys, insertion at 6 and 12 months and the continuing-studies rate.

Each counts the campaigns of its kind whose population year is the academic year (for the insertion
surveys, the year the leavers left). The records behind a figure name a person only for a campaign
that is not anonymous.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quality.indicators.base import COUNT, Figure, Indicator, Record, flag
from surveys.models import Campaign, Invitation, Kind, Question, Response, Situation

SENT = (Campaign.Status.OPEN, Campaign.Status.CLOSED)


def _who(row, name: str) -> str:
    return _("Personne invitée (enquête anonyme)") if row.campaign.anonymous else name


class ResponseRate(Indicator):
    """People who answered ÷ people invited, in the campaigns of one kind of the year."""

    kind = ""

    def population(self, year, as_of):
        return Invitation.objects.filter(
            campaign__questionnaire__kind=self.kind, campaign__academic_year=year, campaign__status__in=SENT
        ).annotate(counted=flag(answered_at__isnull=False))

    def with_context(self, rows):
        return rows.select_related("campaign").order_by("campaign_id", "name", "pk")

    def record(self, invitation) -> Record:
        return Record(
            label=f"{_who(invitation, invitation.name)} — {invitation.campaign.title}",
            url=invitation.campaign.get_absolute_url(),
            day=invitation.sent_at.date() if invitation.sent_at else None,
            counted=invitation.counted,
            detail=_("a répondu") if invitation.counted else _("pas de réponse"),
        )


class Score(Indicator):
    """The mean of the answers to the scale questions (1 to 5) of the campaigns of one kind of the
    year; the numerator is the number of responses."""

    kind = ""
    unit = COUNT

    def population(self, year, as_of):
        return Response.objects.filter(
            campaign__questionnaire__kind=self.kind, campaign__academic_year=year, campaign__status__in=SENT
        ).annotate(
            counted=flag(pk__isnull=False),
            mean=Avg("answers__number", filter=Q(answers__question__type=Question.Type.SCALE)),
        )

    def compute(self, diploma_ids, year, as_of):
        rows = (
            Response.objects.filter(
                campaign__questionnaire__kind=self.kind,
                campaign__academic_year=year,
                campaign__status__in=SENT,
                diploma__in=list(diploma_ids),
            )
            .order_by()
            .values("diploma")
            .annotate(
                responses=Count("pk", distinct=True),
                mean=Avg("answers__number", filter=Q(answers__question__type=Question.Type.SCALE)),
            )
        )
        found = {
            row["diploma"]: Figure(
                row["responses"],
                None,
                Decimal(str(row["mean"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                if row["mean"] is not None
                else None,
            )
            for row in rows
        }
        return {pk: found.get(pk, Figure(0, None, None)) for pk in diploma_ids}

    def with_context(self, rows):
        return rows.select_related("campaign", "invitation").order_by("campaign_id", "pk")

    def record(self, response) -> Record:
        name = response.invitation.name if response.invitation_id else ""
        return Record(
            label=f"{_who(response, name or _('Réponse'))} — {response.campaign.title}",
            url=response.campaign.get_absolute_url(),
            day=response.submitted_on,
            counted=True,
            detail=_("note moyenne %(mean)s sur 5") % {"mean": self.format_value(response.mean)},
        )

    def format_value(self, value) -> str:
        if value is None:
            return "—"
        return super().format_value(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


class InsertionIndicator(Indicator):
    kind = ""
    published = True

    def answers(self, year):
        return Response.objects.filter(
            campaign__questionnaire__kind=self.kind, campaign__academic_year=year, campaign__status__in=SENT
        ).exclude(situation="")

    def with_context(self, rows):
        return rows.select_related("campaign", "invitation").order_by("campaign_id", "pk")

    def record(self, response) -> Record:
        name = response.invitation.name if response.invitation_id else _("Réponse")
        return Record(
            label=f"{_who(response, name)} — {response.campaign.title}",
            url=response.campaign.get_absolute_url(),
            day=response.submitted_on,
            counted=response.counted,
            detail=response.get_situation_display(),
        )


class InsertionRate(InsertionIndicator):
    """In employment ÷ (leavers who answered − those continuing their studies)."""

    def population(self, year, as_of):
        return (
            self.answers(year)
            .exclude(situation=Situation.STUDIES)
            .annotate(counted=flag(situation=Situation.EMPLOYED))
        )


class StudiesRate(InsertionIndicator):
    """Continuing their studies ÷ leavers who answered."""

    def population(self, year, as_of):
        return self.answers(year).annotate(counted=flag(situation=Situation.STUDIES))


class Insertion6(InsertionRate):
    code = "insertion_6_months"
    kind = Kind.INSERTION_6
    label = gettext_lazy("Taux d'insertion à 6 mois")
    description = gettext_lazy(
        "Sortants en emploi 6 mois après la fin du contrat ÷ (sortants ayant répondu à l'enquête − sortants "
        "en poursuite d'études), pour les sortants de l'année."
    )


class Insertion12(InsertionRate):
    code = "insertion_12_months"
    kind = Kind.INSERTION_12
    label = gettext_lazy("Taux d'insertion à 12 mois")
    description = gettext_lazy(
        "Sortants en emploi 12 mois après la fin du contrat ÷ (sortants ayant répondu à l'enquête − sortants "
        "en poursuite d'études), pour les sortants de l'année."
    )


class Studies6(StudiesRate):
    code = "studies_6_months"
    kind = Kind.INSERTION_6
    label = gettext_lazy("Taux de poursuite d'études à 6 mois")
    description = gettext_lazy(
        "Sortants en poursuite d'études 6 mois après la fin du contrat ÷ sortants ayant répondu."
    )


class Studies12(StudiesRate):
    code = "studies_12_months"
    kind = Kind.INSERTION_12
    label = gettext_lazy("Taux de poursuite d'études à 12 mois")
    description = gettext_lazy(
        "Sortants en poursuite d'études 12 mois après la fin du contrat ÷ sortants ayant répondu."
    )


class ApprenticeSatisfactionResponse(ResponseRate):
    code = "satisfaction_apprentice_response"
    kind = Kind.SATISFACTION_APPRENTICE
    label = gettext_lazy("Enquête de satisfaction des apprentis : taux de réponse")
    description = gettext_lazy(
        "Apprentis ayant répondu ÷ apprentis invités à l'enquête de satisfaction de l'année."
    )


class ApprenticeSatisfactionScore(Score):
    code = "satisfaction_apprentice_score"
    kind = Kind.SATISFACTION_APPRENTICE
    label = gettext_lazy("Satisfaction des apprentis (note sur 5)")
    description = gettext_lazy(
        "Moyenne des notes de 1 à 5 données à l'enquête de satisfaction des apprentis."
    )


class EmployerSatisfactionResponse(ResponseRate):
    code = "satisfaction_employer_response"
    kind = Kind.SATISFACTION_EMPLOYER
    label = gettext_lazy("Enquête de satisfaction des employeurs : taux de réponse")
    description = gettext_lazy(
        "Maîtres d'apprentissage ayant répondu ÷ maîtres d'apprentissage invités à l'enquête de satisfaction."
    )


class EmployerSatisfactionScore(Score):
    code = "satisfaction_employer_score"
    kind = Kind.SATISFACTION_EMPLOYER
    label = gettext_lazy("Satisfaction des employeurs (note sur 5)")
    description = gettext_lazy(
        "Moyenne des notes de 1 à 5 données à l'enquête de satisfaction des employeurs."
    )


class EndOfTrainingApprenticeResponse(ResponseRate):
    code = "end_apprentice_response"
    kind = Kind.END_APPRENTICE
    label = gettext_lazy("Évaluation de fin de formation par les apprentis : taux de réponse")
    description = gettext_lazy(
        "Apprentis ayant répondu ÷ apprentis invités à l'évaluation de fin de formation de l'année."
    )


class EndOfTrainingTutorResponse(ResponseRate):
    code = "end_tutor_response"
    kind = Kind.END_TUTOR
    label = gettext_lazy("Évaluation de fin de formation par les maîtres d'apprentissage : taux de réponse")
    description = gettext_lazy(
        "Maîtres d'apprentissage ayant répondu ÷ maîtres d'apprentissage invités à l'évaluation de fin de "
        "formation de l'année."
    )
