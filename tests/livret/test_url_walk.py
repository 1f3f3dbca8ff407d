"""Every named route of the livret app, for every visitor, on every chain's documents.

The URL patterns are read from the resolver, so a new livret route makes
``test_every_livret_pattern_is_classified`` fail until the tables below say what it is.

Visitors: ``None`` is an anonymous visitor, ``"nobody"`` is logged in without any role, then each role
of ``tests.conftest.ROLES`` (the users of the ``world`` fixture's chain ``mine``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.models import ActionLink, AuditEvent, Signature
from core.workflow import links
from livret.models import (
    ActionItem,
    Evaluation,
    GridSharing,
    LiaisonSheet,
    MissionDecision,
    MissionDescription,
    Rating,
    VisitReport,
    VisitReportVersion,
)
from tests.conftest import ORGANISATION_WIDE, ROLES
from tests.core.factories import UserFactory
from tests.livret.factories import (
    APPRENTICE_TEXT,
    MISSION_TEXT,
    VISIT_TEXT,
    ActionItemFactory,
    EvaluationFactory,
    LiaisonSheetFactory,
    MissionDescriptionFactory,
    VisitReportFactory,
    free_company_period,
)
from tests.test_url_walk import assert_security_policies

CHAINS = ("mine", "other", "foreign")
VISITORS = (None, "nobody", *ROLES)

# What each route shows, by the kind of object its first argument names (None: no argument).
# Pages behind the login, answering a GET:
PAGES = {
    "my_calendar": (None,),
    "booklet": ("apprentice",),
    "booklet_pdf": ("apprentice",),
    "sheet_list": (None,),
    "sheet_export": (None,),
    "sheet_detail": ("sheet",),
    "visit_list": (None,),
    "visit_report_list": (None,),
    "visit_report_export": (None,),
    "contract_visits": ("contract",),
    "visit_plan": ("contract",),
    "visit_detail": ("planned_visit", "reported_visit"),
    "visit_log": ("planned_visit", "reported_visit"),
    # A planned visit has no report yet: its PDF is a 404 (tests/livret/test_pdf.py).
    "visit_pdf": ("reported_visit",),
    "visit_version": ("visit_version",),
    "mission_list": (None,),
    "mission_export": (None,),
    "mission_detail": ("mission",),
    "contract_evaluations": ("contract",),
    "evaluation_detail": ("evaluation",),
}
# Of those, the pages that also take a POST (a form on the same URL).
# (my_calendar's POST makes the visitor's own address, nobody's object: see test_calendar_feed.py.)
PAGES_ALSO_POSTED = {"visit_plan", "visit_log"}
# Pages from an emailed link (GET and POST), without login: ``<pk>/lien/<token>/``.
LINK_PAGES = {
    "sheet_link": "sheet",
    "visit_link": "reported_visit",
    "evaluation_link": "evaluation",
}
# @require_POST behind the login: one transition each.
POST_ONLY = {
    "sheet_save": "sheet",
    "sheet_countersign": "sheet",
    "sheet_return": "sheet",
    "sheet_review": "sheet",
    "sheet_correct": "sheet",
    "visit_cancel": "planned_visit",
    "visit_move": "planned_visit",
    "visit_acknowledge": "reported_visit",
    "visit_correct": "reported_visit",
    "visit_discard_correction": "reported_visit",
    "action_close": "action",
    "mission_create": "contract",
    "mission_save": "mission",
    "mission_validate": "mission",
    "mission_return": "mission",
    "mission_correct": "mission",
    "mission_remind": "mission",
    "evaluation_open": "contract",
    "grid_sharing": "contract",
    "evaluation_save": "evaluation",
}
# @require_POST without login: "send me a fresh link", which answers the same whatever happens.
RESENDS = {
    "sheet_link_resend": "sheet",
    "visit_link_resend": "reported_visit",
    "evaluation_link_resend": "evaluation",
}
# The PDF receipt of a used link (GET, no login): a 404 for a link not used yet or a tampered token, the
# same whoever is logged in (tests/livret/test_used_links.py reads a used link's receipt).
RECEIPTS = {
    "sheet_link_receipt": "sheet",
    "visit_link_receipt": "reported_visit",
    "evaluation_link_receipt": "evaluation",
}
# A person's calendar feed (GET, no login): a token that is nobody's is a 404 for every visitor
# (tests/livret/test_calendar_feed.py reads a genuine one).
FEEDS = {"calendar_feed"}
# The name of the URL argument that carries each kind of object.
ARGUMENT = {"apprentice": "apprentice_pk", "contract": "contract_pk"}

# Pages that only some roles open, even on a chain they see: the others get a 404 (the view raises
# Http404, so the page does not tell them it exists). visit_plan and visit_log check
# ``perms.can_plan_visit(user, contract)``: the contract's school tutor, or staff/admin of the
# contract's organisation (``is_staff_of``); the apprentice, the company tutor and the head of
# diploma see the visits but do not plan or log them.
PLANNERS = frozenset({"school_tutor", "staff", "admin"})
# The booklet PDF (``perms.can_export_booklet``): the apprentice, the head of the diploma and the
# organisation's staff and admins export it; the tutors read the booklet on the platform only.
ONLY_FOR = {
    "visit_plan": PLANNERS,
    "visit_log": PLANNERS,
    "booklet_pdf": frozenset({"apprentice", "head_of_diploma", "staff", "admin"}),
}
# Pages that send a visitor who may open them elsewhere, for one kind of object: the report of a visit
# already logged is frozen, so its form redirects to the visit (with a message).
REDIRECTS = {("visit_log", "reported_visit"): "livret:visit_detail"}

# Everything a refused POST must leave as it was (with the posted object's own row).
TRACKED = (
    LiaisonSheet,
    VisitReport,
    VisitReportVersion,
    ActionItem,
    MissionDescription,
    MissionDecision,
    Evaluation,
    Rating,
    GridSharing,
    Signature,
    ActionLink,
    AuditEvent,
)


def livret_patterns() -> dict[str, tuple[str, ...]]:
    """Short URL name -> names of its arguments, for every named pattern of the livret app."""
    found = {}

    def walk(resolver, namespace=None):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name and namespace == "livret":
                found[entry.name] = tuple(entry.pattern.converters)

    walk(get_resolver())
    return found


def arguments_of(kind: str | None, *, token: bool = False) -> tuple[str, ...]:
    if kind is None:
        return ()
    return (ARGUMENT.get(kind, "pk"), "token") if token else (ARGUMENT.get(kind, "pk"),)


def test_every_livret_pattern_is_classified():
    patterns = livret_patterns()
    classified = [*PAGES, *LINK_PAGES, *POST_ONLY, *RESENDS, *RECEIPTS, *FEEDS]
    assert len(classified) == len(set(classified)), "une route est classée deux fois"
    assert set(patterns) == set(classified), (
        f"non classées : {sorted(set(patterns) - set(classified))} ; "
        f"disparues : {sorted(set(classified) - set(patterns))}"
    )
    for name, kinds in PAGES.items():
        for kind in kinds:
            assert patterns[name] == arguments_of(kind), f"{name}: {patterns[name]}"
    for table, token in ((LINK_PAGES, True), (POST_ONLY, False), (RESENDS, True), (RECEIPTS, True)):
        for name, kind in table.items():
            assert patterns[name] == arguments_of(kind, token=token), f"{name}: {patterns[name]}"
    for name in FEEDS:
        assert patterns[name] == ("token",), f"{name}: {patterns[name]}"
    assert PAGES_ALSO_POSTED <= set(PAGES) and set(ONLY_FOR) <= set(PAGES)
    assert {name for name, _kind in REDIRECTS} <= set(PAGES)


# The documents of each chain ------------------------------------------------------------------------


@dataclass
class Documents:
    """One document of each kind on a chain's contract, and the emailed links to them."""

    apprentice: object
    contract: object
    sheet: LiaisonSheet
    planned_visit: VisitReport
    reported_visit: VisitReport
    visit_version: VisitReportVersion  # a version of the reported visit that a correction replaced
    action: ActionItem
    mission: MissionDescription
    evaluation: Evaluation
    free_period: object  # a company period with no evaluation yet, to post to evaluation_open
    tokens: dict[str, str]  # link page name -> a valid token for its document


