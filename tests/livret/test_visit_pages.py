"""The company visits' pages: who sees what, what each may post, at a fixed cost; and the emailed link."""

import datetime
import re
from contextlib import nullcontext

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apprentices.models import Contract
from core.models import ActionLink, Signature
from core.workflow import links
from core.workflow.signatures import signatures_of
from livret.models import ActionItem, VisitReport
from livret.services import visits as services
from tests.apprentices.factories import LegalRepresentativeFactory
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.helpers import text_of
from tests.livret.factories import ActionItemFactory, VisitReportFactory
from tests.livret.visits_support import REPORT, snapshot

VisitStatus = VisitReport.Status
TODAY = timezone.localdate
PLANNERS = ("school_tutor", "staff", "admin")

# Every page starts with 3 queries: the session, the user, the user's roles.
LIST_QUERIES = 7  # + the count, the page of contracts, their visits, their open actions
CONTRACT_QUERIES = 6  # + the contract with its people, its visits, its actions
PLAN_QUERIES = 6  # + the contract, its visits, its open actions
LOG_QUERIES = 5  # + the visit with its contract and people, the contract's open actions
NOT_FOUND_QUERIES = 4  # + the object, not found
DETAIL_QUERIES = {
    # + the visit with its contract and people, its signatures, its actions
    **{role: 6 for role in ROLES},
    # + the audit trail
    "staff": 7,
    "admin": 7,
}
# No session: the visit with its people, the link (looked up twice: to whom, then for them), the
# signatures, the actions decided.
LINK_QUERIES = 5


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def add_history(contract, n):
    """``n`` held visits of ``contract``, each with two actions, one closed at the next visit."""
    visits = []
    for index in range(n):
        day = TODAY() - datetime.timedelta(days=10 * (n - index))
        visit = VisitReportFactory(
            contract=contract, planned_date=day, acknowledged=index % 2 == 0, reported=True
        )
        for _ in range(2):
            ActionItemFactory(opened_in=visit, due_date=day + datetime.timedelta(days=5))
        visits.append(visit)
    VisitReportFactory(contract=contract, cancelled=True)
    return visits


def add_contracts(world, role, n):
    """``n`` more contracts that ``role`` sees, each with a visit history."""
    visible = Contract.objects.visible_to(world.users[role])
    before = set(visible.values_list("pk", flat=True))
    grow(world, role, n)
    for contract in visible.exclude(pk__in=before).order_by("pk")[:n]:
        add_history(contract, 2)
        VisitReportFactory(contract=contract)


# The list --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", ROLES)
def test_visit_list_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    add_history(world.mine.contract, 2)
    add_contracts(world, role, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("livret:visit_list"))

    assert response.status_code == 200
    contracts = [entry["contract"] for entry in response.context["entries"]]
    assert world.mine.contract in contracts
    assert all(c.status == Contract.Status.ACTIVE for c in contracts)


@pytest.mark.parametrize("role", ROLES)
def test_visit_list_shows_only_the_contracts_the_role_sees_with_what_is_due(client, world, role):
    VisitReportFactory(contract=world.mine.contract, planned_date=TODAY() + datetime.timedelta(days=5))
    client.force_login(world.users[role])

    response = client.get(reverse("livret:visit_list"))

    contracts = {entry["contract"] for entry in response.context["entries"]}
    expected = (
        {world.mine.contract, world.other.contract} if role in ORGANISATION_WIDE else {world.mine.contract}
    )
    assert contracts == expected
    text = text_of(response)
    assert "Visite planifiée le" in text
    # The state of the next window is written, not only coloured.
    assert re.search(r"(En cours|À venir|Respectée|Manquée) Au moins 2 rencontres dans l'année", text)


