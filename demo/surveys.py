"""The surveys of the demo CFA: for each academic year up to today and each diploma, the apprentices'
satisfaction survey (anonymous), the employers' satisfaction survey, the end-of-training evaluations
by the leavers and by the company tutors, and the insertion surveys at 6 and 12 months of each year's
leavers (the campaigns the daily job opens by itself, under the same keys). About three people in four
answer, from answers drawn with a fixed seed; the quality indicators of postes 1, 3 and 4 read them.

Every campaign is found by its title (or its automatic key) and every invitation by its person: a
second run writes nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter

from django.apps import apps as django_apps
from django.utils import timezone

from apprentices.models import Diploma
from core.models import AcademicYear, Organisation, User
from demo.diplomas import BTS, ING
from surveys import questionnaires, services
from surveys.models import (
    INSERTION_KINDS,
    INSERTION_MONTHS,
    Answer,
    Campaign,
    Kind,
    Question,
    Questionnaire,
    Response,
    Situation,
)
from surveys.populations import add_months, apprentices_of, leaving_contracts, population

YEARS = ("2024-2025", "2025-2026", "2026-2027")
ANSWER_SHARE = 0.75
SCALE_WEIGHTS = [4, 8, 22, 42, 24]  # 1 to 5
SITUATIONS = [
    (Situation.EMPLOYED, 72),
    (Situation.STUDIES, 14),
    (Situation.LOOKING, 10),
    (Situation.OTHER, 4),
]
COMMENTS = [
    "Plus de mises en situation concrètes en début de formation.",
    "Le livret en ligne simplifie vraiment les échanges avec l'école.",
    "Les périodes en entreprise sont parfois trop courtes pour mener un projet.",
    "Un grand merci à l'équipe pédagogique pour son suivi.",
    "Des visites en entreprise plus fréquentes en première année seraient utiles.",
]

# (kind, title, population, anonymous, days after the start of the year it opens, days open)
PER_DIPLOMA = [
    (Kind.SATISFACTION_APPRENTICE, "Satisfaction des apprentis", Campaign.Population.DIPLOMA, True, 75, 30),
    (Kind.SATISFACTION_EMPLOYER, "Satisfaction des employeurs", Campaign.Population.TUTORS, False, 75, 30),
    (Kind.END_APPRENTICE, "Fin de formation : les apprentis", Campaign.Population.LEAVERS, False, 330, 45),
    (
        Kind.END_TUTOR,
        "Fin de formation : les maîtres d'apprentissage",
        Campaign.Population.TUTORS,
        False,
        330,
        45,
    ),
]


class SurveySeeder:
    def __init__(self, today: datetime.date):
        self.today = today
        self.created = Counter()
        self.organisation = Organisation.objects.get(name="IMT Mines Albi")
        self.staff = User.objects.get(email="staff@demo.test")
        self.diplomas = list(Diploma.objects.filter(code__in=[ING, BTS]).order_by("code"))
        self.years = list(AcademicYear.objects.filter(label__in=YEARS).order_by("start_date"))

    def questionnaire(self, kind: str) -> Questionnaire:
        own = Questionnaire.objects.filter(organisation=self.organisation, kind=kind).order_by("pk").first()
        if own is None:
            template = Questionnaire.objects.get(organisation__isnull=True, kind=kind)
            own = services.copy_questionnaire(
                questionnaire=template, organisation=self.organisation, by=self.staff
            )
            self.created["questionnaires"] += 1
        return own

    def status(self, campaign: Campaign) -> None:
        if campaign.closes_on < self.today and campaign.status != Campaign.Status.CLOSED:
            services.close_campaign(campaign=campaign, by=None)

    def campaign(
        self, kind, title, population_, anonymous, year, diploma, opens_after, days
    ) -> Campaign | None:
        opens_on = year.start_date + datetime.timedelta(days=opens_after)
        if opens_on > self.today:
            return None
        full_title = f"{title} {diploma.code} {year.label}"
        campaign = Campaign.objects.filter(organisation=self.organisation, title=full_title).first()
        if campaign is None:
            campaign = services.create_campaign(
                organisation=self.organisation,
                by=self.staff,
                questionnaire=self.questionnaire(kind),
                title=full_title,
                population=population_,
                diploma=diploma,
                academic_year=year,
                opens_on=opens_on,
                closes_on=opens_on + datetime.timedelta(days=days),
                anonymous=anonymous,
            )
            Campaign.objects.filter(pk=campaign.pk).update(
                status=Campaign.Status.OPEN, opened_at=timezone.now()
            )
            campaign.refresh_from_db()
            self.created["campagnes"] += 1
            self.answer(campaign, population(campaign))
        self.status(campaign)
        return campaign

    def insertion(self, year: AcademicYear) -> None:
        for kind in INSERTION_KINDS:
            last_end = min(year.end_date, add_months(self.today, -INSERTION_MONTHS[kind]))
            if last_end < year.start_date:
                continue
            contracts = leaving_contracts(self.organisation.pk, year.start_date, last_end)
            if not contracts.exists():
                continue
            self.questionnaire(kind)
            campaign = services.automatic_campaign(self.organisation, kind, year, self.today)
            Campaign.objects.filter(pk=campaign.pk, opens_on__gt=year.end_date).update(
                opens_on=add_months(year.start_date, INSERTION_MONTHS[kind])
            )
            campaign.refresh_from_db()
            self.answer(campaign, apprentices_of(contracts))
            self.status(campaign)

    def answer(self, campaign: Campaign, people) -> None:
        """Invite the people not invited yet, mark their link sent, and let about three in four answer."""
        known = set(campaign.invitations.values_list("apprentice_id", "company_tutor_id"))
        new_people = [p for p in people if (p.apprentice_id, p.company_tutor_id) not in known]
        if not new_people:
            return
        services.invite(campaign, new_people, mail=False)
        questions = list(campaign.questionnaire.questions.all())
        fresh = campaign.invitations.filter(sent_at__isnull=True).order_by("pk")
        for invitation in fresh:
            rng = random.Random(f"{campaign.automatic_key or campaign.title}|{invitation.email}")
            sent = invitation.reference_date or campaign.opens_on
            if campaign.questionnaire.kind in INSERTION_KINDS and invitation.reference_date:
                sent = max(
                    campaign.opens_on,
                    add_months(invitation.reference_date, INSERTION_MONTHS[campaign.questionnaire.kind]),
                )
            sent = min(sent, self.today)
            invitation.sent_at = timezone.make_aware(datetime.datetime.combine(sent, datetime.time(9)))
            answering = rng.random() < ANSWER_SHARE
            answer_day = min(
                sent + datetime.timedelta(days=rng.randint(0, 12)), campaign.closes_on, self.today
            )
            if answering:
                invitation.answered_at = timezone.make_aware(
                    datetime.datetime.combine(answer_day, datetime.time(18))
                )
                self.response(campaign, invitation, questions, rng, answer_day)
            elif (self.today - sent).days >= 7:
                invitation.reminders_sent = 1
            invitation.save(update_fields=["sent_at", "answered_at", "reminders_sent"])
            self.created["invitations"] += 1

    def response(self, campaign, invitation, questions, rng, day) -> None:
        situation = rng.choices([s for s, _w in SITUATIONS], [w for _s, w in SITUATIONS])[0]
        insertion = campaign.questionnaire.kind in INSERTION_KINDS
        employed = insertion and situation == Situation.EMPLOYED
        answers, months = [], None
        for q in questions:
            if q.code == "situation":
                answers.append(Answer(question=q, text=situation))
            elif q.type == Question.Type.SCALE:
                answers.append(Answer(question=q, number=rng.choices(range(1, 6), SCALE_WEIGHTS)[0]))
            elif q.type == Question.Type.SINGLE and (q.required or employed):
                answers.append(Answer(question=q, text=rng.choice(q.options)["code"]))
            elif q.code == "first_job_date" and employed and invitation.reference_date:
                start = invitation.reference_date + datetime.timedelta(
                    days=rng.choice([0, 0, 20, 45, 90, 150])
                )
                start = min(start, day)
                answers.append(Answer(question=q, date=start))
                months = services.months_between(invitation.reference_date, start)
            elif q.type == Question.Type.TEXT and rng.random() < 0.4:
                answers.append(Answer(question=q, text=rng.choice(COMMENTS)))
        response = Response.objects.create(
            campaign=campaign,
            invitation=None if campaign.anonymous else invitation,
            submitted_on=None if campaign.anonymous else day,
            diploma_id=invitation.diploma_id,
            situation=situation if insertion else "",
            months_to_job=months,
        )
        for answer in answers:
            answer.response = response
        Answer.objects.bulk_create(answers)
        self.created["réponses"] += 1

    def run(self) -> dict:
        for year in self.years:
            if year.start_date > self.today:
                continue
            for diploma in self.diplomas:
                for kind, title, population_, anonymous, opens_after, days in PER_DIPLOMA:
                    self.campaign(kind, title, population_, anonymous, year, diploma, opens_after, days)
            self.insertion(year)
        return dict(self.created)


def seed_surveys(*, today: datetime.date) -> dict:
    # The national templates come with a migration; a database emptied since (a test's flush) has lost
    # them, and loading them again is a no-op where they are.
    questionnaires.load(django_apps)
    return SurveySeeder(today).run()
