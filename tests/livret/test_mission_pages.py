"""The mission description's pages: what each role sees, what it may post, and at what cost."""

import datetime
import json
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from apprentices.models import Contract
from core.models import AuditEvent, Signature
from livret import selectors
from livret.models import MissionDecision, MissionDescription
from livret.services import missions as services
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.helpers import text_of
from tests.livret.factories import MISSION_TEXT, MissionDescriptionFactory, mission_in, mission_snapshot

MissionStatus = MissionDescription.Status
POST_VIEWS = ("mission_save", "mission_validate", "mission_return", "mission_correct")
NEW_TEXT = {**MISSION_TEXT, "missions": "Pilotage du projet de réimplantation de l'atelier."}

# Every page starts with 3 queries: the session, the user, the user's roles.
LIST_QUERIES = {
    # + the count and the page of descriptions, the choices of the filters (diplomas, cohorts,
    # employers, school tutors, academic years)
    "school_tutor": 10,
    "staff": 10,
    "admin": 10,
    # + the descriptions waiting for the head
    "head_of_diploma": 11,
    # + the academic year, the contracts still to describe
    "apprentice": 12,
    "company_tutor": 12,
}
# + the description with its contract and people, the diploma's heads, the versions, the decisions,
# the signatures
DETAIL_QUERIES = {role: 8 for role in ROLES} | {"staff": 9, "admin": 9}  # + the audit trail
NOT_FOUND_QUERIES = 4  # + the description, not found


@pytest.fixture(autouse=True)
def _content_types_cached(db):
    """Signatures and the audit trail look up the description's content type: Django caches it for
    the process; warm it so that every count is the steady one, whatever ran before."""
    ContentType.objects.get_for_model(MissionDescription)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def fresh(mission):
    return MissionDescription.objects.get(pk=mission.pk)


def add_missions(world, role, n):
    """``n`` more descriptions that ``role`` sees, in every state (those of a head's diplomas
    submitted, so that the head's waiting list grows too)."""
    visible = Contract.objects.visible_to(world.users[role])
    before = set(visible.values_list("pk", flat=True))
    grow(world, role, n)
    states = [{"submitted": True}, {}, {"validated": True}, {"returned": True}]
    for index, contract in enumerate(visible.exclude(pk__in=before).order_by("pk")[:n]):
        trait = {"submitted": True} if role == "head_of_diploma" else states[index % len(states)]
        MissionDescriptionFactory(contract=contract, **trait)


# The list --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_mission_list_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    # The head's own grows in their waiting list: theirs here is decided, so that both lists have rows.
    mine = mission_in(
        world.mine.contract, MissionStatus.VALIDATED if role == "head_of_diploma" else MissionStatus.SUBMITTED
    )
    add_missions(world, role, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(reverse("livret:mission_list"))

    assert response.status_code == 200
    listed = list(response.context["waiting"]) + list(response.context["page"].object_list)
    assert mine in listed
    assert len(listed) == 1 + extra


@pytest.mark.parametrize("role", ROLES)
def test_mission_list_shows_only_what_the_role_sees(client, world, role):
    mine = mission_in(world.mine.contract, MissionStatus.DRAFT)
    other = mission_in(world.other.contract, MissionStatus.DRAFT)
    foreign = mission_in(world.foreign.contract, MissionStatus.DRAFT)
    client.force_login(world.users[role])

    response = client.get(reverse("livret:mission_list"))

    listed = set(response.context["page"].object_list)
    assert listed == ({mine, other} if role in ORGANISATION_WIDE else {mine})
    assert foreign not in listed


def test_head_sees_what_waits_for_them_first_oldest_first_with_the_days_and_a_late_badge(client, world):
    head = world.users["head_of_diploma"]
    late = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    MissionDescription.objects.filter(pk=late.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=9)
    )
    add_missions(world, "head_of_diploma", 1)
    recent = MissionDescription.objects.exclude(pk=late.pk).get(status=MissionStatus.SUBMITTED)
    validated = mission_in(world.other.contract, MissionStatus.VALIDATED)  # another head's diploma
    client.force_login(head)

    response = client.get(reverse("livret:mission_list"))

    assert response.context["waiting"] == [late, recent]
    assert validated not in response.context["page"].object_list
    text = text_of(response)
    assert text.index("À valider") < text.index("Autres descriptions")
    assert "en attente depuis 9 jours en retard Lire et décider" in text
    assert "en attente depuis aujourd'hui Lire et décider" in text
    html = response.content.decode()
    assert html.index(f'href="{late.get_absolute_url()}"') < html.index(f'href="{recent.get_absolute_url()}"')