# A contract's visits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", ROLES)
def test_contract_visits_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, role, extra
):
    add_history(world.mine.contract, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(CONTRACT_QUERIES):
        response = client.get(reverse("livret:contract_visits", args=[world.mine.contract.pk]))

    assert response.status_code == 200
    assert len(response.context["visits"]) == extra + 1
    assert len(response.context["open_actions"]) == 2 * extra
    assert response.context["can_plan"] is (role in PLANNERS)
    assert ("Planifier une visite" in text_of(response)) is (role in PLANNERS)


def test_contract_visits_marks_late_actions_and_names_each_window_state(client, world):
    visit = VisitReportFactory(
        contract=world.mine.contract, planned_date=TODAY() - datetime.timedelta(days=40), reported=True
    )
    ActionItemFactory(
        opened_in=visit, description="Action en retard", due_date=TODAY() - datetime.timedelta(days=1)
    )
    ActionItemFactory(
        opened_in=visit, description="Action à venir", due_date=TODAY() + datetime.timedelta(days=1)
    )
    client.force_login(world.users["school_tutor"])

    text = text_of(client.get(reverse("livret:contract_visits", args=[world.mine.contract.pk])))

    assert "Action en retard Apprenti" in text
    assert re.search(r"Action en retard .*? en retard Marquer comme faite", text)
    assert re.search(r"Action à venir .*? à faire Marquer comme faite", text)
    assert "Rencontre dans les deux mois suivant le début" in text
    assert "Manquée" in text  # the start window of a contract begun seven months ago, unmet


# Pages of someone else's contract or visit are not found ----------------------------------------------------

POST_VIEWS = ("visit_log", "visit_cancel", "visit_acknowledge")


@pytest.mark.parametrize("role", ROLES)
def test_someone_elses_contract_and_visit_are_not_found_on_get_and_post(
    client, world, django_assert_num_queries, role
):
    chains = [world.foreign] + ([] if role in ORGANISATION_WIDE else [world.other])
    visits = [VisitReportFactory(contract=chain.contract) for chain in chains]
    reported = [
        VisitReportFactory(contract=chain.contract, reported=True, planned_date=TODAY()) for chain in chains
    ]
    actions = [ActionItemFactory(opened_in=visit) for visit in reported]
    before = snapshot(*visits, *reported)
    client.force_login(world.users[role])

    for chain, visit, done, action in zip(chains, visits, reported, actions, strict=True):
        for name in ("contract_visits", "visit_plan"):
            with django_assert_num_queries(NOT_FOUND_QUERIES):
                assert client.get(reverse(f"livret:{name}", args=[chain.contract.pk])).status_code == 404
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            assert client.get(visit.get_absolute_url()).status_code == 404
        assert client.get(reverse("livret:visit_log", args=[visit.pk])).status_code == 404
        assert (
            client.post(
                reverse("livret:visit_plan", args=[chain.contract.pk]),
                {"planned_date": TODAY(), "mode": "on_site"},
            ).status_code
            == 404
        )
        for name in POST_VIEWS:
            target = done if name == "visit_acknowledge" else visit
            response = client.post(
                reverse(f"livret:{name}", args=[target.pk]),
                {**REPORT, "reason": "x", "held_on": TODAY(), "mode": "on_site"},
            )
            assert response.status_code == 404, name
        assert (
            client.post(reverse("livret:action_close", args=[action.pk]), {"done_on": TODAY()}).status_code
            == 404
        )

    assert snapshot(*visits, *reported) == before


@pytest.mark.parametrize(
    "view",
    ["visit_list", "contract_visits", "visit_plan", "visit_detail", "visit_log", *POST_VIEWS, "action_close"],
)
def test_pages_ask_anonymous_people_to_log_in(client, world, view):
    visit = VisitReportFactory(contract=world.mine.contract)
    args = {
        "visit_list": [],
        "contract_visits": [world.mine.contract.pk],
        "visit_plan": [world.mine.contract.pk],
        "action_close": [
            ActionItemFactory(opened_in=VisitReportFactory(contract=world.mine.contract, reported=True)).pk
        ],
    }.get(view, [visit.pk])

    response = (
        client.post(reverse(f"livret:{view}", args=args))
        if view in (*POST_VIEWS, "action_close")
        else client.get(reverse(f"livret:{view}", args=args))
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Planning ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", PLANNERS)
def test_plan_page_lists_the_open_actions_at_a_fixed_cost(
    client, world, django_assert_num_queries, role, extra
):
    add_history(world.mine.contract, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(PLAN_QUERIES):
        response = client.get(reverse("livret:visit_plan", args=[world.mine.contract.pk]))

    assert response.status_code == 200
    assert len(response.context["open_actions"]) == 2 * extra
    assert "is_start_meeting" in response.context["form"].fields


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "head_of_diploma"])
def test_plan_page_is_not_found_for_who_may_not_plan(client, world, role):
    client.force_login(world.users[role])

    assert client.get(reverse("livret:visit_plan", args=[world.mine.contract.pk])).status_code == 404
    response = client.post(
        reverse("livret:visit_plan", args=[world.mine.contract.pk]),
        {"planned_date": TODAY(), "mode": "on_site"},
    )
    assert response.status_code == 404
    assert not VisitReport.objects.exists()


def test_planning_from_the_page_opens_the_visit(client, world):
    client.force_login(world.users["school_tutor"])
    day = TODAY() + datetime.timedelta(days=7)

    response = client.post(
        reverse("livret:visit_plan", args=[world.mine.contract.pk]),
        {"planned_date": day.isoformat(), "mode": "video", "is_start_meeting": "on"},
    )

    visit = VisitReport.objects.get()
    assert response["Location"] == visit.get_absolute_url()
    assert (visit.planned_date, visit.mode, visit.is_start_meeting) == (day, "video", True)
    assert messages_of(response) == [
        f"Visite planifiée le {day:%d/%m/%Y}. Après la rencontre, rédigez son compte rendu ici."
    ]


def test_plan_page_no_longer_offers_a_second_start_meeting_and_the_service_refuses_it(client, world):
    VisitReportFactory(contract=world.mine.contract, is_start_meeting=True)
    client.force_login(world.users["school_tutor"])
    url = reverse("livret:visit_plan", args=[world.mine.contract.pk])

    assert "is_start_meeting" not in client.get(url).context["form"].fields
    response = client.post(
        url, {"planned_date": TODAY().isoformat(), "mode": "on_site", "is_start_meeting": "on"}
    )
    assert response.status_code == 302
    assert (
        not VisitReport.objects.filter(is_start_meeting=True)
        .exclude(pk=VisitReport.objects.order_by("pk").first().pk)
        .exists()
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"planned_date": "", "mode": "on_site"}, "Ce champ est obligatoire."),
        ({"planned_date": "31/02/2026", "mode": "on_site"}, "Saisissez une date valide (jj/mm/aaaa)."),
        ({"planned_date": "today", "mode": "bicyclette"}, "Choisissez une modalité de la liste."),
        ({"planned_date": "long_ago", "mode": "on_site"}, "Le contrat commence le"),
    ],
)
def test_a_malformed_plan_is_shown_again_with_a_french_message(client, world, data, message):
    client.force_login(world.users["school_tutor"])
    data = dict(data)
    if data["planned_date"] == "today":
        data["planned_date"] = TODAY().isoformat()
    elif data["planned_date"] == "long_ago":
        data["planned_date"] = (world.mine.contract.start_date - datetime.timedelta(days=1)).isoformat()

    response = client.post(reverse("livret:visit_plan", args=[world.mine.contract.pk]), data)

    assert response.status_code == 200
    assert message in text_of(response)
    assert not VisitReport.objects.exists()