def documents_of(chain) -> Documents:
    contract = chain.contract
    tutor = contract.company_tutor
    today = timezone.localdate()
    # Submitted, so that its emailed link (to countersign) is a live one.
    sheet = LiaisonSheetFactory(contract=contract, submitted=True)
    planned = VisitReportFactory(contract=contract, planned_date=today + datetime.timedelta(days=10))
    reported = VisitReportFactory(
        contract=contract, planned_date=today - datetime.timedelta(days=5), reported=True
    )
    evaluation = EvaluationFactory(contract=contract)

    def token(document, action):
        return links.issue(document=document, action=action, email=tutor.email, name=str(tutor))[1]

    return Documents(
        apprentice=chain.apprentice,
        contract=contract,
        sheet=sheet,
        planned_visit=planned,
        reported_visit=reported,
        visit_version=VisitReportVersion.objects.create(
            visit=reported, number=1, content=reported.report_content(), author_name="Ancienne autrice"
        ),
        action=ActionItemFactory(opened_in=reported),
        mission=MissionDescriptionFactory(contract=contract),
        evaluation=evaluation,
        free_period=free_company_period(contract, taken=Evaluation.objects.filter(contract=contract)),
        tokens={
            "sheet_link": token(sheet, ActionLink.Action.COUNTERSIGN),
            "visit_link": token(reported, ActionLink.Action.ACKNOWLEDGE),
            "evaluation_link": token(evaluation, ActionLink.Action.EVALUATE),
        },
    )


