"""The access matrix's declarations and dataset: who may GET and POST each URL pattern, and one
object of every kind owned by different people and organisations.

``tests/test_access_matrix.py`` reads every pattern from the resolver and fails for a pattern that
``RULES`` (or ``rule_for``) does not declare, so a new view is checked without anyone remembering.

A rule names the kind of object each URL argument takes, and who may GET and POST it. The visitors
are an anonymous one (``None``), ``"nobody"`` (logged in, no role) and each role of
``tests.conftest.ROLES``. Objects come in three chains: ``mine`` (the role users' own), ``other``
(other people of the same organisation) and ``foreign`` (another organisation). A role reaches an
object of its own chain; staff and admins also the other chain of their organisation (scope
``ORGANISATION``); an export is its requester's only (scope ``OWN``: ``mine`` is the visitor's own).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django.utils.http import int_to_base36

from core.models import Role
from core.tokens import invitation_token
from interop.services import planning
from jobs import links as alumni_links
from jobs import services as jobs_services
from quality.models import Attestation, ComputationRun, Requirement
from reports import dashboard as board
from reports.models import Export
from tests.conftest import ORGANISATION_WIDE, ROLES, build_world, ensure_referential
from tests.core.factories import UserFactory
from tests.interop.factories import csv_bytes, row
from tests.jobs.factories import JobOfferFactory, former_apprentice
from tests.livret.test_url_walk import documents_of
from tests.quality.factories import EvidenceFactory, MeetingFactory, MilestoneFactory
from tests.surveys.factories import survey_campaign, survey_invitation, survey_token

CHAINS = ("mine", "other", "foreign")
VISITORS = (None, "nobody", *ROLES)

ANY = frozenset({"nobody", *ROLES})  # every logged-in person, with or without a role
ROLE_USERS = frozenset(ROLES)
STAFF = frozenset(ORGANISATION_WIDE)
QUALITY = frozenset({"head_of_diploma", *ORGANISATION_WIDE})
FOLLOW_UP = frozenset({"school_tutor", "head_of_diploma", *ORGANISATION_WIDE})
PLANNERS = frozenset({"school_tutor", *ORGANISATION_WIDE})
POSTERS = frozenset({"company_tutor", *ORGANISATION_WIDE})
NOBODY = frozenset()

# How a visitor reaches an object of a chain.
ORGANISATION = "organisation"  # own chain; staff and admins also the other chain of the organisation
OWN = "own"  # own object only (an export: its requester's)

# How the page treats a visitor without a session.
LOGIN = "login"  # redirected to the login page (account_login)
PUBLIC = "public"  # answers everyone
TOKEN = "token"  # an emailed link: the token is the credential, a bad one is refused (400)

# The kinds of URL arguments that are not owned by anyone (the same value in every chain).
SHARED_KINDS = frozenset({"year", "requirement", "indicator", "alert", "names"})


@dataclass(frozen=True)
class Rule:
    """``kinds``: the kind of object of each URL argument, in order. ``get``/``post``: who may, or
    ``None`` when the method is refused to everyone (405). ``post_as_get``: a POST is answered as
    the GET is (a page without a form) and must change nothing."""

    kinds: tuple[str, ...] = ()
    get: frozenset | None = ANY
    post: frozenset | None = None
    scope: str = ORGANISATION
    anonymous: str = LOGIN
    post_as_get: bool = False
    # A page that takes seconds to build (a PDF): one allowed visitor per chain opens it, every
    # refused one is still walked.
    sampled: bool = False
    # An allowed GET that records itself (the download of personal data writes an audit event).
    audited_get: bool = False
    # The PDF receipt of a used emailed link: a 404 for a link not used yet and for a tampered token.
    receipt: bool = False
    # A private calendar feed: its owner's token opens it for anyone, any other token is a 404.
    feed: bool = False


def page(*kinds, who=ANY, **options) -> Rule:
    """A page without a form: GET for ``who``; a POST is answered as a GET."""
    return Rule(kinds=kinds, get=who, post=None, post_as_get=True, **options)


def form(*kinds, who=ANY, **options) -> Rule:
    """A page with its form: GET and POST for ``who``; any other method is refused."""
    return Rule(kinds=kinds, get=who, post=who, **options)


def action(*kinds, who=ANY, **options) -> Rule:
    """A POST-only action (``require_POST``)."""
    return Rule(kinds=kinds, get=None, post=who, **options)


def link(*kinds) -> Rule:
    """The page of an emailed link: no login, GET and POST with its token."""
    return Rule(kinds=(*kinds, "token"), get=ANY, post=ANY, anonymous=TOKEN)


def resend(*kinds) -> Rule:
    """ "Send me a fresh link": POST only, no login, the same answer whatever the token."""
    return Rule(kinds=(*kinds, "token"), get=None, post=ANY, anonymous=TOKEN)


def receipt(*kinds) -> Rule:
    """The PDF receipt of what a used emailed link signed: GET only, no login, the token the key."""
    return Rule(kinds=(*kinds, "token"), get=ANY, post=None, anonymous=TOKEN, receipt=True)


def calendar_feed() -> Rule:
    """A person's calendar feed: GET only, no login, the token its only key."""
    return Rule(kinds=("token",), get=ANY, post=None, anonymous=TOKEN, feed=True)