# The visit --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", ROLES)
def test_visit_detail_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    earlier = add_history(world.mine.contract, extra)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    ActionItem.objects.filter(opened_in=earlier[0]).update(closed_in=visit, done_on=TODAY())
    ActionItemFactory(opened_in=visit)
    client.force_login(world.users[role])

    with django_assert_num_queries(DETAIL_QUERIES[role]):
        response = client.get(visit.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["opened_here"]) == 1
    assert len(response.context["closed_here"]) == 2
    assert len(response.context["carried"]) == 2 * (extra - 1)
    assert "Missions en phase avec le bloc" in text_of(response)
    assert [s.act for s in response.context["signatures"]] == ["report"]


def test_visit_detail_of_a_minor_asks_their_legal_representatives_too(
    client, world, django_assert_num_queries
):
    apprentice = world.mine.apprentice
    apprentice.birth_date = TODAY().replace(year=TODAY().year - 16)
    apprentice.save()
    parent = LegalRepresentativeFactory(apprentice=apprentice)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    client.force_login(world.users["apprentice"])

    with django_assert_num_queries(DETAIL_QUERIES["apprentice"] + 1):  # + the legal representatives
        response = client.get(visit.get_absolute_url())

    assert [item["reader"].email for item in response.context["reading"]][-1] == parent.email.lower()
    assert f"{parent} (représentant légal) : pas encore" in text_of(response)