def test_a_head_with_nothing_to_decide_is_told_so(client, world):
    mission_in(world.mine.contract, MissionStatus.DRAFT)
    client.force_login(world.users["head_of_diploma"])

    assert "Aucune description n'attend votre décision." in text_of(
        client.get(reverse("livret:mission_list"))
    )


def test_staff_filter_the_list_by_state_and_an_unknown_state_shows_nothing_but_the_error(client, world):
    submitted = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    mission_in(world.other.contract, MissionStatus.DRAFT)
    client.force_login(world.users["staff"])
    url = reverse("livret:mission_list")

    assert list(client.get(url, {"status": "submitted"}).context["page"].object_list) == [submitted]
    assert list(client.get(url, {"status": "validated"}).context["page"].object_list) == []
    none_left = client.get(url, {"status": "validated"})
    assert "Aucune description ne correspond à ces filtres." in text_of(none_left)
    unknown = client.get(url, {"status": "n'importe quoi"})
    assert unknown.status_code == 200
    assert list(unknown.context["page"].object_list) == []
    assert "Un filtre n'est pas valide" in text_of(unknown)


def test_the_list_is_paginated_and_keeps_the_filter_across_pages(client, world):
    grow(world, "staff", 26)
    for contract in Contract.objects.filter(diploma__organisation=world.organisation).exclude(
        pk__in=[world.mine.contract.pk, world.other.contract.pk]
    ):
        MissionDescriptionFactory(contract=contract)
    client.force_login(world.users["staff"])

    first = client.get(reverse("livret:mission_list"), {"status": "draft"})
    second = client.get(reverse("livret:mission_list"), {"status": "draft", "page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 1
    assert 'href="?status=draft&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize("role", ["apprentice", "company_tutor"])
def test_writers_are_offered_to_open_the_description_of_a_contract_that_has_none(client, world, role):
    client.force_login(world.users[role])

    response = client.get(reverse("livret:mission_list"))

    assert response.context["to_describe"] == [world.mine.contract]
    assert (
        f'action="{reverse("livret:mission_create", args=[world.mine.contract.pk])}"'
        in response.content.decode()
    )
    mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)
    assert client.get(reverse("livret:mission_list")).context["to_describe"] == []


# Opening from the contract page or the list ----------------------------------------------------------


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "staff"])
def test_opening_the_description_leads_to_it(client, world, role):
    client.force_login(world.users[role])

    response = client.post(reverse("livret:mission_create", args=[world.mine.contract.pk]))

    mission = MissionDescription.objects.get()
    assert response["Location"] == mission.get_absolute_url()
    assert (mission.contract, mission.academic_year) == (world.mine.contract, world.academic_year)
    assert messages_of(response) == [
        f"Description des missions {world.academic_year} ouverte : rédigez-la puis soumettez-la au "
        "responsable de formation."
    ]


def test_opening_it_twice_leads_to_the_existing_one(client, world):
    existing = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    before = mission_snapshot(existing)
    client.force_login(world.users["company_tutor"])

    response = client.post(reverse("livret:mission_create", args=[world.mine.contract.pk]))

    assert response["Location"] == existing.get_absolute_url()
    assert messages_of(response) == [
        f"Ce contrat a déjà une description des missions pour l'année {world.academic_year}."
    ]
    assert mission_snapshot(existing) == before