@pytest.fixture
def documents(world) -> dict[str, Documents]:
    return {chain: documents_of(getattr(world, chain)) for chain in CHAINS}


def log_in(client, world, visitor):
    if visitor == "nobody":
        client.force_login(UserFactory(organisation=world.organisation))
    elif visitor is not None:
        client.force_login(world.users[visitor])


def tampered(token: str) -> str:
    """The token with its signature's last character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def url_of(name: str, docs: Documents | None, kind: str | None, token: str | None = None) -> str:
    if kind is None:
        return reverse(f"livret:{name}")
    kwargs = {ARGUMENT.get(kind, "pk"): getattr(docs, kind).pk}
    if token is not None:
        kwargs["token"] = token
    return reverse(f"livret:{name}", kwargs=kwargs)


def sees(visitor, chain: str) -> bool:
    """Whether ``visitor`` sees ``chain``'s objects: their own chain for every role, the other chain of
    their organisation for staff and admin, never another organisation's."""
    if visitor in (None, "nobody"):
        return False
    return chain == "mine" or (chain == "other" and visitor in ORGANISATION_WIDE)


def reaches(visitor, name: str, chain: str) -> bool:
    """Whether ``visitor`` gets past the scoped fetch of ``name`` on ``chain`` (else a 404)."""
    if not sees(visitor, chain):
        return False
    return name not in ONLY_FOR or visitor in ONLY_FOR[name]


def login_url() -> str:
    """How the redirect of an anonymous visitor to the login page begins."""
    return f"{resolve_url(settings.LOGIN_URL)}?next="


# The GET walk --------------------------------------------------------------------------------------