@pytest.mark.parametrize(
    ("status", "role", "offer"),
    [
        (VisitStatus.PLANNED, "school_tutor", "can_log"),
        (VisitStatus.PLANNED, "staff", "cancel_form"),
        (VisitStatus.REPORTED, "apprentice", "can_acknowledge"),
        (VisitStatus.REPORTED, "company_tutor", "can_acknowledge"),
    ],
)
def test_visit_detail_offers_the_next_step_to_whom_it_falls(client, world, status, role, offer):
    traits = {VisitStatus.PLANNED: {}, VisitStatus.REPORTED: {"reported": True}}[status]
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), **traits)
    allowed = PLANNERS if status == VisitStatus.PLANNED else ("apprentice", "company_tutor")

    for other in ROLES:
        client.force_login(world.users[other])
        assert bool(client.get(visit.get_absolute_url()).context[offer]) is (other in allowed), other
    client.force_login(world.users[role])
    assert client.get(visit.get_absolute_url()).context[offer]


def test_who_has_acknowledged_is_no_longer_offered_to_and_a_second_post_changes_nothing(client, world):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    client.force_login(world.users["apprentice"])
    url = reverse("livret:visit_acknowledge", args=[visit.pk])

    first = client.post(url)
    assert messages_of(first) == ["Merci : votre prise de connaissance du compte rendu est enregistrée."]
    assert client.get(visit.get_absolute_url()).context["can_acknowledge"] is False
    before = snapshot(visit)
    second = client.post(url)

    assert messages_of(second) == ["Vous avez déjà pris connaissance de ce compte rendu."]
    assert snapshot(visit) == before


REFUSED_POSTS = [
    # (state, role, view, data, message)
    (
        VisitStatus.PLANNED,
        "apprentice",
        "visit_cancel",
        {"reason": "Non."},
        "Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA annulent ses visites.",
    ),
    (
        VisitStatus.PLANNED,
        "school_tutor",
        "visit_cancel",
        {"reason": ""},
        "Indiquez pourquoi la visite est annulée.",
    ),
    (
        VisitStatus.PLANNED,
        "school_tutor",
        "visit_cancel",
        {"reason": "x" * 301},
        "Ce texte dépasse 300 caractères.",
    ),
    (
        VisitStatus.REPORTED,
        "school_tutor",
        "visit_cancel",
        {"reason": "Trop tard."},
        "Seule une visite planifiée peut être annulée.",
    ),
    (
        VisitStatus.REPORTED,
        "school_tutor",
        "visit_acknowledge",
        {},
        "Seuls l'apprenti et son maître d'apprentissage prennent connaissance du compte rendu.",
    ),
    (
        VisitStatus.REPORTED,
        "head_of_diploma",
        "visit_acknowledge",
        {},
        "Seuls l'apprenti et son maître d'apprentissage prennent connaissance du compte rendu.",
    ),
    (
        VisitStatus.PLANNED,
        "apprentice",
        "visit_acknowledge",
        {},
        "Le compte rendu de cette visite n'est pas encore rédigé.",
    ),
]


