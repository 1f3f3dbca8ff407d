"""The surveys' pages: for the CFA's team, questionnaires, campaigns and their results (page, PDF,
CSV of free texts) and a diploma's results; for an invited person, the answer page of their link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apprentices.models import Diploma
from core.models import AcademicYear
from core.pdf import attachment, pdf_filename, render_pdf
from core.submissions import submitted_once
from core.workflow import REFUSALS, Refusal, refuse
from core.workflow.links import LinkError
from surveys import links, perms, selectors, services
from surveys.exports import free_text_response
from surveys.forms import AnswerForm, CampaignForm, NationalRateForm, QuestionForm, QuestionnaireForm
from surveys.models import Question, Questionnaire


def _require_manager(user) -> None:
    if not perms.manages_surveys(user):
        raise Http404


def _campaign(request, pk):
    _require_manager(request.user)
    return get_object_or_404(selectors.campaign_queryset().visible_to(request.user), pk=pk)


def _own_questionnaire(request, pk) -> Questionnaire:
    _require_manager(request.user)
    return get_object_or_404(Questionnaire.objects.visible_to(request.user), pk=pk)


@login_required
def campaign_list(request):
    _require_manager(request.user)
    campaigns = list(selectors.campaign_queryset().visible_to(request.user).order_by("-opens_on", "-pk"))
    rates = selectors.response_rates(campaigns)
    rows = [
        {"campaign": c, **rates.get(c.pk, {"invited": 0, "answered": 0, "rate": None})} for c in campaigns
    ]
    return render(request, "surveys/campaign_list.html", {"rows": rows})


@login_required
def questionnaire_list(request):
    _require_manager(request.user)
    questionnaires = Questionnaire.objects.visible_to(request.user).order_by("organisation_id", "title", "pk")
    return render(
        request,
        "surveys/questionnaire_list.html",
        {
            "templates": [q for q in questionnaires if q.is_template],
            "own": [q for q in questionnaires if not q.is_template],
        },
    )


@login_required
@submitted_once
def questionnaire_create(request):
    _require_manager(request.user)
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        questionnaire = services.create_questionnaire(
            organisation=request.user.organisation, by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Questionnaire créé : ajoutez ses questions."))
        return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return render(
        request,
        "surveys/form.html",
        {"form": form, "title": _("Nouveau questionnaire"), "cancel_url": "surveys:questionnaire_list"},
        status=400 if form.errors else 200,
    )


@login_required
def questionnaire_detail(request, pk):
    questionnaire = _own_questionnaire(request, pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_question(
                    questionnaire=questionnaire,
                    by=request.user,
                    text=data["text"],
                    type=data["type"],
                    required=data["required"],
                    options=data["option_lines"],
                    help_text=data["help_text"],
                )
            except Refusal as error:
                refuse(request, error)
            else:
                messages.success(request, _("Question ajoutée."))
            return redirect("surveys:questionnaire_detail", questionnaire.pk)
    questions = list(questionnaire.questions.all())
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {"questionnaire": questionnaire, "questions": questions, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def questionnaire_copy(request, pk):
    questionnaire = _own_questionnaire(request, pk)
    copy = services.copy_questionnaire(
        questionnaire=questionnaire, organisation=request.user.organisation, by=request.user
    )
    messages.success(request, _("Questionnaire copié : vous pouvez l'adapter."))
    return redirect("surveys:questionnaire_detail", copy.pk)


@login_required
@require_POST
def question_delete(request, pk):
    _require_manager(request.user)
    question = get_object_or_404(
        Question.objects.filter(questionnaire__in=Questionnaire.objects.visible_to(request.user)), pk=pk
    )
    try:
        services.delete_question(question=question, by=request.user)
    except Refusal as error:
        refuse(request, error)
    else:
        messages.success(request, _("Question supprimée."))
    return redirect("surveys:questionnaire_detail", question.questionnaire_id)


@login_required
@submitted_once
def campaign_create(request):
    _require_manager(request.user)
    today = timezone.localdate()
    initial = {"academic_year": AcademicYear.objects.current(), "opens_on": today}
    form = CampaignForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        campaign = services.create_campaign(
            organisation=request.user.organisation, by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Campagne préparée : ouvrez-la pour envoyer les liens."))
        return redirect("surveys:campaign_detail", campaign.pk)
    return render(
        request,
        "surveys/form.html",
        {"form": form, "title": _("Nouvelle campagne d'enquête"), "cancel_url": "surveys:campaign_list"},
        status=400 if form.errors else 200,
    )


@login_required
def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    return render(
        request,
        "surveys/campaign_detail.html",
        {"campaign": campaign, "results": selectors.results(campaign)},
    )


@login_required
@require_POST
def campaign_open(request, pk):
    campaign = _campaign(request, pk)
    try:
        invited = services.open_campaign(campaign=campaign, by=request.user)
    except REFUSALS as error:
        refuse(request, error)
    else:
        messages.success(
            request,
            _("Campagne ouverte : %(n)s personnes invitées, chacune reçoit son lien.") % {"n": invited},
        )
    return redirect(campaign)


@login_required
@require_POST
def campaign_close(request, pk):
    campaign = _campaign(request, pk)
    if services.close_campaign(campaign=campaign, by=request.user):
        messages.success(request, _("Campagne close : ses liens ne permettent plus de répondre."))
    else:
        messages.info(request, _("Cette campagne était déjà close : rien n'a changé."))
    return redirect(campaign)


@login_required
def campaign_texts_csv(request, pk):
    campaign = _campaign(request, pk)
    return free_text_response(campaign)


@login_required
def campaign_pdf(request, pk):
    campaign = _campaign(request, pk)
    results = selectors.results(campaign)
    data = render_pdf(
        "surveys/pdf/campaign.html",
        {"campaign": campaign, "results": results},
        title=_("Résultats de l'enquête"),
        subject=campaign.title,
        author=campaign.organisation.name,
        by=request.user,
    )
    return attachment(data, pdf_filename("enquete", campaign.pk, campaign.academic_year.label))


@login_required
def diploma_results(request, pk):
    _require_manager(request.user)
    diploma = get_object_or_404(
        Diploma.objects.filter(organisation_id=request.user.organisation_id).select_related("organisation"),
        pk=pk,
    )
    form = NationalRateForm(request.POST or None, initial={"academic_year": AcademicYear.objects.current()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_national_rate(
            diploma=diploma,
            academic_year=data["academic_year"],
            by=request.user,
            insertion_6=data["insertion_6"],
            insertion_12=data["insertion_12"],
        )
        messages.success(request, _("Taux nationaux InserJeunes enregistrés."))
        return redirect("surveys:diploma_results", diploma.pk)
    campaigns = list(
        selectors.campaign_queryset()
        .visible_to(request.user)
        .filter(invitations__diploma=diploma)
        .distinct()
        .order_by("-opens_on", "-pk")
    )
    rates = selectors.response_rates(campaigns, diploma_id=diploma.pk)
    return render(
        request,
        "surveys/diploma_results.html",
        {
            "diploma": diploma,
            "rows": [{"campaign": c, **rates[c.pk]} for c in campaigns if c.pk in rates],
            "insertion": selectors.insertion_table(diploma),
            "form": form,
            "min_population": selectors.MIN_PUBLISHED_POPULATION,
        },
        status=400 if form.errors else 200,
    )


# The answer page of a personal link ---------------------------------------------------------------


def _invalid(request, error: LinkError):
    return render(request, "surveys/answer_invalid.html", {"error": error}, status=error.status)


def answer(request, pk, token):
    try:
        invitation = links.resolve(pk, token)
    except LinkError as error:
        return _invalid(request, error)
    campaign = invitation.campaign
    questions = list(campaign.questionnaire.questions.all())
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit(pk=pk, token=token, values=form.values())
        except LinkError as error:
            return _invalid(request, error)
        except Refusal as error:
            form.add_error(None, error.message)
        else:
            return render(request, "surveys/answer_done.html", {"campaign": campaign})
    return render(
        request,
        "surveys/answer.html",
        {"invitation": invitation, "campaign": campaign, "form": form, "questions": form.bound_questions()},
        status=400 if form.errors else 200,
    )