RULES: dict[str, Rule] = {
    # core
    "home": page(),
    "health": page(anonymous=PUBLIC),
    # The installable application (core/offline.py): the same for everyone, GET only.
    "manifest": Rule(get=ANY, post=None, anonymous=PUBLIC),
    "service_worker": Rule(get=ANY, post=None, anonymous=PUBLIC),
    "offline": Rule(get=ANY, post=None, anonymous=PUBLIC),
    "invite": form(who=STAFF),
    "profile": page(),
    # The suggestions of a filter's search field: JSON, GET only, scoped in the view.
    "name_suggestions": Rule(kinds=("names",), get=ANY, post=None),
    "accept_invitation": Rule(kinds=("uidb36", "token"), get=ANY, post=ANY, anonymous=TOKEN),
    "set_language": Rule(get=ANY, post=ANY, anonymous=PUBLIC),
    # apprentices, employers, tutors: lists scoped to what the reader sees, records edited by staff
    "apprentices:apprentice_list": page(),
    "apprentices:apprentice_export": page(),
    "apprentices:apprentice_create": form(who=STAFF),
    "apprentices:apprentice_detail": page("apprentice", who=ROLE_USERS),
    "apprentices:apprentice_update": form("apprentice", who=STAFF),
    "apprentices:contract_list": page(),
    "apprentices:contract_export": page(),
    "apprentices:contract_create": form(who=STAFF),
    "apprentices:contract_detail": page("contract", who=ROLE_USERS),
    "apprentices:contract_update": form("contract", who=STAFF),
    "apprentices:diploma_list": page(),
    "apprentices:diploma_detail": page("diploma", who=ROLE_USERS),
    "employers:employer_list": page(),
    "employers:employer_export": page(),
    "employers:employer_create": form(who=STAFF),
    "employers:employer_detail": page("employer", who=ROLE_USERS),
    "employers:employer_update": form("employer", who=STAFF),
    "tutors:tutor_list": page(),
    "tutors:tutor_export": page(),
    # livret: the booklet's documents, on the contracts each role follows
    "livret:booklet": page("apprentice", who=ROLE_USERS),
    # Mon agenda: every person's own address (created by the POST), and the feed it serves
    "livret:my_calendar": form(),
    "livret:calendar_feed": calendar_feed(),
    "livret:booklet_pdf": page(
        "apprentice", who=frozenset({"apprentice", "head_of_diploma", *STAFF}), sampled=True
    ),
    "livret:sheet_list": page(),
    "livret:sheet_export": page(),
    "livret:sheet_detail": page("sheet", who=ROLE_USERS),
    "livret:sheet_save": action("sheet", who=ROLE_USERS),
    "livret:sheet_countersign": action("sheet", who=ROLE_USERS),
    "livret:sheet_return": action("sheet", who=ROLE_USERS),
    "livret:sheet_review": action("sheet", who=ROLE_USERS),
    "livret:sheet_correct": action("sheet", who=ROLE_USERS),
    "livret:sheet_link": link("sheet"),
    "livret:sheet_link_resend": resend("sheet"),
    "livret:sheet_link_receipt": receipt("sheet"),
    "livret:visit_list": page(),
    "livret:visit_report_list": page(),
    "livret:visit_report_export": page(),
    "livret:contract_visits": page("contract", who=ROLE_USERS),
    "livret:visit_plan": form("contract", who=PLANNERS),
    "livret:visit_detail": page("reported_visit", who=ROLE_USERS),
    "livret:visit_log": form("planned_visit", who=PLANNERS),
    "livret:visit_pdf": page("reported_visit", who=ROLE_USERS, sampled=True),
    "livret:visit_cancel": action("planned_visit", who=ROLE_USERS),
    "livret:visit_move": action("planned_visit", who=ROLE_USERS),
    "livret:visit_acknowledge": action("reported_visit", who=ROLE_USERS),
    "livret:visit_correct": action("reported_visit", who=ROLE_USERS),
    "livret:visit_discard_correction": action("reported_visit", who=ROLE_USERS),
    "livret:visit_version": page("visit_version", who=ROLE_USERS),
    "livret:visit_link": link("reported_visit"),
    "livret:visit_link_resend": resend("reported_visit"),
    "livret:visit_link_receipt": receipt("reported_visit"),
    "livret:action_close": action("action", who=ROLE_USERS),
    "livret:mission_list": page(),
    "livret:mission_export": page(),
    "livret:mission_create": action("contract", who=ROLE_USERS),
    "livret:mission_detail": page("mission", who=ROLE_USERS),
    "livret:mission_save": action("mission", who=ROLE_USERS),
    "livret:mission_validate": action("mission", who=ROLE_USERS),
    "livret:mission_return": action("mission", who=ROLE_USERS),
    "livret:mission_correct": action("mission", who=ROLE_USERS),
    "livret:mission_remind": action("mission", who=ROLE_USERS),
    "livret:contract_evaluations": page("contract", who=ROLE_USERS),
    "livret:evaluation_open": action("contract", who=ROLE_USERS),
    "livret:grid_sharing": action("contract", who=ROLE_USERS),
    "livret:evaluation_detail": page("evaluation", who=ROLE_USERS),
    "livret:evaluation_save": action("evaluation", who=ROLE_USERS),
    "livret:evaluation_link": link("evaluation"),
    "livret:evaluation_link_resend": resend("evaluation"),
    "livret:evaluation_link_receipt": receipt("evaluation"),
    # quality: the organisation's quality team, and the heads of their diplomas
    "quality:dashboard": page(who=QUALITY),
    "quality:recompute": action(who=QUALITY),
    "quality:run_status": page("run", who=QUALITY),
    "quality:campaign_close": action("year", who=QUALITY),
    "quality:trajectory": page("diploma", "year", who=QUALITY),
    "quality:compliance_pdf": page("diploma", "year", who=QUALITY, sampled=True),
    "quality:indicator_records": page("diploma", "year", "indicator", who=QUALITY),
    "quality:thresholds": form("diploma", "year", who=QUALITY),
    "quality:milestone_create": form("diploma", "year", who=QUALITY),
    "quality:milestone_delete": action("milestone", who=QUALITY),
    "quality:followed_indicators": form("diploma", "year", who=QUALITY),
    "quality:attest": action("diploma", "year", "requirement", who=QUALITY),
    "quality:attestation_withdraw": action("attestation", who=QUALITY),
    "quality:evidence_list": page(who=QUALITY),
    "quality:evidence_create": form(who=QUALITY),
    "quality:evidence_download": page("evidence", who=QUALITY),
    "quality:meeting_list": page(who=QUALITY),
    "quality:meeting_create": form(who=QUALITY),
    "quality:meeting_detail": page("meeting", who=QUALITY),
    # privacy: an apprentice's personal data for themself and the CFA's team; the erasure for the team
    "privacy:my_data": Rule(get=frozenset({"apprentice"}), post=None),
    "privacy:archive_json": Rule(
        kinds=("apprentice",), get=frozenset({"apprentice", *STAFF}), post=None, audited_get=True
    ),
    "privacy:archive_pdf": Rule(
        kinds=("apprentice",),
        get=frozenset({"apprentice", *STAFF}),
        post=None,
        sampled=True,
        audited_get=True,
    ),
    "privacy:erasure": form(who=STAFF),
    # reports: the follow-up dashboard, and background exports (their requester's only)
    "reports:dashboard": page(who=FOLLOW_UP),
    "reports:alert_list": page("alert", who=FOLLOW_UP),
    "reports:export_list": page(),
    "reports:compliance_export": action(who=STAFF),
    "reports:csv_export": action(),
    "reports:effectifs_export": action(who=STAFF),
    "reports:export_detail": page("export", scope=OWN),
    "reports:export_status": page("export", scope=OWN),
    "reports:export_download": page("export", scope=OWN),
    "reports:export_retry": action("export", scope=OWN),
    # interop: the fichier d'effectifs, for the organisation's staff
    "interop:import_home": form(who=STAFF),
    "interop:export": page(who=STAFF),
    "interop:export_home": page(who=STAFF),
    "interop:export_xlsx": page(who=STAFF),
    "interop:template": page(who=STAFF),
    "interop:report_detail": page("import", who=STAFF),
    "interop:report_confirm": action("import", who=STAFF),
    "interop:report_status": page("import", who=STAFF),
    "interop:report_rejected": page("import", who=STAFF),
    # surveys: run by the organisation's staff; answered by the invited person from their link
    "surveys:campaign_list": page(who=STAFF),
    "surveys:questionnaire_list": page(who=STAFF),
    "surveys:questionnaire_create": form(who=STAFF),
    "surveys:questionnaire_detail": form("questionnaire", who=STAFF),
    "surveys:questionnaire_copy": action("questionnaire", who=STAFF),
    "surveys:question_delete": action("question", who=STAFF),
    "surveys:campaign_create": form(who=STAFF),
    "surveys:campaign_detail": page("campaign", who=STAFF),
    "surveys:campaign_open": action("campaign", who=STAFF),
    "surveys:campaign_close": action("campaign", who=STAFF),
    "surveys:campaign_texts_csv": page("campaign", who=STAFF),
    "surveys:campaign_pdf": page("campaign", who=STAFF, sampled=True),
    "surveys:diploma_results": form("diploma", who=STAFF),
    "surveys:answer": link("invitation"),
    # job offers: posted by the organisation's staff and by a company tutor for their own employer; read
    # by an apprentice on their page, by a former apprentice from their digest's link
    "jobs:offer_list": page(who=POSTERS),
    "jobs:offer_create": form(who=POSTERS),
    "jobs:offer_detail": page("job_offer", who=POSTERS),
    "jobs:offer_edit": form("job_offer", who=POSTERS),
    "jobs:offer_withdraw": action("job_offer", who=POSTERS),
    "jobs:former_employers": page(who=STAFF),
    # (opening it is recorded: the alumni network is measured by its visits)
    "jobs:my_offers": Rule(get=frozenset({"apprentice"}), post=None, audited_get=True),
    "jobs:alumni_offers": link("alumnus"),
}

