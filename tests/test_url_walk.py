"""Every named page of core, portal, apprentices, employers and tutors, for every role, on every
kind of object.

The URL patterns are read from the resolver, so a new page is walked (or makes
``test_every_walked_pattern_can_be_filled`` fail until the walker knows how to fill it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import int_to_base36

from core.tokens import invitation_token
from tests.conftest import ORGANISATION_WIDE, ROLES
from tests.core.factories import UserFactory

WALKED_MODULES = ("core.", "apprentices.", "employers.", "tutors.", "portal.")
# The booklet's pages (some served by core's workflow views) are walked by tests/livret/test_url_walk.py.
WALKED_NAMESPACES = ("", "apprentices:", "employers:", "tutors:")
# The object each ``<int:pk>`` page shows, told by the page name's prefix.
PK_MODELS = {
    "apprentice_": "apprentice",
    "contract_": "contract",
    "diploma_": "diploma",
    "employer_": "employer",
}
CHAINS = ("mine", "other", "foreign")
# Pages that answer without a login: a valid invitation link, the health check, the installable
# application's files (core/offline.py).
PUBLIC = {"accept_invitation", "health", "manifest", "service_worker", "offline"}


def assert_security_policies(response, url: str) -> None:
    """Every answer carries the strict Content-Security-Policy and the Permissions-Policy."""
    csp = response.get("Content-Security-Policy", "")
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in (p.strip() for p in csp.split(";")) if part
    )
    assert directives.get("default-src") == ["'self'"], f"{url}: {csp!r}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{url}: {csp!r}"
    assert directives.get("object-src") == ["'none'"], f"{url}: {csp!r}"
    assert directives.get("base-uri") == ["'self'"] and directives.get("form-action") == ["'self'"], url
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, f"{url}: {csp!r}"
    permissions = response.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions, f"{url}: {permissions!r}"


def walked_patterns() -> list[tuple[str, tuple[str, ...]]]:
    """(qualified URL name, names of its arguments) of every named page of the walked apps."""
    found = []

    def walk(resolver, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace
                walk(entry, f"{namespace}{ns}:" if ns else namespace)
            elif (
                isinstance(entry, URLPattern)
                and entry.name
                and namespace in WALKED_NAMESPACES
                and entry.lookup_str.startswith(WALKED_MODULES)
            ):
                found.append((f"{namespace}{entry.name}", tuple(entry.pattern.converters)))

    walk(get_resolver(), "")
    return found


def pk_kind(name: str) -> str | None:
    short = name.rsplit(":", 1)[-1]
    return next((kind for prefix, kind in PK_MODELS.items() if short.startswith(prefix)), None)


def test_every_walked_pattern_can_be_filled():
    patterns = dict(walked_patterns())
    assert {
        "home",
        "invite",
        "apprentices:contract_update",
        "apprentices:contract_list",
        "employers:employer_detail",
        "tutors:tutor_list",
        "tutors:tutor_export",
    } <= set(patterns)
    for name, args in patterns.items():
        if name == "accept_invitation":
            assert args == ("uidb36", "token")
        elif name == "name_suggestions":
            assert args == ("key",)
        elif args:
            assert args == ("pk",), f"{name}: le parcours ne sait pas remplir {args}"
            assert pk_kind(name), f"{name}: quel modèle montre cette page ?"


def expected_status(role: str | None, name: str, chain: str | None) -> int:
    """``role`` None is an anonymous visitor; "nobody" is logged in without any role."""
    short = name.rsplit(":", 1)[-1]
    if name in PUBLIC:
        return 200
    if role is None:
        return 302  # to the login page
    organisation_wide = role in ORGANISATION_WIDE
    if short == "invite" or short.endswith("_create"):
        return 200 if organisation_wide else 404
    if chain is not None:
        visible = role != "nobody" and (chain == "mine" or (chain == "other" and organisation_wide))
        if short.endswith("_update"):
            return 200 if visible and organisation_wide else 404
        return 200 if visible else 404
    return 200


def urls_to_walk(world):
    invited = UserFactory(password=None, organisation=world.organisation, verified_email=False)
    invited.set_unusable_password()
    invited.save()
    for name, args in walked_patterns():
        if name == "accept_invitation":
            url = reverse(name, args=[int_to_base36(invited.pk), invitation_token.make_token(invited)])
            yield name, None, url
        elif name == "name_suggestions":
            yield name, None, reverse(name, args=["employeurs"])
        elif args:
            for chain in CHAINS:
                obj = getattr(world, chain).objects()[pk_kind(name)]
                yield name, chain, reverse(name, kwargs={"pk": obj.pk})
        else:
            yield name, None, reverse(name)


@pytest.mark.parametrize("role", [None, "nobody", *ROLES])
def test_every_page_answers_each_role_with_the_expected_status(client, world, role):
    if role == "nobody":
        client.force_login(UserFactory(organisation=world.organisation))
    elif role is not None:
        client.force_login(world.users[role])
    mismatches = []
    walked = 0
    for name, chain, url in urls_to_walk(world):
        expected = expected_status(role, name, chain)
        response = client.get(url)
        status = response.status_code
        walked += 1
        assert status not in (403, 500), f"{url} ({name}, {chain}) → {status}"
        assert_security_policies(response, url)
        if status != expected:
            mismatches.append(f"{url} ({name}, objet {chain or '-'}) : {status} au lieu de {expected}")
    assert walked >= 30
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/", "/nulle-part/", "/?q=a%00b"])
def test_the_login_the_admin_and_error_answers_carry_the_policies(client, world, url):
    client.force_login(world.users["admin"])

    assert_security_policies(client.get(url), url)


def test_the_server_error_page_has_no_inline_style_or_script():
    html = (Path(__file__).resolve().parent.parent / "templates" / "500.html").read_text()

    assert "style=" not in html and "<style" not in html and "<script" not in html