@pytest.mark.parametrize("role", ["school_tutor", "head_of_diploma"])
def test_opening_is_refused_to_who_does_not_write_it(client, world, role):
    client.force_login(world.users[role])

    response = client.post(
        reverse("livret:mission_create", args=[world.mine.contract.pk]), {"next": "https://ailleurs.test/"}
    )

    assert response["Location"] == world.mine.contract.get_absolute_url()
    assert messages_of(response) == [
        "Seuls l'apprenti, son maître d'apprentissage et l'équipe du CFA ouvrent cette description."
    ]
    assert not MissionDescription.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_opening_on_someone_elses_contract_is_not_found(client, world, role):
    client.force_login(world.users[role])
    chains = [world.foreign] + ([] if role in ORGANISATION_WIDE else [world.other])

    for chain in chains:
        assert client.post(reverse("livret:mission_create", args=[chain.contract.pk])).status_code == 404
    assert client.get(reverse("livret:mission_create", args=[world.mine.contract.pk])).status_code == 405
    assert not MissionDescription.objects.exists()


# The description -------------------------------------------------------------------------------------


def with_history(world, extra) -> MissionDescription:
    """The current, submitted description of ``world.mine`` after ``extra`` corrected versions, each
    validated, and ``extra`` returns and resubmissions of its own."""
    apprentice, head = world.users["apprentice"], world.users["head_of_diploma"]
    mission = mission_in(world.mine.contract, MissionStatus.VALIDATED)
    for _ in range(extra - 1):
        mission = services.correct(mission=mission, by=head)
        mission = services.submit(mission=mission, by=apprentice)
        mission = services.validate(mission=mission, by=head)
    mission = services.correct(mission=mission, by=head)
    mission = services.submit(mission=mission, by=apprentice)
    for _ in range(extra):
        mission = services.return_mission(mission=mission, by=head, comment="Précisez.")
        mission = services.submit(mission=mission, by=apprentice)
    return mission


@pytest.mark.parametrize("extra", [1, 4])
@pytest.mark.parametrize("role", ROLES)
def test_mission_detail_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    mission = with_history(world, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(DETAIL_QUERIES[role]):
        response = client.get(mission.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["versions"]) == extra + 1
    assert len(response.context["decisions"]) == extra
    assert [s.act for s in response.context["signatures"]] == ["submit"] * (extra + 1)
    assert MISSION_TEXT["project_subject"] in text_of(response)


@pytest.mark.parametrize("role", ROLES)
def test_mission_of_someone_else_is_not_found_on_get_and_post(client, world, django_assert_num_queries, role):
    chains = [world.foreign] + ([] if role in ORGANISATION_WIDE else [world.other])
    missions = [mission_in(chain.contract, MissionStatus.SUBMITTED) for chain in chains]
    before = mission_snapshot(*missions)
    client.force_login(world.users[role])

    for mission in missions:
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            assert client.get(mission.get_absolute_url()).status_code == 404
        for view in POST_VIEWS:
            response = client.post(
                reverse(f"livret:{view}", args=[mission.pk]),
                {**NEW_TEXT, "revision": 1, "action": "submit", "comment": "x"},
            )
            assert response.status_code == 404, view

    assert mission_snapshot(*missions) == before


@pytest.mark.parametrize("view", ["mission_list", "mission_detail", "mission_create", *POST_VIEWS])
def test_pages_ask_anonymous_people_to_log_in(client, world, view):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    args = (
        [] if view == "mission_list" else [world.mine.contract.pk if view == "mission_create" else mission.pk]
    )
    url = reverse(f"livret:{view}", args=args)

    response = client.post(url) if view in {"mission_create", *POST_VIEWS} else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("state", "key", "roles"),
    [
        (MissionStatus.DRAFT, "form", {"apprentice", "company_tutor"}),
        (MissionStatus.RETURNED, "form", {"apprentice", "company_tutor"}),
        (MissionStatus.SUBMITTED, "validate_form", {"head_of_diploma"}),
        (MissionStatus.SUBMITTED, "return_form", {"head_of_diploma"}),
        (MissionStatus.VALIDATED, "can_correct", {"head_of_diploma", "staff", "admin"}),
    ],
)
def test_the_form_of_the_next_step_is_offered_to_whom_it_falls(client, world, state, key, roles):
    mission = mission_in(world.mine.contract, state)

    for role in ROLES:
        client.force_login(world.users[role])
        context = client.get(mission.get_absolute_url()).context
        assert bool(context[key]) is (role in roles), role