# allauth's pages (accounts/): Django-allauth's own rules, declared by family.
ALLAUTH_PUBLIC = {
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_inactive",
    "account_request_login_code",
    "account_confirm_login_code",
    "account_logout",
    "mfa_authenticate",
}
ALLAUTH_TOKEN = {"account_confirm_email", "account_reset_password_from_key"}


def is_allauth(name: str, lookup: str) -> bool:
    return lookup.startswith("allauth.")


@dataclass(frozen=True)
class Pattern:
    name: str  # namespaced URL name ("livret:sheet_detail"), "admin:None" for an unnamed one
    route: str  # the full route, for messages
    arguments: tuple[str, ...]  # the names of its arguments, in order
    lookup: str  # dotted path of its view


# The dataset ---------------------------------------------------------------------------------------


@dataclass
class Dataset:
    world: object
    users: dict  # visitor -> user ("nobody" and the roles)
    objects: dict  # (kind, chain) -> object
    exports: dict  # user pk -> that user's own export
    documents: dict  # chain -> tests.livret.test_url_walk.Documents
    shared: dict = field(default_factory=dict)  # kind -> value of the kinds nobody owns
    invitation: tuple[str, str] = ("", "")

    def fill(self, kind: str, chain: str, visitor) -> object | None:
        """The argument of ``kind`` in ``chain`` as ``visitor`` would follow it; None when the kind
        has no object in that chain."""
        if kind in SHARED_KINDS:
            return self.shared[kind]
        if kind == "export":
            owner = self.users.get(visitor) if chain == "mine" else self.objects.get(("export_owner", chain))
            return self.exports.get(owner.pk) if owner is not None else None
        return self.objects.get((kind, chain))