def gets_to_walk(documents):
    """(route, kind of object, chain, url, whether its token is tampered) of every GET to walk: each
    route on each chain's object (once for a route without argument); a link page with the valid
    token of its document, and with that token tampered."""
    for name, kinds in PAGES.items():
        for kind in kinds:
            for chain in CHAINS if kind else (None,):
                docs = documents[chain] if chain else None
                yield name, kind, chain, url_of(name, docs, kind), False
    for name, kind in LINK_PAGES.items():
        for chain in CHAINS:
            token = documents[chain].tokens[name]
            yield name, kind, chain, url_of(name, documents[chain], kind, token), False
            yield name, kind, chain, url_of(name, documents[chain], kind, tampered(token)), True
    for table in (POST_ONLY, RESENDS):
        for name, kind in table.items():
            for chain in CHAINS:
                token = documents[chain].tokens[name.removesuffix("_resend")] if table is RESENDS else None
                yield name, kind, chain, url_of(name, documents[chain], kind, token), False
    for name in FEEDS:
        yield name, None, None, reverse(f"livret:{name}", kwargs={"token": "pas-un-jeton-de-personne"}), True
    for name, kind in RECEIPTS.items():
        for chain in CHAINS:
            token = documents[chain].tokens[name.removesuffix("_receipt")]
            yield name, kind, chain, url_of(name, documents[chain], kind, token), False
            yield name, kind, chain, url_of(name, documents[chain], kind, tampered(token)), True


def expected_get(
    visitor, name: str, kind: str | None, chain: str | None, docs, *, tampered_token: bool
) -> tuple[int, str | None]:
    """The status of a GET of ``name`` by ``visitor`` on ``chain``, and where a 302 leads."""
    if name in RESENDS:
        return 405, None  # POST only, and no login: the same for everyone
    if name in RECEIPTS:
        return 404, None  # nothing signed with a link not used yet, nor with a tampered one
    if name in FEEDS:
        return 404, None  # a token that is nobody's
    if name in LINK_PAGES:
        # The link is the credential: no login, the same whoever is logged in.
        return (400 if tampered_token else 200), None
    if visitor is None:
        return 302, login_url()
    if name in POST_ONLY:
        return 405, None  # require_POST answers before the object is fetched: it reveals nothing
    if chain is not None and not reaches(visitor, name, chain):
        return 404, None
    if (name, kind) in REDIRECTS:
        return 302, reverse(REDIRECTS[name, kind], args=[getattr(docs, kind).pk])
    return 200, None


@pytest.mark.parametrize("visitor", VISITORS, ids=[v or "anonymous" for v in VISITORS])
def test_every_livret_route_answers_a_get_with_the_expected_status(client, world, documents, visitor):
    log_in(client, world, visitor)
    mismatches = []
    walked = 0
    for name, kind, chain, url, tampered_token in gets_to_walk(documents):
        expected, location = expected_get(
            visitor, name, kind, chain, documents.get(chain), tampered_token=tampered_token
        )
        response = client.get(url)
        walked += 1
        assert response.status_code not in (403, 500), f"{url} ({name}, {chain}) → {response.status_code}"
        assert_security_policies(response, url)
        got = response.status_code
        if got == 302 and location is not None and not response["Location"].startswith(location):
            got = f"302 vers {response['Location']}"
        if got != expected:
            token = ", jeton falsifié" if tampered_token else ""
            mismatches.append(
                f"{url} ({name}, {kind}, chaîne {chain or '-'}{token}) : {got} au lieu de {expected}"
            )
    pages = sum(len(CHAINS) if kind else 1 for kinds in PAGES.values() for kind in kinds)
    assert walked == pages + len(CHAINS) * (
        2 * len(LINK_PAGES) + len(POST_ONLY) + len(RESENDS) + 2 * len(RECEIPTS)
    ) + len(FEEDS)
    assert not mismatches, "\n".join(mismatches)


# Emailed links -------------------------------------------------------------------------------------


def neighbour_of(chain: str) -> str:
    return CHAINS[(CHAINS.index(chain) + 1) % len(CHAINS)]


def token_for_another_action(name: str, docs: Documents) -> str:
    """A genuine link to the page's own document and recipient, issued for another action."""
    kind = LINK_PAGES[name]
    tutor = docs.contract.company_tutor
    other = ActionLink.Action.EVALUATE if name != "evaluation_link" else ActionLink.Action.COUNTERSIGN
    return links.issue(document=getattr(docs, kind), action=other, email=tutor.email, name=str(tutor))[1]


