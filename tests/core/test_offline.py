"""The platform as an installable application (core/offline.py): the web app manifest, the service
worker served from the root, the offline page; every page links them, and the Content-Security-Policy
stays strict (scripts from the platform only)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from PIL import Image

from core.models import Role
from core.offline import ASSETS, OFFLINE_HEADER, THEME_COLOUR
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_platform_in_french_with_its_icons_and_theme_colour(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json; charset=utf-8"
    manifest = json.loads(response.content)
    assert (manifest["name"], manifest["lang"], manifest["start_url"], manifest["scope"]) == (
        settings.PLATFORM_NAME,
        "fr",
        "/",
        "/",
    )
    assert manifest["display"] == "standalone"
    assert manifest["description"].startswith("Livret d'apprentissage électronique")
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _purpose), src in icons.items():
        name = src.removeprefix(settings.STATIC_URL)
        with Image.open(finders.find(name)) as image:
            assert (image.format, f"{image.width}x{image.height}") == ("PNG", sizes)


def test_the_theme_colour_is_the_primary_colour_of_the_style_sheet(client):
    css = Path(finders.find("css/app.css")).read_text()

    primary = re.search(r"--c-primary:\s*(#[0-9a-f]{6});", css).group(1)

    assert THEME_COLOUR == primary
    assert json.loads(client.get("/manifest.webmanifest").content)["theme_color"] == primary


def test_the_service_worker_is_served_from_the_root_for_the_whole_platform(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    text = response.content.decode()
    for name in ASSETS:
        assert json.dumps(static(name)) in text or f'"{static(name)}"' in text
    assert '"/hors-ligne/"' in text
    assert json.dumps(OFFLINE_HEADER.lower()) in text
    # Every file it keeps exists.
    assert all(finders.find(name) for name in ASSETS)


def test_the_offline_page_is_in_french_and_about_no_one(client):
    response = client.get(reverse("offline"))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Vous êtes hors connexion" in page
    assert "data-offline-banner" in page
    assert "csrfmiddlewaretoken" not in page


def test_the_offline_page_of_a_signed_in_person_says_nothing_about_them(client):
    user = UserFactory(roles=[Role.SCHOOL_TUTOR], first_name="Clémence", last_name="Unique")
    client.force_login(user)

    page = client.get(reverse("offline")).content.decode()

    assert "Clémence" not in page and "Unique" not in page and "csrfmiddlewaretoken" not in page


@pytest.mark.parametrize("path", ["/manifest.webmanifest", "/sw.js", "/hors-ligne/"])
def test_the_application_files_reach_staff_who_have_not_set_up_their_second_factor(client, settings, path):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(UserFactory(roles=[Role.STAFF]))

    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/manifest.webmanifest", "/sw.js", "/hors-ligne/"])
def test_the_application_files_carry_the_strict_content_security_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]

    assert policy == settings.CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    # Scripts, workers and the manifest come from the platform only ('self' by default-src), never inline.
    assert directives["default-src"] == "'self'"
    assert not {"script-src", "worker-src", "manifest-src"} & set(directives)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_every_page_links_the_manifest_and_the_service_worker(client):
    client.force_login(UserFactory(roles=[Role.SCHOOL_TUTOR]))

    page = client.get(reverse("home")).content.decode()

    assert f'<link rel="manifest" href="{reverse("manifest")}">' in page
    assert f'data-service-worker="{reverse("service_worker")}"' in page
    assert f'<meta name="theme-color" content="{THEME_COLOUR}">' in page
    assert 'src="/static/js/drafts.js"' in page
    assert "data-offline-banner" in page


@pytest.mark.parametrize("method", ["post", "put"])
def test_the_application_files_only_answer_a_get(client, method):
    for path in ("/manifest.webmanifest", "/sw.js", "/hors-ligne/"):
        assert getattr(client, method)(path).status_code == 405