def test_the_page_shows_the_decisions_with_their_delay_and_the_signatures_with_their_hash(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=9)
    )
    services.return_mission(
        mission=fresh(mission), by=world.users["head_of_diploma"], comment="Précisez le sujet."
    )
    services.submit(mission=fresh(mission), by=world.users["apprentice"])
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=2)
    )
    services.validate(mission=fresh(mission), by=world.users["head_of_diploma"], comment="Bon projet.")
    client.force_login(world.users["apprentice"])

    response = client.get(mission.get_absolute_url())

    text = text_of(response)
    assert "Renvoyée" in text and "décidée en 9 jours hors délai Précisez le sujet." in text
    assert "décidée en 2 jours dans le délai d'une semaine Bon projet." in text
    for signature in Signature.objects.for_document(mission):
        assert signature.content_sha256 in text
    assert "Validation du responsable de formation" in text
    assert response.context["audit_events"] is None


@pytest.mark.parametrize(
    ("state", "role"),
    [
        (MissionStatus.DRAFT, "apprentice"),
        (MissionStatus.SUBMITTED, "head_of_diploma"),
        (MissionStatus.VALIDATED, "staff"),
        (MissionStatus.SUBMITTED, "staff"),
    ],
)
def test_every_id_on_the_page_is_unique(client, world, state, role):
    """Labels and landmarks point at ids: the head's two forms both have a comment field."""
    mission = mission_in(world.mine.contract, state)
    client.force_login(world.users[role])

    html = client.get(mission.get_absolute_url()).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_a_submitted_description_says_how_long_it_has_waited(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    MissionDescription.objects.filter(pk=mission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=8)
    )
    client.force_login(world.users["head_of_diploma"])

    text = text_of(client.get(mission.get_absolute_url()))

    assert "En attente de décision depuis 8 jours." in text
    assert "Le délai d'une semaine prévu par la charte est dépassé." in text
    assert "en retard" in text


def test_an_old_version_links_to_the_current_one_and_offers_nothing(client, world):
    old = mission_in(world.mine.contract, MissionStatus.VALIDATED)
    new = services.correct(mission=old, by=world.users["staff"])
    client.force_login(world.users["head_of_diploma"])

    response = client.get(old.get_absolute_url())

    assert "Cette version a été corrigée" in text_of(response)
    assert f'href="{new.get_absolute_url()}"' in response.content.decode()
    assert (response.context["can_correct"], response.context["form"]) == (False, None)


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_staff_see_the_audit_trail(client, world, role):
    mission = mission_in(world.mine.contract, MissionStatus.VALIDATED)
    client.force_login(world.users[role])

    events = client.get(mission.get_absolute_url()).context["audit_events"]

    assert [e.action.rsplit(".", 1)[-1] for e in events] == ["validated", "submitted", "changed", "created"]


# Saving and submitting -------------------------------------------------------------------------------


def save(client, mission, *, action="save", json_=False, **data):
    headers = {"Accept": "application/json"} if json_ else {}
    return client.post(
        reverse("livret:mission_save", args=[mission.pk]),
        {**NEW_TEXT, "revision": mission.revision, "action": action, **data},
        headers=headers,
    )


