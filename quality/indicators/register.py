"""Indicators read from what the establishment records here: the meeting register, the group debriefs
of each cohort, the referents, the diploma's list of indicators and the revision of its thresholds."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apprentices.models import Contract, Diploma
from core.dates import add_months
from quality.indicators.base import COUNT, Figure, Indicator, Record, flag, judged_on, rate
from quality.indicators.contracts import active_during
from quality.models import FollowedIndicator, Meeting, Milestone, Threshold


def _meetings_url(kind: str, diploma_pk: int, year) -> str:
    return reverse("quality:meeting_list") + f"?type={kind}&formation={diploma_pk}&annee={year.label}"


class MeetingCount(Indicator):
    """Meetings of one kind held in the year for the diploma; ``needs_minutes``: only those whose
    minutes are on file count."""

    unit = COUNT
    diploma_path = "diplomas"
    kind = ""
    needs_minutes = False

    def population(self, year, as_of):
        counted = Q(minutes__isnull=False) if self.needs_minutes else Q(pk__isnull=False)
        return Meeting.objects.filter(
            kind=self.kind, held_on__gte=year.start_date, held_on__lte=as_of
        ).annotate(counted=flag(counted))

    def compute(self, diploma_ids, year, as_of):
        figures = super().compute(diploma_ids, year, as_of)
        return {pk: Figure(f.numerator, f.denominator, f.numerator) for pk, f in figures.items()}

    def with_context(self, rows):
        return rows.order_by("held_on", "pk")

    def record(self, meeting):
        if self.needs_minutes:
            detail = _("compte rendu déposé") if meeting.counted else _("compte rendu manquant")
        else:
            detail = _("%(n)s participants") % {"n": meeting.attendance}
        return Record(
            label=meeting.title,
            url=reverse("quality:meeting_detail", args=[meeting.pk]),
            day=meeting.held_on,
            counted=meeting.counted,
            detail=detail,
        )


class SteeringCommittees(MeetingCount):
    code = "steering_committee"
    label = gettext_lazy("Comités de pilotage tenus avec leur compte rendu")
    description = gettext_lazy(
        "Comités de pilotage de la formation tenus dans l'année dont le compte rendu est déposé."
    )
    kind = Meeting.Kind.STEERING
    needs_minutes = True


class CouncilMeetings(MeetingCount):
    code = "council_meetings"
    label = gettext_lazy("Conseils de perfectionnement tenus")
    description = gettext_lazy("Conseils de perfectionnement tenus dans l'année pour la formation.")
    kind = Meeting.Kind.COUNCIL


class RentreeMeetings(MeetingCount):
    code = "rentree_meeting"
    label = gettext_lazy("Réunions de rentrée de l'apprentissage")
    description = gettext_lazy("Réunions de rentrée tenues dans l'année pour la formation.")
    kind = Meeting.Kind.RENTREE


class PedagogicalMeetings(MeetingCount):
    code = "pedagogical_meetings"
    label = gettext_lazy("Réunions pédagogiques")
    description = gettext_lazy("Réunions pédagogiques tenues dans l'année pour la formation.")
    kind = Meeting.Kind.PEDAGOGICAL


class InformationMeetings(MeetingCount):
    code = "information_meetings"
    label = gettext_lazy("Réunions d'information des candidats")
    description = gettext_lazy("Réunions d'information et d'échanges pour les candidats tenues dans l'année.")
    kind = Meeting.Kind.INFORMATION


def quarters(year) -> list[tuple[int, datetime.date, datetime.date]]:
    """The four quarters of an academic year, from its first day: (number, first day, last day)."""
    return [
        (
            n + 1,
            add_months(year.start_date, 3 * n),
            add_months(year.start_date, 3 * (n + 1)) - datetime.timedelta(days=1),
        )
        for n in range(4)
    ]


class GroupDebriefs(Indicator):
    """The charter's « un retour d'alternance par trimestre avec le groupe d'apprentis », per cohort.
    A quarter counts once it is over, or as soon as its debrief is held. The pairs (cohort, quarter) are
    few: they are read in two queries and matched in Python."""

    code = "group_debriefs"
    label = gettext_lazy("Retours d'alternance par trimestre et par promotion")
    description = gettext_lazy(
        "Trimestres où chaque promotion en cours a eu son retour d'alternance en groupe ÷ trimestres écoulés "
        "× promotions en cours."
    )

    def _pairs(self, diploma_ids, year, as_of):
        cohorts = defaultdict(set)
        labels = {}
        # When each cohort has apprentices under contract: a quarter asks a debrief of the cohorts
        # that have a contract running during it, not of a promotion that has not started yet.
        running = defaultdict(list)
        for diploma_id, cohort_id, label, start, rupture, planned_end in (
            Contract.objects.filter(active_during(year, as_of), diploma__in=list(diploma_ids))
            .filter(apprentice__cohort__isnull=False)
            .values_list(
                "diploma",
                "apprentice__cohort",
                "apprentice__cohort__label",
                "start_date",
                "rupture_date",
                "planned_end_date",
            )
        ):
            cohorts[diploma_id].add(cohort_id)
            labels[cohort_id] = label
            running[cohort_id].append((start, rupture or planned_end))
        held = defaultdict(list)
        for cohort_id, day, pk in (
            Meeting.objects.filter(
                kind=Meeting.Kind.DEBRIEF, held_on__gte=year.start_date, held_on__lte=as_of
            )
            .filter(cohorts__in=[c for ids in cohorts.values() for c in ids])
            .values_list("cohorts", "held_on", "pk")
        ):
            held[cohort_id].append((day, pk))
        pairs = defaultdict(list)
        judged = judged_on(year, as_of)
        for diploma_id, cohort_ids in cohorts.items():
            for cohort_id in sorted(cohort_ids, key=lambda c: labels[c]):
                for number, first, last in quarters(year):
                    meetings = [pk for day, pk in held[cohort_id] if first <= day <= last]
                    under_contract = any(start <= last and end >= first for start, end in running[cohort_id])
                    if meetings or (under_contract and last < judged):
                        pairs[diploma_id].append(
                            (cohort_id, labels[cohort_id], number, first, last, meetings)
                        )
        return pairs

    def compute(self, diploma_ids, year, as_of):
        pairs = self._pairs(diploma_ids, year, as_of)
        result = {}
        for pk in diploma_ids:
            den = len(pairs[pk])
            num = sum(1 for pair in pairs[pk] if pair[5])
            result[pk] = Figure(num, den, rate(num, den))
        return result

    def records(self, diploma, year, as_of):
        return [
            Record(
                label=_("%(cohort)s — trimestre %(n)s (%(first)s–%(last)s)")
                % {"cohort": label, "n": number, "first": f"{first:%d/%m}", "last": f"{last:%d/%m/%Y}"},
                url=(
                    reverse("quality:meeting_detail", args=[meetings[0]])
                    if meetings
                    else _meetings_url(Meeting.Kind.DEBRIEF, diploma.pk, year)
                ),
                day=last,
                counted=bool(meetings),
                detail=_("retour tenu") if meetings else _("aucun retour d'alternance"),
            )
            for _cohort, label, number, first, last, meetings in self._pairs([diploma.pk], year, as_of)[
                diploma.pk
            ]
        ]


class ReferentsNamed(Indicator):
    code = "referents_named"
    label = gettext_lazy("Référents handicap et mobilité désignés")
    description = gettext_lazy(
        "Référents désignés parmi les deux que la charte demande (handicap, mobilité)."
    )

    def compute(self, diploma_ids, year, as_of):
        result = {}
        for pk, disability, mobility in Diploma.objects.filter(pk__in=list(diploma_ids)).values_list(
            "pk", "organisation__disability_referent", "organisation__mobility_referent"
        ):
            named = (disability is not None) + (mobility is not None)
            result[pk] = Figure(named, 2, rate(named, 2))
        return result

    def records(self, diploma, year, as_of):
        organisation = diploma.organisation
        url = reverse("admin:core_organisation_change", args=[organisation.pk])
        return [
            Record(
                label=title,
                url=url,
                day=None,
                counted=person is not None,
                detail=str(person) if person else _("non désigné"),
            )
            for title, person in (
                (_("Référent handicap"), organisation.disability_referent),
                (_("Référent mobilité"), organisation.mobility_referent),
            )
        ]


class FollowedIndicators(Indicator):
    code = "followed_indicators"
    label = gettext_lazy("Indicateurs de la liste minimale de la formation")
    description = gettext_lazy("Indicateurs que la formation a retenus pour son pilotage de l'année.")
    unit = COUNT

    def __init__(self, registry: dict[str, Indicator]):
        # The list names other indicators: their labels come from the registry this one belongs to,
        # handed over by the package that builds it (which imports this module, not the other way).
        self.registry = registry

    def compute(self, diploma_ids, year, as_of):
        counts = dict(
            FollowedIndicator.objects.filter(diploma__in=list(diploma_ids), academic_year=year)
            .order_by()
            .values_list("diploma")
            .annotate(n=Count("pk"))
        )
        return {pk: Figure(counts.get(pk, 0), None, counts.get(pk, 0)) for pk in diploma_ids}

    def records(self, diploma, year, as_of):
        url = reverse("quality:followed_indicators", args=[diploma.pk, year.label])
        return [
            Record(
                label=str(self.registry[row.indicator].label)
                if row.indicator in self.registry
                else row.indicator,
                url=url,
                day=row.added_at.date(),
                counted=True,
                detail=_("retenu par %(who)s") % {"who": row.added_by or _("l'équipe")},
            )
            for row in FollowedIndicator.objects.filter(diploma=diploma, academic_year=year)
            .select_related("added_by")
            .order_by("indicator")
        ]


class ThresholdsRevised(Indicator):
    code = "thresholds_revised"
    label = gettext_lazy("Révisions des seuils et jalons dans l'année")
    description = gettext_lazy("Changements de seuil et jalons posés pendant l'année, pour la formation.")
    unit = COUNT

    def _changes(self, diploma_ids, year, as_of):
        window = {"__date__gte": year.start_date, "__date__lte": as_of}
        thresholds = Threshold.objects.filter(
            diploma__in=list(diploma_ids), **{f"changed_at{k}": v for k, v in window.items()}
        )
        milestones = Milestone.objects.filter(
            diploma__in=list(diploma_ids), **{f"created_at{k}": v for k, v in window.items()}
        )
        return thresholds, milestones

    def compute(self, diploma_ids, year, as_of):
        thresholds, milestones = self._changes(diploma_ids, year, as_of)
        counts = defaultdict(int)
        for queryset in (thresholds, milestones):
            for pk, n in queryset.order_by().values_list("diploma").annotate(n=Count("pk")):
                counts[pk] += n
        return {pk: Figure(counts[pk], None, counts[pk]) for pk in diploma_ids}

    def records(self, diploma, year, as_of):
        thresholds, milestones = self._changes([diploma.pk], year, as_of)
        url = reverse("quality:thresholds", args=[diploma.pk, year.label])
        records = [
            Record(
                label=f"{t.requirement.label} : {t.previous_value or '—'} → {t.value}",
                url=url,
                day=t.changed_at.date(),
                counted=True,
                detail=t.reason,
            )
            for t in thresholds.select_related("requirement").order_by("changed_at", "pk")
        ]
        records += [
            Record(label=str(m), url=url, day=m.created_at.date(), counted=True, detail=_("jalon posé"))
            for m in milestones.order_by("created_at", "pk")
        ]
        return records