@pytest.mark.parametrize(
    ("state", "role", "view", "data", "message"),
    REFUSED_POSTS,
    ids=[f"{v}-{s}-{r}-{i}" for i, (s, r, v, _d, _m) in enumerate(REFUSED_POSTS)],
)
def test_refused_post_redirects_to_the_visit_with_a_french_message_and_changes_nothing(
    client, world, state, role, view, data, message
):
    traits = {VisitStatus.PLANNED: {}, VisitStatus.REPORTED: {"reported": True}}[state]
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), **traits)
    before = snapshot(visit)
    client.force_login(world.users[role])

    response = client.post(reverse(f"livret:{view}", args=[visit.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == visit.get_absolute_url()
    assert messages_of(response) == [message]
    assert snapshot(visit) == before


def test_cancelling_from_the_page_keeps_the_reason(client, world):
    visit = VisitReportFactory(contract=world.mine.contract)
    client.force_login(world.users["school_tutor"])

    response = client.post(reverse("livret:visit_cancel", args=[visit.pk]), {"reason": "Entreprise fermée."})

    visit.refresh_from_db()
    assert messages_of(response) == ["Visite annulée."]
    assert (visit.status, visit.cancel_reason) == (VisitStatus.CANCELLED, "Entreprise fermée.")
    assert "Visite annulée : Entreprise fermée." in text_of(client.get(visit.get_absolute_url()))


# The report form --------------------------------------------------------------------------------------------


def log_data(**overrides):
    data = {
        "held_on": TODAY().isoformat(),
        "mode": "on_site",
        "apprentice_present": "on",
        "company_tutor_present": "on",
        "other_participants": "",
        **REPORT,
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "10",
    }
    for index in range(3):
        data.update(
            {
                f"actions-{index}-description": "",
                f"actions-{index}-owner": "",
                f"actions-{index}-due_date": "",
            }
        )
    data.update(overrides)
    return data


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", PLANNERS)
def test_log_form_offers_every_open_action_at_a_fixed_cost(
    client, world, django_assert_num_queries, role, extra
):
    add_history(world.mine.contract, extra)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    client.force_login(world.users[role])

    with django_assert_num_queries(LOG_QUERIES):
        response = client.get(reverse("livret:visit_log", args=[visit.pk]))

    assert response.status_code == 200
    assert len(response.context["close_choices"]) == 2 * extra
    assert "legal_representative_present" not in response.context["form"].fields
    assert text_of(response).count("Faite :") == 2 * extra


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "head_of_diploma"])
def test_log_form_is_not_found_for_who_may_not_log(client, world, role):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    before = snapshot(visit)
    client.force_login(world.users[role])

    assert client.get(reverse("livret:visit_log", args=[visit.pk])).status_code == 404
    assert client.post(reverse("livret:visit_log", args=[visit.pk]), log_data()).status_code == 404
    assert snapshot(visit) == before


def test_log_form_of_a_minor_asks_about_the_legal_representative(client, world):
    apprentice = world.mine.apprentice
    apprentice.birth_date = TODAY().replace(year=TODAY().year - 16)
    apprentice.save()
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    client.force_login(world.users["school_tutor"])

    response = client.get(reverse("livret:visit_log", args=[visit.pk]))

    assert "legal_representative_present" in response.context["form"].fields
    assert "Le représentant légal" in text_of(response)


def test_log_form_of_a_visit_already_reported_goes_back_to_the_visit(client, world):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    client.force_login(world.users["school_tutor"])

    response = client.get(reverse("livret:visit_log", args=[visit.pk]))

    assert response["Location"] == visit.get_absolute_url()
    assert messages_of(response) == [
        "Le compte rendu de cette visite est déjà partagé : il ne se modifie plus."
    ]


def test_logging_from_the_form_closes_the_ticked_actions_and_opens_the_new_ones(
    client, world, django_capture_on_commit_callbacks
):
    earlier = VisitReportFactory(
        contract=world.mine.contract, planned_date=TODAY() - datetime.timedelta(days=60), reported=True
    )
    done, kept = ActionItemFactory(opened_in=earlier), ActionItemFactory(opened_in=earlier)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    client.force_login(world.users["school_tutor"])
    due = (TODAY() + datetime.timedelta(days=20)).isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("livret:visit_log", args=[visit.pk]),
            log_data(
                close_actions=[done.pk],
                **{
                    "actions-0-description": "Préciser le sujet du projet",
                    "actions-0-owner": "company_tutor",
                    "actions-0-due_date": due,
                    "actions-2-description": "Suivre la formation ERP",
                    "actions-2-owner": "apprentice",
                    "actions-2-due_date": due,
                },
            ),
        )

    assert response["Location"] == visit.get_absolute_url()
    visit.refresh_from_db()
    done.refresh_from_db()
    kept.refresh_from_db()
    assert visit.status == VisitStatus.REPORTED
    assert (done.closed_in, done.done_on, kept.done_on) == (visit, TODAY(), None)
    assert sorted(visit.actions_opened.values_list("description", flat=True)) == [
        "Préciser le sujet du projet",
        "Suivre la formation ERP",
    ]
    assert [m.to for m in mail.outbox] == [[world.mine.company_tutor.email.lower()]]
    page = text_of(client.get(visit.get_absolute_url()))
    assert "Préciser le sujet du projet" in page
    # The next visit's form offers what is still open, the two new actions and the one kept.
    following = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    choices = client.get(reverse("livret:visit_log", args=[following.pk])).context["close_choices"]
    assert sorted(c["action"].description for c in choices) == sorted(
        ["Préciser le sujet du projet", "Suivre la formation ERP", kept.description]
    )