def test_an_emailed_link_page_refuses_a_bad_token(client, documents):
    """Tampered, issued for another document, or for another action: a 400 (no login needed)."""
    mismatches = []
    for name, kind in LINK_PAGES.items():
        for chain in CHAINS:
            docs = documents[chain]
            cases = [
                ("falsifié", tampered(docs.tokens[name])),
                ("d'un autre document", documents[neighbour_of(chain)].tokens[name]),
            ]
            cases.append(("d'une autre action", token_for_another_action(name, docs)))
            for case, token in cases:
                status = client.get(url_of(name, docs, kind, token)).status_code
                if status != 400:
                    mismatches.append(f"{name} ({chain}), jeton {case} : {status} au lieu de 400")
    assert not mismatches, "\n".join(mismatches)


# POSTs ---------------------------------------------------------------------------------------------


def post_data(name: str, docs: Documents) -> dict:
    """What the form of ``name`` posts, filled in as its page would: a refusal then comes from the
    scoping (or from the document's state), not from an empty form."""
    today = timezone.localdate().isoformat()
    return {
        "visit_plan": {"planned_date": today, "mode": VisitReport.Mode.ON_SITE},
        "visit_log": {
            "held_on": today,
            "mode": VisitReport.Mode.ON_SITE,
            "revision": docs.planned_visit.revision,
            "apprentice_present": "oui",
            "company_tutor_present": "oui",
            **VISIT_TEXT,
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
        },
        "sheet_save": {**APPRENTICE_TEXT, "revision": docs.sheet.revision, "action": "submit"},
        "sheet_countersign": {"tutor_assessment": "Très bonne période.", "confirm": "on"},
        "sheet_return": {"reason": "Détaillez les compétences."},
        "sheet_review": {"comment": "Fiche lue."},
        "sheet_correct": {},
        "visit_cancel": {"reason": "Entreprise fermée."},
        "visit_move": {
            "planned_date": (timezone.localdate() + datetime.timedelta(days=12)).isoformat(),
            "planned_time": "14:30",
            "mode": VisitReport.Mode.VIDEO,
        },
        "visit_acknowledge": {},
        "visit_correct": {},
        "visit_discard_correction": {},
        "action_close": {"done_on": today},
        "mission_create": {},
        "mission_save": {**MISSION_TEXT, "revision": docs.mission.revision, "action": "submit"},
        "mission_validate": {"comment": "Validée."},
        "mission_return": {"comment": "Précisez le projet."},
        "mission_correct": {},
        "mission_remind": {},
        "evaluation_open": {"period": docs.free_period.pk},
        "grid_sharing": {"shared_on": today, "means": GridSharing.Means.MEETING},
        "evaluation_save": {"comment": "Bonne période.", "action": "submit"},
        "sheet_link": {"tutor_assessment": "Très bonne période.", "confirm": "on"},
        "visit_link": {},
        "evaluation_link": {"comment": "Bonne période.", "action": "submit"},
    }[name]


def snapshot(document) -> dict:
    state = {model._meta.label: model.objects.count() for model in TRACKED}
    state["row"] = type(document).objects.filter(pk=document.pk).values().get()
    return state


def posted_routes():
    """(route, kind) of every route that takes a POST behind the login."""
    for name in sorted(PAGES_ALSO_POSTED):
        yield name, PAGES[name][0]
    yield from POST_ONLY.items()


