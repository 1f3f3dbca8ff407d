"""The booklet's pages for signed-in people: what each role sees, what it may post, and at what cost."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apprentices.models import Contract
from core.models import Signature
from core.workflow.signatures import signatures_of
from livret.models import LiaisonSheet
from livret.services import sheets as services
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.helpers import messages_of, text_of
from tests.livret.factories import APPRENTICE_TEXT, LiaisonSheetFactory, snapshot

SheetStatus = LiaisonSheet.Status
TRAIT = {
    SheetStatus.DRAFT: "filled",
    SheetStatus.SUBMITTED: "submitted",
    SheetStatus.COUNTERSIGNED: "countersigned",
    SheetStatus.RETURNED: "returned",
}
POST_VIEWS = ("sheet_save", "sheet_countersign", "sheet_return", "sheet_review", "sheet_correct")

# Every page starts with 3 queries: the session, the user, the user's roles.
# + the count, the page's keys and the page of sheets with their contract, people and period
# (core.viewutils.NarrowPaginator), the choices of the filters (diplomas, cohorts, employers, school
# tutors)
LIST_QUERIES = 10
NOT_FOUND_QUERIES = 4  # + the sheet, not found
DETAIL_QUERIES = {
    # + the sheet with its contract, people and period, its signatures, its versions
    "apprentice": 6,
    "company_tutor": 6,
    "school_tutor": 6,
    "head_of_diploma": 6,
    # + the audit trail
    "staff": 7,
    "admin": 7,
}


def add_sheets(world, role, n):
    """``n`` more sheets that ``role`` sees, in every state, with their signatures."""
    visible = Contract.objects.visible_to(world.users[role])
    before = set(visible.values_list("pk", flat=True))
    grow(world, role, n)
    contracts = visible.exclude(pk__in=before).order_by("pk")
    states = [{}, {"submitted": True}, {"countersigned": True}, {"reviewed": True}, {"returned": True}]
    for index, contract in enumerate(contracts[:n]):
        LiaisonSheetFactory(contract=contract, **states[index % len(states)])


def add_versions(world, n) -> LiaisonSheet:
    """The current, countersigned version of a sheet of ``world.mine`` corrected ``n`` times, each
    version signed."""
    sheet = LiaisonSheetFactory(contract=world.mine.contract, countersigned=True, is_current=False)
    for version in range(2, n + 2):
        sheet = LiaisonSheetFactory(
            contract=world.mine.contract,
            period=sheet.period,
            countersigned=True,
            version=version,
            previous=sheet,
            is_current=version == n + 1,
        )
    return sheet


# The list ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_sheet_list_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    mine = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    add_sheets(world, role, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("livret:sheet_list"))

    assert response.status_code == 200
    sheets = list(response.context["page"].object_list)
    assert mine in sheets
    assert len(sheets) == 1 + extra


@pytest.mark.parametrize("role", ROLES)
def test_sheet_list_shows_only_what_the_role_sees(client, world, role):
    mine = LiaisonSheetFactory(contract=world.mine.contract)
    other = LiaisonSheetFactory(contract=world.other.contract)
    foreign = LiaisonSheetFactory(contract=world.foreign.contract)
    client.force_login(world.users[role])

    sheets = set(client.get(reverse("livret:sheet_list")).context["page"].object_list)

    assert sheets == ({mine, other} if role in ORGANISATION_WIDE else {mine})
    assert foreign not in sheets


def test_sheet_list_shows_only_current_versions(client, world):
    old = LiaisonSheetFactory(contract=world.mine.contract, countersigned=True)
    new = services.correct(sheet=old, by=world.users["apprentice"])
    client.force_login(world.users["apprentice"])

    assert list(client.get(reverse("livret:sheet_list")).context["page"].object_list) == [new]


# The sheet -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_sheet_detail_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    sheet = add_versions(world, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(DETAIL_QUERIES[role]):
        response = client.get(sheet.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["versions"]) == extra + 1
    assert [s.act for s in response.context["signatures"]] == ["submit", "countersign"]
    assert APPRENTICE_TEXT["activities"] in text_of(response)


@pytest.mark.parametrize("role", ROLES)
def test_sheet_detail_of_someone_else_is_not_found_on_get_and_post(
    client, world, django_assert_num_queries, role
):
    chains = [world.foreign] + ([] if role in ORGANISATION_WIDE else [world.other])
    sheets = [LiaisonSheetFactory(contract=chain.contract, submitted=True) for chain in chains]
    before = snapshot(*sheets)
    client.force_login(world.users[role])

    for sheet in sheets:
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            assert client.get(sheet.get_absolute_url()).status_code == 404
        for view in POST_VIEWS:
            response = client.post(
                reverse(f"livret:{view}", args=[sheet.pk]),
                {**APPRENTICE_TEXT, "revision": 0, "action": "submit", "reason": "x", "confirm": "on"},
            )
            assert response.status_code == 404, view

    assert snapshot(*sheets) == before


@pytest.mark.parametrize("view", ["sheet_list", "sheet_detail", *POST_VIEWS])
def test_pages_ask_anonymous_people_to_log_in(client, world, view):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    url = reverse(f"livret:{view}", args=[] if view == "sheet_list" else [sheet.pk])

    response = client.post(url) if view in POST_VIEWS else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sheet_detail_of_an_old_version_links_to_the_current_one(client, world):
    old = LiaisonSheetFactory(contract=world.mine.contract, countersigned=True)
    new = services.correct(sheet=old, by=world.users["staff"])
    client.force_login(world.users["apprentice"])

    response = client.get(old.get_absolute_url())

    assert "Cette version a été corrigée" in text_of(response)
    assert f'href="{new.get_absolute_url()}"' in response.content.decode()
    assert response.context["can_correct"] is False


@pytest.mark.parametrize(
    ("status", "role", "form"),
    [
        (SheetStatus.DRAFT, "apprentice", "fill_form"),
        (SheetStatus.SUBMITTED, "company_tutor", "countersign_form"),
        (SheetStatus.SUBMITTED, "school_tutor", "return_form"),
        (SheetStatus.COUNTERSIGNED, "school_tutor", "review_form"),
    ],
)
def test_sheet_detail_offers_the_form_of_the_next_step_to_whom_it_falls(client, world, status, role, form):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, **{TRAIT[status]: True})
    others = [r for r in ROLES if r != role]

    client.force_login(world.users[role])
    assert client.get(sheet.get_absolute_url()).context[form] is not None
    for other in others:
        client.force_login(world.users[other])
        context = client.get(sheet.get_absolute_url()).context
        assert context[form] is None or (form == "return_form" and other == "company_tutor"), other


# Posts that are refused ------------------------------------------------------------------------------

# A form sent with errors by someone who may use it comes back on the page with its error summary
# instead (tests/core/test_form_errors.py).
REFUSED_POSTS = [
    # (state, role, view, data, message)
    (
        SheetStatus.DRAFT,
        "company_tutor",
        "sheet_save",
        {**APPRENTICE_TEXT, "revision": 0, "action": "save"},
        "Cette fiche n'est pas modifiable par vous dans son état actuel.",
    ),
    (
        SheetStatus.SUBMITTED,
        "apprentice",
        "sheet_save",
        {**APPRENTICE_TEXT, "revision": 0, "action": "submit"},
        "Cette fiche n'est pas modifiable par vous dans son état actuel.",
    ),
    (
        SheetStatus.SUBMITTED,
        "school_tutor",
        "sheet_countersign",
        {"tutor_assessment": "Bien.", "confirm": "on"},
        "Seul le maître d'apprentissage de l'apprenti peut contresigner.",
    ),
    (
        SheetStatus.DRAFT,
        "company_tutor",
        "sheet_countersign",
        {"tutor_assessment": "Bien.", "confirm": "on"},
        "Cette fiche n'attend pas de contresignature.",
    ),
    (
        SheetStatus.SUBMITTED,
        "apprentice",
        "sheet_return",
        {"reason": "Non."},
        "Vous ne pouvez pas renvoyer cette fiche.",
    ),
    (
        SheetStatus.COUNTERSIGNED,
        "school_tutor",
        "sheet_return",
        {"reason": "Non."},
        "Seule une fiche transmise et pas encore contresignée peut être renvoyée.",
    ),
    (
        SheetStatus.COUNTERSIGNED,
        "company_tutor",
        "sheet_review",
        {"comment": "Lu."},
        "Seul le tuteur pédagogique de l'apprenti peut valider sa lecture.",
    ),
    (
        SheetStatus.SUBMITTED,
        "school_tutor",
        "sheet_review",
        {"comment": "Lu."},
        "Cette fiche doit être contresignée avant d'être lue par le tuteur pédagogique.",
    ),
    (
        SheetStatus.COUNTERSIGNED,
        "school_tutor",
        "sheet_correct",
        {},
        "Vous ne pouvez pas corriger cette fiche.",
    ),
    (
        SheetStatus.COUNTERSIGNED,
        "head_of_diploma",
        "sheet_correct",
        {},
        "Vous ne pouvez pas corriger cette fiche.",
    ),
    (
        SheetStatus.SUBMITTED,
        "staff",
        "sheet_correct",
        {},
        "Seule une fiche signée se corrige par une nouvelle version.",
    ),
]


@pytest.mark.parametrize(
    ("state", "role", "view", "data", "message"),
    REFUSED_POSTS,
    ids=[
        f"{view}-{state}-{role}-{i}" for i, (state, role, view, _data, _message) in enumerate(REFUSED_POSTS)
    ],
)
def test_refused_post_redirects_to_the_sheet_with_a_french_message_and_changes_nothing(
    client, world, state, role, view, data, message
):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, **{TRAIT[state]: True})
    before = snapshot(sheet)
    client.force_login(world.users[role])

    response = client.post(reverse(f"livret:{view}", args=[sheet.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == sheet.get_absolute_url()
    assert messages_of(response) == [message]
    assert snapshot(sheet) == before


def test_transmitting_an_empty_sheet_is_refused_with_a_french_message(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract)
    before = snapshot(sheet)
    client.force_login(world.users["apprentice"])

    response = client.post(
        reverse("livret:sheet_save", args=[sheet.pk]),
        {
            "activities": "",
            "competences_used": "",
            "difficulties": "",
            "school_company_gap": "",
            "revision": 0,
            "action": "submit",
        },
        follow=True,
    )

    assert "Décrivez au moins ce que vous avez fait en entreprise." in text_of(response)
    assert snapshot(sheet) == before


# Posts that are allowed --------------------------------------------------------------------------------


def test_apprentice_saves_and_transmits_from_the_form(client, world, django_capture_on_commit_callbacks):
    sheet = LiaisonSheetFactory(contract=world.mine.contract)
    client.force_login(world.users["apprentice"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("livret:sheet_save", args=[sheet.pk]),
            {**APPRENTICE_TEXT, "revision": 0, "action": "submit"},
        )

    sheet.refresh_from_db()
    assert response["Location"] == sheet.get_absolute_url()
    assert messages_of(response) == [
        "Fiche transmise : votre maître d'apprentissage la reçoit par message électronique "
        "pour la contresigner."
    ]
    assert (sheet.status, sheet.apprentice_content(), sheet.revision) == (
        SheetStatus.SUBMITTED,
        APPRENTICE_TEXT,
        1,
    )
    assert [m.to for m in mail.outbox] == [[world.mine.company_tutor.email]]


def test_company_tutor_countersigns_from_their_session(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    client.force_login(world.users["company_tutor"])

    response = client.post(
        reverse("livret:sheet_countersign", args=[sheet.pk]), {"tutor_assessment": "Bien.", "confirm": "on"}
    )

    sheet.refresh_from_db()
    assert messages_of(response) == ["Fiche contresignée."]
    assert (sheet.status, sheet.tutor_assessment) == (SheetStatus.COUNTERSIGNED, "Bien.")
    assert signatures_of(sheet).get(act=Signature.Act.COUNTERSIGN).via == "session"


@pytest.mark.parametrize("role", ["company_tutor", "school_tutor"])
def test_tutor_returns_the_sheet_with_a_reason(client, world, role):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, submitted=True)
    client.force_login(world.users[role])

    response = client.post(reverse("livret:sheet_return", args=[sheet.pk]), {"reason": "Détaillez."})

    sheet.refresh_from_db()
    assert messages_of(response) == ["Fiche renvoyée à l'apprenti avec votre motif."]
    assert (sheet.status, sheet.return_reason) == (SheetStatus.RETURNED, "Détaillez.")


def test_school_tutor_records_their_reading(client, world):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, countersigned=True)
    client.force_login(world.users["school_tutor"])

    response = client.post(reverse("livret:sheet_review", args=[sheet.pk]), {"comment": "Lu."})

    sheet.refresh_from_db()
    assert messages_of(response) == ["Lecture de la fiche enregistrée."]
    assert (sheet.status, sheet.school_comment) == (SheetStatus.REVIEWED, "Lu.")


@pytest.mark.parametrize("role", ["apprentice", "staff", "admin"])
def test_correction_from_the_page_opens_the_new_version(client, world, role):
    sheet = LiaisonSheetFactory(contract=world.mine.contract, reviewed=True)
    client.force_login(world.users[role])

    response = client.post(reverse("livret:sheet_correct", args=[sheet.pk]))

    new = LiaisonSheet.objects.get(previous=sheet)
    assert response["Location"] == new.get_absolute_url()
    assert messages_of(response) == ["Nouvelle version ouverte ; la version signée reste consultable."]


# The "À faire" inbox on the home ------------------------------------------------------------------------

WAITING_FOR = {
    "apprentice": {SheetStatus.DRAFT, SheetStatus.RETURNED},
    "company_tutor": {SheetStatus.SUBMITTED},
    "school_tutor": {SheetStatus.COUNTERSIGNED},
    "head_of_diploma": set(),
    "staff": set(),
    "admin": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_home_inbox_lists_what_waits_for_the_role_with_a_link_to_the_sheet(client, world, role):
    contract = world.mine.contract
    sheets = {
        SheetStatus.DRAFT: LiaisonSheetFactory(contract=contract),
        SheetStatus.SUBMITTED: LiaisonSheetFactory(contract=contract, submitted=True),
        SheetStatus.COUNTERSIGNED: LiaisonSheetFactory(contract=contract, countersigned=True),
        SheetStatus.REVIEWED: LiaisonSheetFactory(contract=contract, reviewed=True),
        SheetStatus.RETURNED: LiaisonSheetFactory(contract=contract, returned=True),
    }
    LiaisonSheetFactory(contract=world.other.contract)
    LiaisonSheetFactory(contract=world.other.contract, submitted=True)
    client.force_login(world.users[role])

    response = client.get(reverse("home"))

    listed = [item["document"] for item in response.context["todo"] if item["key"].startswith("sheet.")]
    assert set(listed) == {sheets[status] for status in WAITING_FOR[role]}
    html = response.content.decode()
    for sheet in listed:
        assert f'href="{sheet.get_absolute_url()}"' in html


def test_home_inbox_costs_the_same_whatever_its_length(client, world):
    client.force_login(world.users["apprentice"])
    counts = []
    for _ in range(2):
        LiaisonSheetFactory(contract=world.mine.contract)
        LiaisonSheetFactory(contract=world.mine.contract, returned=True)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("home"))
        sheets = [item for item in response.context["todo"] if item["key"] == "sheet.fill"]
        counts.append((len(queries), len(sheets)))

    assert counts[0][0] == counts[1][0]
    assert (counts[0][1], counts[1][1]) == (2, 4)