BAD_LOGS = [
    (
        {"integration": "", "missions_adequacy": "", "progress": "", "difficulties": ""},
        "Remplissez au moins une rubrique du compte rendu",
    ),
    ({"progress": "x" * 5001}, "Ce texte dépasse 5000 caractères."),
    ({"held_on": "2026-13-45"}, "Saisissez une date valide (jj/mm/aaaa)."),
    ({"held_on": "tomorrow"}, "La rencontre ne peut pas être dans le futur : planifiez-la plutôt."),
    ({"mode": "pigeon"}, "Choisissez une modalité de la liste."),
    ({"actions-0-description": "Faire le point"}, "Choisissez son responsable."),
    (
        {"actions-0-owner": "nobody", "actions-0-description": "Faire le point"},
        "Sélectionnez un choix valide.",
    ),
    ({"close_actions": ["999999"]}, "Une action cochée n'est plus ouverte : rechargez la page."),
    ({"actions-TOTAL_FORMS": "50"}, "Veuillez soumettre au plus 10 formulaires."),
    (
        {"actions-TOTAL_FORMS": "abc"},
        "Des données du formulaire ManagementForm sont manquantes ou ont été manipulées.",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_LOGS, ids=[f"bad-{i}" for i in range(len(BAD_LOGS))])
def test_a_bad_or_malformed_report_is_shown_again_with_a_french_message_and_changes_nothing(
    client, world, overrides, message
):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    before = snapshot(visit)
    client.force_login(world.users["school_tutor"])
    overrides = dict(overrides)
    if overrides.get("held_on") == "tomorrow":
        overrides["held_on"] = (TODAY() + datetime.timedelta(days=1)).isoformat()

    response = client.post(reverse("livret:visit_log", args=[visit.pk]), log_data(**overrides))

    assert response.status_code == 200
    assert message in text_of(response), text_of(response)[:3000]
    assert snapshot(visit) == before


def test_an_oversized_submission_is_refused(client, world):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    before = snapshot(visit)
    client.force_login(world.users["school_tutor"])

    response = client.post(
        reverse("livret:visit_log", args=[visit.pk]),
        log_data(progress="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)),
    )

    assert response.status_code == 400
    assert snapshot(visit) == before


# Closing an action ------------------------------------------------------------------------------------------


def test_closing_an_action_from_the_contract_page(client, world):
    action = ActionItemFactory(
        opened_in=VisitReportFactory(
            contract=world.mine.contract, planned_date=TODAY() - datetime.timedelta(days=5), reported=True
        )
    )
    client.force_login(world.users["school_tutor"])

    response = client.post(reverse("livret:action_close", args=[action.pk]), {"done_on": TODAY().isoformat()})

    assert response["Location"] == reverse("livret:contract_visits", args=[world.mine.contract.pk])
    assert messages_of(response) == [f"Action close : « {action.description} »."]
    action.refresh_from_db()
    assert action.done_on == TODAY()


@pytest.mark.parametrize(
    ("role", "data", "message"),
    [
        (
            "apprentice",
            {"done_on": "today"},
            "Seuls le tuteur pédagogique de l'apprenti et l'équipe du CFA closent ses actions.",
        ),
        ("school_tutor", {"done_on": "demain"}, "Saisissez une date valide (jj/mm/aaaa)."),
        ("school_tutor", {"done_on": "tomorrow"}, "Une action ne peut être faite dans le futur."),
    ],
)
def test_closing_an_action_is_refused_with_a_french_message(client, world, role, data, message):
    visit = VisitReportFactory(
        contract=world.mine.contract, planned_date=TODAY() - datetime.timedelta(days=5), reported=True
    )
    action = ActionItemFactory(opened_in=visit)
    before = snapshot(visit)
    client.force_login(world.users[role])
    day = {"today": TODAY(), "tomorrow": TODAY() + datetime.timedelta(days=1)}.get(data["done_on"])

    response = client.post(
        reverse("livret:action_close", args=[action.pk]),
        {"done_on": day.isoformat() if day else data["done_on"]},
    )

    assert messages_of(response) == [message]
    assert snapshot(visit) == before


# The emailed link -------------------------------------------------------------------------------------------


def link_url(visit, token):
    return reverse("livret:visit_link", args=[visit.pk, token])


def issue(visit, email, **kwargs):
    return links.issue(
        document=visit, action=ActionLink.Action.ACKNOWLEDGE, email=email, name="Quelqu'un", **kwargs
    )


@pytest.fixture
def shared(world):
    """A reported visit, with an action decided, and a fresh link for its company tutor."""
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    ActionItemFactory(opened_in=visit, description="Préciser le sujet du projet")
    link, token = issue(visit, world.mine.company_tutor.email)
    return visit, link, token


def assert_not_logged_in(client):
    assert "_auth_user_id" not in client.session
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_valid_link_shows_the_report_alone_and_the_one_action(client, shared, django_assert_num_queries):
    visit, _link, token = shared

    with django_assert_num_queries(LINK_QUERIES):
        response = client.get(link_url(visit, token))

    assert response.status_code == 200
    text = text_of(response)
    assert "Missions en phase avec le bloc" in text
    assert "Préciser le sujet du projet" in text
    assert "J'ai pris connaissance du compte rendu" in text
    assert "Toutes les visites du contrat" not in text
    assert_not_logged_in(client)


def test_posting_the_link_acknowledges_with_the_link_once(client, world, shared):
    visit, link, token = shared

    response = client.post(link_url(visit, token))

    assert response.status_code == 200
    assert "Merci, votre prise de connaissance est enregistrée" in text_of(response)
    link.refresh_from_db()
    assert link.used_at is not None
    signature = visit_signature(visit)
    assert (signature.via, signature.signer_email) == ("link", world.mine.company_tutor.email.lower())
    assert signature.content_sha256 in text_of(response)
    assert_not_logged_in(client)
    before = snapshot(visit)
    again = client.post(link_url(visit, token))
    assert again.status_code == 410
    assert "Ce lien a déjà servi" in text_of(again)
    assert "M'envoyer un nouveau lien" not in text_of(again)
    assert snapshot(visit) == before


def visit_signature(visit):
    return signatures_of(visit).get(act=Signature.Act.ACKNOWLEDGE)


def test_a_legal_representative_of_a_minor_acknowledges_from_their_link(client, world):
    apprentice = world.mine.apprentice
    apprentice.birth_date = TODAY().replace(year=TODAY().year - 16)
    apprentice.save()
    parent = LegalRepresentativeFactory(apprentice=apprentice)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    _link, token = issue(visit, parent.email)

    assert f"Bonjour {parent}" in text_of(client.get(link_url(visit, token)))
    assert client.post(link_url(visit, token)).status_code == 200

    assert visit_signature(visit).signer_email == parent.email.lower()


def test_a_link_after_acknowledging_from_the_session_says_it_has_served(client, world, shared):
    visit, _link, token = shared
    services.acknowledge(visit=visit, by=world.users["company_tutor"])
    before = snapshot(visit)

    response = client.post(link_url(visit, token))

    assert response.status_code == 410
    assert "Ce lien a déjà servi" in text_of(response)
    assert snapshot(visit) == before


def tamper(token):
    return token[:-2] + ("xy" if token[-2:] != "xy" else "yz")


BAD_LINKS = {
    "expired": (410, "Ce lien a expiré.", True),
    "tampered": (400, "Ce lien est incomplet ou a été modifié : il ne peut pas être utilisé.", True),
    "other document": (400, "Ce lien ne correspond pas à ce document ou à son destinataire actuel.", True),
    "other person": (400, "Ce lien ne correspond pas à ce document ou à son destinataire actuel.", True),
}
# The visit, then the link as far as it goes: none for a broken signature, once to learn its
# recipient, once more for a recipient who may act.
BAD_LINK_QUERIES = {"expired": 3, "tampered": 1, "other document": 3, "other person": 2}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("case", list(BAD_LINKS))
def test_an_unusable_link_says_why_in_french_offers_a_fresh_one_and_changes_nothing(
    client, world, shared, django_assert_num_queries, case, method
):
    visit, link, token = shared
    target = visit
    if case == "expired":
        link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
        link.save(update_fields=["expires_at"])
    elif case == "tampered":
        token = tamper(token)
    elif case == "other document":
        target = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    else:
        _other, token = issue(visit, "intrus@ailleurs.test")
    status, message, resend = BAD_LINKS[case]
    before = snapshot(visit, target)

    counted = django_assert_num_queries(BAD_LINK_QUERIES[case]) if method == "get" else nullcontext()
    with counted:
        response = getattr(client, method)(link_url(target, token))

    assert response.status_code == status
    assert message in text_of(response)
    assert ("M'envoyer un nouveau lien" in text_of(response)) is resend
    assert snapshot(visit, target) == before
    assert_not_logged_in(client)


def test_a_link_to_an_unknown_visit_is_not_found(client, shared):
    visit, _link, token = shared

    assert client.get(link_url(visit, token).replace(f"/{visit.pk}/", "/999999/")).status_code == 404


# A fresh link -----------------------------------------------------------------------------------------------


def resend_url(visit, token):
    return reverse("livret:visit_link_resend", args=[visit.pk, token])


def test_a_fresh_link_is_mailed_to_the_address_on_file_and_works(
    client, world, shared, django_capture_on_commit_callbacks
):
    visit, link, token = shared
    link.created_at = link.expires_at = timezone.now() - datetime.timedelta(days=1)
    link.save(update_fields=["created_at", "expires_at"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(visit, token))

    assert "Demande enregistrée" in text_of(response)
    (message,) = mail.outbox
    assert message.to == [world.mine.company_tutor.email.lower()]
    url = re.search(r"https?://\S+", message.body).group(0).removeprefix(settings.SITE_URL)
    assert client.post(url).status_code == 200
    assert_not_logged_in(client)


def test_a_fresh_link_of_a_legal_representative_goes_to_them(
    client, world, django_capture_on_commit_callbacks
):
    apprentice = world.mine.apprentice
    apprentice.birth_date = TODAY().replace(year=TODAY().year - 16)
    apprentice.save()
    parent = LegalRepresentativeFactory(apprentice=apprentice)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    link, token = issue(visit, parent.email)
    link.created_at = link.expires_at = timezone.now() - datetime.timedelta(days=1)
    link.save(update_fields=["created_at", "expires_at"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(resend_url(visit, token))

    assert [m.to for m in mail.outbox] == [[parent.email.lower()]]


@pytest.mark.parametrize("case", ["tampered", "acknowledged", "twice", "planned"])
def test_no_fresh_link_is_mailed_otherwise_and_the_answer_is_the_same(
    client, world, shared, django_capture_on_commit_callbacks, case
):
    visit, link, token = shared
    link.created_at = timezone.now() - datetime.timedelta(hours=1)
    link.save(update_fields=["created_at"])
    with django_capture_on_commit_callbacks(execute=True):
        genuine = text_of(client.post(resend_url(visit, token)))
    mail.outbox.clear()
    if case == "tampered":
        token = tamper(token)
    elif case == "acknowledged":
        services.acknowledge(visit=visit, by=world.users["company_tutor"])
    elif case == "planned":
        visit = VisitReportFactory(contract=world.mine.contract)
        _link, token = issue(visit, world.mine.company_tutor.email)
    # "twice": the fresh link above was mailed less than ten minutes ago.

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(visit, token))

    assert response.status_code == 200
    assert mail.outbox == []
    assert text_of(response) == genuine