@pytest.mark.parametrize("role", ["apprentice", "company_tutor"])
def test_writers_save_a_draft_from_the_form(client, world, role):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    client.force_login(world.users[role])

    response = save(client, mission)

    assert response["Location"] == mission.get_absolute_url()
    assert messages_of(response) == ["Brouillon enregistré."]
    assert (fresh(mission).content(), fresh(mission).revision) == (NEW_TEXT, 2)


def test_the_autosave_gets_the_new_revision_in_json(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    client.force_login(world.users["apprentice"])

    response = save(client, mission, json_=True)

    assert response.status_code == 200
    assert response.json()["revision"] == 2
    assert fresh(mission).missions == NEW_TEXT["missions"]


def test_writers_submit_from_the_form_and_the_text_is_saved_first(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)
    client.force_login(world.users["company_tutor"])

    response = save(client, mission, action="submit")

    mission = fresh(mission)
    assert messages_of(response) == [
        "Description soumise au responsable de formation : il la valide ou la renvoie sous une semaine."
    ]
    assert (mission.status, mission.content(), mission.submitted_by) == (
        MissionStatus.SUBMITTED,
        NEW_TEXT,
        world.users["company_tutor"],
    )


def test_submitting_without_the_project_subject_keeps_the_text_and_says_what_is_missing(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT, empty=True)
    client.force_login(world.users["apprentice"])

    response = save(client, mission, action="submit", project_subject="")

    assert messages_of(response) == ["Indiquez le sujet du projet entreprise de l'année."]
    assert (fresh(mission).status, fresh(mission).missions) == (MissionStatus.DRAFT, NEW_TEXT["missions"])


def test_a_save_from_a_stale_tab_shows_both_texts_and_overwrites_nothing(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)  # revision 1
    client.force_login(world.users["apprentice"])
    stale_revision = mission.revision
    services.save_draft(
        mission=mission,
        by=world.users["company_tutor"],
        values={**MISSION_TEXT, "missions": "Texte du tuteur"},
        revision=1,
    )
    before = mission_snapshot(mission)

    response = save(client, mission, revision=stale_revision)

    assert response.status_code == 409
    assert messages_of(response)[0].startswith("La description a été modifiée ailleurs")
    html = response.content.decode()
    assert f"{escape(NEW_TEXT['missions'])}</textarea>" in html  # what this tab typed is still in the form
    assert "Texte du tuteur" in text_of(response)  # next to the text saved elsewhere
    assert response.context["form"]["revision"].value() == 2  # saving again replaces it, knowingly
    assert mission_snapshot(mission) == before


def test_the_autosave_from_a_stale_tab_gets_a_conflict_with_the_current_text(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    client.force_login(world.users["apprentice"])
    services.save_draft(mission=mission, by=world.users["company_tutor"], values=NEW_TEXT, revision=1)
    before = mission_snapshot(mission)

    response = save(client, mission, json_=True, revision=1, missions="Autre onglet")

    assert response.status_code == 409
    assert response.json() == {"conflict": True, "current": NEW_TEXT, "revision": 2}
    assert mission_snapshot(mission) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"missions": "x" * (MissionDescription.MAX_TEXT + 1)}, "Ce texte dépasse 8000 caractères."),
        ({"project_subject": "x" * 301}, "Ce texte dépasse 300 caractères."),
        ({"revision": "abc"}, "La page est incomplète : rechargez-la avant d'enregistrer."),
        ({"revision": ""}, "La page est incomplète : rechargez-la avant d'enregistrer."),
    ],
)
def test_an_oversized_or_malformed_save_is_refused_with_a_message_and_keeps_the_text(
    client, world, data, message
):
    mission = mission_in(world.mine.contract, MissionStatus.DRAFT)
    before = mission_snapshot(mission)
    client.force_login(world.users["apprentice"])

    response = save(client, mission, **data)

    assert response.status_code == 400
    assert messages_of(response) == ["Rien n'a été enregistré : corrigez les champs signalés."]
    assert message in text_of(response)
    assert f"{escape(NEW_TEXT['expected_progression'])}</textarea>" in response.content.decode()
    assert mission_snapshot(mission) == before
    json_response = save(client, mission, json_=True, **data)
    assert json_response.status_code == 400
    assert message in json.dumps(json_response.json(), ensure_ascii=False)
    assert mission_snapshot(mission) == before