def build_dataset():
    """Every kind of object in each chain, written once for the whole module."""
    ensure_referential()
    world = build_world()
    users = {"nobody": UserFactory(organisation=world.organisation), **world.users}
    year = world.academic_year
    objects = {}
    documents = {}
    foreign_staff = UserFactory(organisation=world.other_organisation, roles=[Role.STAFF], is_staff=True)
    other_staff = UserFactory(organisation=world.organisation, roles=[Role.STAFF], is_staff=True)
    staff_of = {"mine": users["staff"], "other": other_staff, "foreign": foreign_staff}
    point = Requirement.objects.get(code="p3-secretariat")
    for number, chain_name in enumerate(CHAINS):
        chain = getattr(world, chain_name)
        docs = documents_of(chain)
        documents[chain_name] = docs
        for kind in ("apprentice", "contract", "diploma", "employer"):
            objects[kind, chain_name] = chain.objects()[kind]
        for kind in (
            "sheet",
            "planned_visit",
            "reported_visit",
            "visit_version",
            "action",
            "mission",
            "evaluation",
        ):
            objects[kind, chain_name] = getattr(docs, kind)
        organisation = chain.diploma.organisation
        objects["milestone", chain_name] = MilestoneFactory(diploma=chain.diploma, academic_year=year)
        objects["attestation", chain_name] = Attestation.objects.create(
            requirement=point, diploma=chain.diploma, academic_year=year, statement="Un secrétariat."
        )
        evidence = EvidenceFactory(organisation=organisation, diploma=chain.diploma, academic_year=year)
        default_storage.save(evidence.file.name, ContentFile(b"%PDF-1.7 preuve"))
        objects["evidence", chain_name] = evidence
        objects["meeting", chain_name] = MeetingFactory(organisation=organisation, diplomas=[chain.diploma])
        diploma = chain.diploma
        diploma.rncp_code, diploma.cfd_code = f"RNCP3600{number}", f"3600000{number}"
        diploma.save(update_fields=["rncp_code", "cfd_code"])
        data = csv_bytes(
            [row(300 + number, formation_rncp=diploma.rncp_code, formation_cfd=diploma.cfd_code)]
        )
        objects["import", chain_name] = planning.preview_import(
            organisation=organisation, data=data, file_name="e.csv", by=staff_of[chain_name]
        )
        objects["export_owner", chain_name] = staff_of[chain_name]
        survey = survey_campaign(chain, year, staff_of[chain_name])
        objects["questionnaire", chain_name] = survey.questionnaire
        objects["question", chain_name] = survey.questionnaire.questions.first()
        objects["campaign", chain_name] = survey
        invitation = survey_invitation(chain, year, staff_of[chain_name])
        objects["invitation", chain_name] = invitation
        docs.tokens["answer"] = survey_token(invitation)
        objects["job_offer", chain_name] = JobOfferFactory(employer=chain.employer, diplomas=[chain.diploma])
        alumnus = former_apprentice(chain)
        objects["alumnus", chain_name] = alumnus
        docs.tokens["alumni_offers"] = alumni_links.token_for(jobs_services.alumni_link(alumnus.pk))
    # Runs belong to an organisation: the "other" chain has none of its own.
    for chain_name in ("mine", "foreign"):
        organisation = getattr(world, chain_name).diploma.organisation
        objects["run", chain_name] = ComputationRun.objects.create(
            organisation=organisation, academic_year=year, status=ComputationRun.Status.DONE
        )
    exports = {}
    for user in [*users.values(), other_staff, foreign_staff]:
        export = Export.objects.create(
            organisation=user.organisation,
            requested_by=user,
            kind=Export.Kind.CSV,
            params={"list": "apprentices", "query": ""},
            title="Apprentis",
            filename="apprentis.csv",
            status=Export.Status.DONE,
            finished_at=timezone.now(),
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
        export.file.save("apprentis.csv", ContentFile(b"nom\n"), save=True)
        exports[user.pk] = export
    invited = UserFactory(password=None, organisation=world.organisation, verified_email=False)
    invited.set_unusable_password()
    invited.save()
    return Dataset(
        world=world,
        users=users,
        objects=objects,
        exports=exports,
        documents=documents,
        shared={
            "year": year.label,
            "requirement": point.pk,
            "indicator": "rupture_rate",
            "alert": next(iter(board.KINDS)),
            "names": "employeurs",
        },
        invitation=(int_to_base36(invited.pk), invitation_token.make_token(invited)),
    )


# What a refused request must leave as it was ---------------------------------------------------------

# The session table changes on every request that logs in or stores a message: not data.
UNTRACKED_TABLES = frozenset({"django_session"})


def tracked_tables() -> list[str]:
    return sorted(set(connection.introspection.table_names()) - UNTRACKED_TABLES)


def write_counts() -> dict[str, int] | None:
    """PostgreSQL's count of the rows this transaction has inserted, updated or deleted so far, per
    tracked table (rows written then rolled back to a savepoint still count); None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE schemaname = current_schema()"
        )
        return {name: count for name, count in cursor.fetchall() if name not in UNTRACKED_TABLES}


def tables_written_since(counts: dict[str, int] | None) -> list[str]:
    """The tracked tables written since ``counts`` (``write_counts()``): those whose count moved on
    PostgreSQL, every tracked table on SQLite. One query instead of reading every row of every table."""
    if counts is None:
        return tracked_tables()
    now = write_counts() or {}
    return sorted(table for table, count in now.items() if count != counts.get(table, 0))


def writes_so_far() -> object:
    """What changes when this transaction writes a row: PostgreSQL's counts (one query; a row written and
    put back counts), or on SQLite the digest of every row."""
    counts = write_counts()
    return fingerprint() if counts is None else counts


def fingerprint(tables: list[str] | None = None) -> str:
    """A digest of every row of ``tables`` (all tracked tables by default) on PostgreSQL; on SQLite,
    of every row read back (the test databases are small)."""
    tables = tracked_tables() if tables is None else tables
    quote = connection.ops.quote_name
    rows = []
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for table in tables:
                cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - introspected names
                rows.append((table, sorted(repr(row) for row in cursor.fetchall())))
        elif tables:
            digest = "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
            parts = [f"SELECT '{table}', {digest} FROM {quote(table)} t" for table in tables]
            cursor.execute(" UNION ALL ".join(parts))
            rows = sorted(cursor.fetchall())
    return hashlib.sha256(repr(rows).encode()).hexdigest()
