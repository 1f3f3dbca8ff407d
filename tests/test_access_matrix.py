"""The access matrix: every URL pattern of the resolver, every visitor, GET and POST, on objects owned
by different people and organisations.

Each pattern is declared in ``tests/access_matrix_support.py`` (``RULES``, or the families of
Django's admin and allauth); an undeclared one fails ``test_every_url_pattern_is_declared`` with its
name. For each declared view and each visitor: allowed where the rule says, a 404 on an object the
visitor does not reach, the login page for an anonymous visitor, a 400 for a bad emailed token, and
no row changed (nor mail nor task queued) by a refused POST. One dataset is built for the module;
every request runs in a savepoint rolled back after it, so one view's POST never changes what the
next one sees. The failures of a view are reported together.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.db import DatabaseError, models, transaction
from django.shortcuts import resolve_url
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core import feeds
from tests.access_matrix_support import (
    ALLAUTH_PUBLIC,
    ALLAUTH_TOKEN,
    CHAINS,
    OWN,
    PUBLIC,
    RULES,
    SHARED_KINDS,
    TOKEN,
    VISITORS,
    Pattern,
    build_dataset,
    fingerprint,
    tables_written_since,
    write_counts,
)
from tests.conftest import ORGANISATION_WIDE
from tests.livret.test_url_walk import post_data, tampered


def url_patterns() -> list[Pattern]:
    """Every pattern of the resolver, with its namespaced name and the names of its arguments."""
    found = []

    def walk(resolver, namespace, prefix):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace, route)
            elif isinstance(entry, URLPattern):
                converters = getattr(entry.pattern, "converters", {})
                arguments = tuple(converters) or tuple(entry.pattern.regex.groupindex)
                found.append(Pattern(f"{namespace}{entry.name}", route, arguments, entry.lookup_str))

    walk(get_resolver(), "", "/")
    return found


PATTERNS = url_patterns()


def family(pattern: Pattern) -> str | None:
    """Where the pattern is declared: "rule", "admin", "allauth", or None (undeclared)."""
    if pattern.name in RULES:
        return "rule"
    if pattern.name.startswith("admin:"):
        return "admin"
    if pattern.lookup.startswith("allauth."):
        return "allauth"
    return None


def test_every_url_pattern_is_declared():
    undeclared = [f"{p.name} ({p.route}, {p.lookup})" for p in PATTERNS if family(p) is None]
    assert not undeclared, (
        "Vues sans règle d'accès : déclarez-les dans tests/access_matrix_support.py (RULES) :\n"
        + "\n".join(undeclared)
    )
    names = {p.name for p in PATTERNS}
    assert not set(RULES) - names, f"règles de vues disparues : {sorted(set(RULES) - names)}"
    for p in PATTERNS:
        if p.name in RULES:
            assert len(RULES[p.name].kinds) == len(p.arguments), f"{p.name}: arguments {p.arguments}"
    assert len([p for p in PATTERNS if family(p) == "rule"]) >= 95


# The module's dataset ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_dataset()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def login_url() -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?next="


def client_for(dataset, visitor) -> Client:
    client = Client(raise_request_exception=False)
    if visitor is not None:
        client.force_login(dataset.users[visitor])
    return client


@transaction.atomic
def send(client, method: str, url: str, data: dict, *, track: bool):
    """The request in a savepoint rolled back after it. Returns the response and what it changed:
    rows (when ``track``), mails sent, tasks or mails queued on commit.

    Rows: the tables the request wrote (PostgreSQL's counts of this transaction), read after it and again
    once its savepoint is rolled back; a row written and then put back by the request is no change."""
    changed = []
    counts = write_counts() if track else None
    outbox = len(mail.outbox)
    written, after = [], None
    with transaction.atomic():
        with TestCase.captureOnCommitCallbacks() as queued:
            response = client.post(url, data) if method == "POST" else client.get(url)
        if track:
            try:
                written = tables_written_since(counts)
                after = fingerprint(written) if written else None
            except DatabaseError as error:
                changed.append(f"base en erreur après la requête : {error}")
        if response.streaming:
            # Read to its end, as a server would: the test client then closes the file it serves.
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    if after is not None and fingerprint(written) != after:
        changed.append("des lignes ont changé")
    if len(mail.outbox) != outbox:
        changed.append("un message électronique est parti")
    if queued:
        changed.append("une tâche ou un message électronique a été mis en file")
    transaction.set_rollback(True)
    return response, changed


def reaches(rule, visitor, chain: str | None) -> bool:
    if chain is None or chain == "mine":
        return True
    return rule.scope != OWN and chain == "other" and visitor in ORGANISATION_WIDE


def expected(rule, visitor, method: str, chain: str | None) -> str:
    """ "allowed", "login", "404" or "405"."""
    who = rule.get if method == "GET" or (rule.post is None and rule.post_as_get) else rule.post
    if rule.anonymous == PUBLIC:
        return "allowed"
    if visitor is None:
        return "login"
    if who is None:
        return "405"
    if visitor not in who or not reaches(rule, visitor, chain):
        return "404"
    return "allowed"


def verdict(response, expectation: str) -> str | None:
    """What is wrong with ``response`` for ``expectation``, or None."""
    status = response.status_code
    location = response.get("Location", "")
    to_login = status == 302 and location.startswith(login_url())
    if status >= 500:
        return f"{status}"
    if expectation == "login":
        return None if to_login else f"{status} {location} au lieu de la page de connexion"
    if expectation in ("404", "405"):
        return None if str(status) == expectation else f"{status} {location} au lieu de {expectation}"
    if status in (403, 404, 405) or to_login:
        return f"{status} {location} au lieu d'un accès"
    return None


def url_of(name: str, pattern: Pattern, rule, dataset, visitor, chain: str | None, token=None) -> str | None:
    kwargs = {}
    for argument, kind in zip(pattern.arguments, rule.kinds, strict=True):
        if kind == "token":
            kwargs[argument] = token
            continue
        if kind == "uidb36":
            kwargs[argument] = dataset.invitation[0]
            continue
        value = dataset.fill(kind, chain or "mine", visitor)
        if value is None:
            return None
        kwargs[argument] = value.pk if isinstance(value, models.Model) else value
    return reverse(name, kwargs=kwargs)


# Extra fields of the forms that are not livret's, filled so that a refusal comes from the scoping.
POSTED = {
    "quality:attest": {"statement": "Un secrétariat dédié."},
    "quality:milestone_create": {"title": "Palier", "perimeter": "1"},
    "reports:csv_export": {"liste": "apprentices"},
    "interop:report_confirm": {},
}


def data_for(name: str, dataset, chain: str | None) -> dict:
    if name in ("quality:recompute", "reports:compliance_export"):
        return {"annee": dataset.shared["year"], "year": dataset.shared["year"]}
    if name.startswith("livret:"):
        try:
            return post_data(name.split(":", 1)[1], dataset.documents[chain or "mine"])
        except KeyError:
            return {}
    return POSTED.get(name, {})


def owned(rule) -> bool:
    return any(kind not in SHARED_KINDS and kind not in ("token", "uidb36") for kind in rule.kinds)


def check_token_view(name, pattern, rule, dataset) -> list[str]:
    """An emailed link: the same for every visitor, logged in or not. A genuine token opens the page
    (GET), a tampered one is a 400 and a POST with it changes nothing; a resend answers every token
    alike and sends nothing for a bad one."""
    problems = []
    resend = rule.get is None
    if rule.feed:
        return check_feed(name, pattern, rule, dataset)
    for visitor in VISITORS:
        client = client_for(dataset, visitor)
        for chain in CHAINS if owned(rule) else (None,):
            if name == "accept_invitation":
                genuine = dataset.invitation[1]
            else:
                short = name.split(":", 1)[1].removesuffix("_resend").removesuffix("_receipt")
                genuine = dataset.documents[chain].tokens[short]
            label = f"{visitor or 'anonyme'}, {chain or '-'}"
            if resend:
                url = url_of(name, pattern, rule, dataset, visitor, chain, tampered(genuine))
                response, _ = send(client, "GET", url, {}, track=False)
                if response.status_code != 405:
                    problems.append(f"GET ({label}) : {response.status_code} au lieu de 405")
                response, changed = send(client, "POST", url, {}, track=True)
                if response.status_code != 200 or changed:
                    problems.append(f"POST jeton falsifié ({label}) : {response.status_code} {changed}")
                continue
            if rule.receipt:
                # Nothing was signed with a link not used yet, nor with a tampered one.
                for token in (genuine, tampered(genuine)):
                    url = url_of(name, pattern, rule, dataset, visitor, chain, token)
                    response, _ = send(client, "GET", url, {}, track=False)
                    if response.status_code != 404:
                        problems.append(f"GET reçu ({label}) : {response.status_code} au lieu de 404")
                    response, changed = send(client, "POST", url, {}, track=True)
                    if response.status_code != 405 or changed:
                        problems.append(f"POST reçu ({label}) : {response.status_code} {changed}")
                continue
            url = url_of(name, pattern, rule, dataset, visitor, chain, genuine)
            response, _ = send(client, "GET", url, {}, track=False)
            if response.status_code != 200:
                problems.append(f"GET jeton authentique ({label}) : {response.status_code}")
            url = url_of(name, pattern, rule, dataset, visitor, chain, tampered(genuine))
            for method in ("GET", "POST"):
                response, changed = send(client, method, url, data_for(name, dataset, chain), track=True)
                if response.status_code != 400 or changed:
                    problems.append(f"{method} jeton falsifié ({label}) : {response.status_code} {changed}")
    return problems


def check_feed(name, pattern, rule, dataset) -> list[str]:
    """A private calendar feed: the owner's token opens it for every visitor, logged in or not; a
    tampered or revoked one is a 404; a POST is refused (405) and changes nothing."""
    problems = []
    genuine = feeds.create(dataset.users["apprentice"])
    for visitor in VISITORS:
        client = client_for(dataset, visitor)
        label = visitor or "anonyme"
        response, _ = send(
            client, "GET", url_of(name, pattern, rule, dataset, visitor, None, genuine), {}, track=False
        )
        if response.status_code != 200:
            problems.append(f"GET jeton authentique ({label}) : {response.status_code}")
        url = url_of(name, pattern, rule, dataset, visitor, None, tampered(genuine))
        response, _ = send(client, "GET", url, {}, track=False)
        if response.status_code != 404:
            problems.append(f"GET jeton falsifié ({label}) : {response.status_code} au lieu de 404")
        response, changed = send(client, "POST", url, {}, track=True)
        if response.status_code != 405 or changed:
            problems.append(f"POST ({label}) : {response.status_code} {changed}")
    feeds.revoke(dataset.users["apprentice"])
    response, _ = send(
        client_for(dataset, None),
        "GET",
        url_of(name, pattern, rule, dataset, None, None, genuine),
        {},
        track=False,
    )
    if response.status_code != 404:
        problems.append(f"GET jeton révoqué : {response.status_code} au lieu de 404")
    return problems


def check_view(name, pattern, rule, dataset) -> list[str]:
    if rule.anonymous == TOKEN:
        return check_token_view(name, pattern, rule, dataset)
    problems = []
    opened = set()  # the chains a sampled page was opened on
    for visitor in VISITORS:
        client = client_for(dataset, visitor)
        for chain in CHAINS if owned(rule) else (None,):
            url = url_of(name, pattern, rule, dataset, visitor, chain)
            if url is None:
                continue
            for method in ("GET", "POST"):
                expectation = expected(rule, visitor, method, chain)
                if rule.sampled and expectation == "allowed" and method == "GET":
                    if chain in opened:
                        continue
                    opened.add(chain)
                if method == "POST" and rule.post is None and expectation == "allowed":
                    continue  # answered as the GET just checked: a refused visitor's POST is what matters
                may_write = expectation == "allowed" and (
                    (method == "POST" and rule.post is not None) or (method == "GET" and rule.audited_get)
                )
                response, changed = send(
                    client, method, url, data_for(name, dataset, chain), track=not may_write
                )
                label = f"{method} {url} ({visitor or 'anonyme'}, objet {chain or '-'})"
                if problem := verdict(response, expectation):
                    problems.append(f"{label} : {problem}")
                if changed and not may_write:
                    problems.append(f"{label} : refusé mais {', '.join(changed)}")
    return problems


DECLARED = [p for p in PATTERNS if family(p) == "rule"]


@pytest.mark.parametrize("pattern", DECLARED, ids=[p.name for p in DECLARED])
def test_each_view_answers_every_visitor_as_its_rule_says(db, dataset, pattern):
    problems = check_view(pattern.name, pattern, RULES[pattern.name], dataset)
    assert not problems, f"{pattern.name} :\n" + "\n".join(problems)


# Django's admin and allauth: their own rules -------------------------------------------------------

# The admin and allauth answer by ``is_staff`` and by session, not by role: one visitor of each kind.
FAMILY_VISITORS = (None, "apprentice", "staff")
ADMIN_PUBLIC = {"admin:login", "admin:logout", "admin:jsi18n"}
# What an ``is_staff`` user reaches without any model permission: the index, their own password.
ADMIN_OWN = {"admin:index", "admin:password_change", "admin:password_change_done"}


def test_the_django_admin_opens_only_to_staff_with_permissions(db, dataset):
    """The admin's pages without argument: an anonymous visitor and every role without ``is_staff``
    are sent to a login page; the CFA's staff and admins (``is_staff``, without model permissions)
    get no model page (403); nobody's POST changes a row."""
    problems = []
    login_pages = (reverse("admin:login"), resolve_url(settings.LOGIN_URL))
    for pattern in PATTERNS:
        if family(pattern) != "admin" or pattern.arguments or pattern.name in ADMIN_PUBLIC:
            continue
        url = reverse(pattern.name)
        for visitor in FAMILY_VISITORS:
            user = dataset.users.get(visitor)
            client = client_for(dataset, visitor)
            for method in ("GET", "POST"):
                response, changed = send(client, method, url, {}, track=method == "POST")
                status, location = response.status_code, response.get("Location", "")
                label = f"{method} {url} ({visitor or 'anonyme'})"
                if user is None or not user.is_staff:
                    if status != 302 or not location.startswith(login_pages):
                        problems.append(f"{label} : {status} {location} au lieu de la connexion")
                elif pattern.name not in ADMIN_OWN and status not in (302, 403, 405):
                    problems.append(f"{label} : {status} sans permission sur le modèle")
                if changed and pattern.name != "admin:logout":
                    problems.append(f"{label} : {', '.join(changed)}")
    assert not problems, "\n".join(problems)


# allauth's MFA index reads ``authenticators.recovery_codes`` whether or not codes exist.
@pytest.mark.ignore_template_errors
def test_allauth_pages_answer_every_visitor_without_error_or_change(db, dataset):
    """allauth's own rules: its public pages answer an anonymous visitor, the others send them to the
    login page; a link with a bad key is refused; an empty POST changes no row, for anyone."""
    problems = []
    for pattern in PATTERNS:
        if family(pattern) != "allauth":
            continue
        kwargs = {argument: "bad-key" for argument in pattern.arguments}
        if "uidb36" in kwargs:
            kwargs["uidb36"] = "zz"
        url = reverse(pattern.name, kwargs=kwargs)
        for visitor in FAMILY_VISITORS:
            client = client_for(dataset, visitor)
            for method in ("GET", "POST"):
                response, changed = send(client, method, url, {}, track=True)
                status, location = response.status_code, response.get("Location", "")
                label = f"{method} {url} ({visitor or 'anonyme'})"
                if status >= 500:
                    problems.append(f"{label} : {status}")
                if visitor is None and pattern.name not in ALLAUTH_PUBLIC | ALLAUTH_TOKEN:
                    if status != 302 or not location.startswith(login_url()):
                        problems.append(f"{label} : {status} {location} au lieu de la page de connexion")
                rows_changed = [c for c in changed if "lignes" in c]
                if rows_changed and pattern.name != "account_logout":
                    problems.append(f"{label} : {', '.join(changed)}")
    assert not problems, "\n".join(problems)


def test_the_fingerprint_sees_a_changed_row_and_not_a_page_read(db, dataset):
    """The control of every "no row changed" above."""
    sheet = dataset.objects["sheet", "mine"]
    table = type(sheet)._meta.db_table
    client = client_for(dataset, "staff")
    before, counts = fingerprint(), write_counts()
    assert client.get(reverse("livret:sheet_detail", args=[sheet.pk])).status_code == 200
    assert fingerprint() == before
    if counts is not None:  # PostgreSQL: a page read writes no table
        assert tables_written_since(counts) == []
    with transaction.atomic():
        type(sheet).objects.filter(pk=sheet.pk).update(revision=sheet.revision + 1)
        assert fingerprint() != before
        assert table in tables_written_since(counts)
        transaction.set_rollback(True)
    assert fingerprint() == before


def test_send_reports_the_rows_a_request_changes_and_not_those_it_puts_back(db, dataset, monkeypatch):
    """``send`` digests only the tables the request wrote: a row changed is seen, a row changed and
    put back is not, a page read changes nothing."""
    sheet = dataset.objects["sheet", "mine"]
    model = type(sheet)
    client = client_for(dataset, "staff")
    url = reverse("livret:sheet_detail", args=[sheet.pk])
    real_get = Client.get

    def writes(self, path, *args, **kwargs):
        model.objects.filter(pk=sheet.pk).update(revision=sheet.revision + 1)
        return real_get(self, path, *args, **kwargs)

    def writes_then_puts_back(self, path, *args, **kwargs):
        model.objects.filter(pk=sheet.pk).update(revision=sheet.revision + 1)
        model.objects.filter(pk=sheet.pk).update(revision=sheet.revision)
        return real_get(self, path, *args, **kwargs)

    assert send(client, "GET", url, {}, track=True)[1] == []
    monkeypatch.setattr(Client, "get", writes)
    assert send(client, "GET", url, {}, track=True)[1] == ["des lignes ont changé"]
    monkeypatch.setattr(Client, "get", writes_then_puts_back)
    assert send(client, "GET", url, {}, track=True)[1] == []
    monkeypatch.setattr(Client, "get", real_get)
    # Nothing the requests wrote is left once ``send`` returns.
    assert model.objects.get(pk=sheet.pk).revision == sheet.revision