@pytest.mark.parametrize("visitor", VISITORS, ids=[v or "anonymous" for v in VISITORS])
def test_a_post_where_the_visitor_cannot_reach_is_refused_and_changes_nothing(
    client, world, documents, visitor, django_capture_on_commit_callbacks
):
    """A 404 (302 to the login page for an anonymous visitor) on every chain the visitor does not
    see, and on the pages of ONLY_FOR for the roles not listed there; no row, no audit event, no
    mail queued."""
    log_in(client, world, visitor)
    mismatches = []
    posted = 0
    for name, kind in posted_routes():
        for chain in CHAINS:
            if reaches(visitor, name, chain):
                continue
            docs = documents[chain]
            document = getattr(docs, kind)
            before = snapshot(document)
            with django_capture_on_commit_callbacks() as queued:
                response = client.post(url_of(name, docs, kind), post_data(name, docs))
            posted += 1
            expected = 302 if visitor is None else 404
            got = response.status_code
            if got == 302 and not response["Location"].startswith(login_url()):
                got = f"302 vers {response['Location']}"
            if got != expected:
                mismatches.append(f"{name} ({chain}) : {got} au lieu de {expected}")
            if snapshot(document) != before or queued:
                mismatches.append(f"{name} ({chain}) : un POST refusé a changé quelque chose")
    assert posted >= len(POST_ONLY)
    assert not mismatches, "\n".join(mismatches)


def test_a_post_where_the_visitor_reaches_gets_past_the_scoping(client, world, documents):
    """The control of the test above: the same posts, by each role on each chain it reaches, are
    answered by the view (the transition itself may be refused with a message, or done)."""
    answered = []
    for role in ROLES:
        client.force_login(world.users[role])
        for name, kind in posted_routes():
            for chain in CHAINS:
                if not reaches(role, name, chain):
                    continue
                docs = documents[chain]
                status = client.post(url_of(name, docs, kind), post_data(name, docs)).status_code
                if status not in (200, 302, 400, 409):
                    answered.append(f"{name} ({role}, {chain}) : {status}")
    assert not answered, "\n".join(answered)


def test_an_emailed_link_posted_with_a_tampered_token_is_refused_and_changes_nothing(
    client, documents, django_capture_on_commit_callbacks
):
    mismatches = []
    for name, kind in LINK_PAGES.items():
        for chain in CHAINS:
            docs = documents[chain]
            document = getattr(docs, kind)
            before = snapshot(document)
            with django_capture_on_commit_callbacks() as queued:
                response = client.post(
                    url_of(name, docs, kind, tampered(docs.tokens[name])), post_data(name, docs)
                )
            if response.status_code != 400:
                mismatches.append(f"{name} ({chain}) : {response.status_code} au lieu de 400")
            if snapshot(document) != before or queued:
                mismatches.append(f"{name} ({chain}) : un lien falsifié a changé quelque chose")
    assert not mismatches, "\n".join(mismatches)


def test_a_resend_answers_the_same_and_sends_only_for_a_genuine_link(
    client, documents, django_capture_on_commit_callbacks
):
    """Tampered, or another document's: the same page, nothing queued, nothing written. The chain's
    own genuine link: the same page, and one mail queued (the control)."""
    mismatches = []
    for name, kind in RESENDS.items():
        link_page = name.removesuffix("_resend")
        for chain in CHAINS:
            docs, neighbour = documents[chain], documents[neighbour_of(chain)]
            document = getattr(docs, kind)
            for case, token, sends in (
                ("falsifié", tampered(docs.tokens[link_page]), False),
                ("d'un autre document", neighbour.tokens[link_page], False),
                ("authentique", docs.tokens[link_page], True),
            ):
                before = snapshot(document)
                with django_capture_on_commit_callbacks() as queued:
                    response = client.post(url_of(name, docs, kind, token))
                if response.status_code != 200:
                    mismatches.append(f"{name} ({chain}), jeton {case} : {response.status_code}")
                if bool(queued) != sends:
                    mismatches.append(
                        f"{name} ({chain}), jeton {case} : envoi {bool(queued)} au lieu de {sends}"
                    )
                if not sends and snapshot(document) != before:
                    mismatches.append(f"{name} ({chain}), jeton {case} : a changé quelque chose")
    assert not mismatches, "\n".join(mismatches)