# Decisions and correction ----------------------------------------------------------------------------


def test_head_validates_with_an_optional_comment(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    client.force_login(world.users["head_of_diploma"])

    response = client.post(reverse("livret:mission_validate", args=[mission.pk]), {"comment": ""})

    assert response["Location"] == mission.get_absolute_url()
    assert messages_of(response) == [
        "Description validée. L'apprenti et son maître d'apprentissage la retrouvent dans le livret."
    ]
    assert fresh(mission).status == MissionStatus.VALIDATED
    assert MissionDecision.objects.get(mission=mission).comment == ""


def test_head_returns_with_a_comment(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    client.force_login(world.users["head_of_diploma"])

    response = client.post(reverse("livret:mission_return", args=[mission.pk]), {"comment": "Précisez."})

    assert messages_of(response) == ["Description renvoyée avec votre commentaire."]
    assert (fresh(mission).status, fresh(mission).return_comment) == (MissionStatus.RETURNED, "Précisez.")


@pytest.mark.parametrize("role", ["head_of_diploma", "staff", "admin"])
def test_correction_from_the_page_opens_the_new_version(client, world, role):
    mission = mission_in(world.mine.contract, MissionStatus.VALIDATED)
    client.force_login(world.users[role])

    response = client.post(reverse("livret:mission_correct", args=[mission.pk]))

    new = MissionDescription.objects.get(previous=mission)
    assert response["Location"] == new.get_absolute_url()
    assert messages_of(response) == ["Nouvelle version ouverte ; la version validée reste consultable."]


REFUSED_POSTS = [
    # (state, role, view, data, message)
    (
        MissionStatus.DRAFT,
        "school_tutor",
        "mission_save",
        {"action": "save"},
        "Cette description n'est pas modifiable par vous.",
    ),
    (
        MissionStatus.DRAFT,
        "head_of_diploma",
        "mission_save",
        {"action": "submit"},
        "Cette description n'est pas modifiable par vous.",
    ),
    (
        MissionStatus.SUBMITTED,
        "apprentice",
        "mission_save",
        {"action": "save"},
        "Cette description a été soumise : elle n'est plus modifiable.",
    ),
    (
        MissionStatus.SUBMITTED,
        "staff",
        "mission_save",
        {"action": "save", "missions": "x" * 9000},
        "Cette description a été soumise : elle n'est plus modifiable.",
    ),
    (
        MissionStatus.SUBMITTED,
        "school_tutor",
        "mission_validate",
        {},
        "Seul un responsable de la formation de l'apprenti décide de cette description.",
    ),
    (
        MissionStatus.SUBMITTED,
        "staff",
        "mission_return",
        {"comment": "Non."},
        "Seul un responsable de la formation de l'apprenti décide de cette description.",
    ),
    (
        MissionStatus.SUBMITTED,
        "head_of_diploma",
        "mission_return",
        {"comment": " "},
        "Indiquez ce qui doit être repris dans la description.",
    ),
    (
        MissionStatus.DRAFT,
        "head_of_diploma",
        "mission_validate",
        {},
        "Cette description n'attend pas de décision du responsable de formation.",
    ),
    (
        MissionStatus.VALIDATED,
        "head_of_diploma",
        "mission_return",
        {"comment": "Non."},
        "Cette description n'attend pas de décision du responsable de formation.",
    ),
    (
        MissionStatus.VALIDATED,
        "apprentice",
        "mission_correct",
        {},
        "Vous ne pouvez pas corriger cette description.",
    ),
    (
        MissionStatus.VALIDATED,
        "company_tutor",
        "mission_correct",
        {},
        "Vous ne pouvez pas corriger cette description.",
    ),
    (
        MissionStatus.SUBMITTED,
        "staff",
        "mission_correct",
        {},
        "Seule une description validée se corrige par une nouvelle version.",
    ),
]


@pytest.mark.parametrize(
    ("state", "role", "view", "data", "message"),
    REFUSED_POSTS,
    ids=[f"{view}-{state}-{role}-{i}" for i, (state, role, view, _d, _m) in enumerate(REFUSED_POSTS)],
)
def test_refused_post_redirects_to_the_description_with_a_french_message_and_changes_nothing(
    client, world, state, role, view, data, message
):
    mission = mission_in(world.mine.contract, state)
    before = mission_snapshot(mission)
    client.force_login(world.users[role])

    response = client.post(reverse(f"livret:{view}", args=[mission.pk]), {**NEW_TEXT, "revision": 1, **data})

    assert response.status_code == 302
    assert response["Location"] == mission.get_absolute_url()
    assert messages_of(response) == [message]
    assert mission_snapshot(mission) == before


def test_a_refused_autosave_answers_in_json_and_changes_nothing(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    before = mission_snapshot(mission)
    client.force_login(world.users["apprentice"])

    response = save(client, mission, json_=True)

    assert response.status_code == 403
    assert response.json() == {"error": "Cette description a été soumise : elle n'est plus modifiable."}
    assert mission_snapshot(mission) == before


def test_the_audit_trail_names_each_step(client, world):
    mission = mission_in(world.mine.contract, MissionStatus.RETURNED)
    client.force_login(world.users["staff"])

    events = client.get(mission.get_absolute_url()).context["audit_events"]

    assert all(event.actor is not None for event in events)
    assert AuditEvent.for_object(mission).count() == len(events) == 4


# The part of the contract page on descriptions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_open"),
    [
        ("apprentice", True),
        ("company_tutor", True),
        ("staff", True),
        ("admin", True),
        ("school_tutor", False),
        ("head_of_diploma", False),
    ],
)
def test_contract_page_part_offers_to_open_this_years_description_to_who_may(
    rf, world, django_assert_num_queries, role, may_open
):
    contract = (
        Contract.objects.with_people().select_related("apprentice__user").get(pk=world.mine.contract.pk)
    )
    user = world.users[role]
    request = rf.get(contract.get_absolute_url())
    request.user = user

    with django_assert_num_queries(2 + 1):  # the year, the descriptions; the user's roles
        context = selectors.contract_missions(contract, user)
    html = render_to_string(
        "livret/missions/_contract_missions.html", {**context, "contract": contract}, request
    )

    assert context["can_open_mission"] is may_open
    create = f'action="{reverse("livret:mission_create", args=[contract.pk])}"'
    assert (create in html) is may_open
    if not may_open:
        assert "Pas encore de description des missions pour ce contrat." in html


def test_contract_page_part_lists_each_years_description_and_no_longer_offers_to_open(rf, world):
    mission = mission_in(world.mine.contract, MissionStatus.SUBMITTED)
    contract = Contract.objects.with_people().get(pk=world.mine.contract.pk)
    user = world.users["apprentice"]
    request = rf.get(contract.get_absolute_url())
    request.user = user

    context = selectors.contract_missions(contract, user)
    html = render_to_string(
        "livret/missions/_contract_missions.html", {**context, "contract": contract}, request
    )

    assert (context["missions"], context["can_open_mission"]) == ([mission], False)
    assert f'href="{mission.get_absolute_url()}"' in html
    assert "Soumise au responsable de formation" in html
