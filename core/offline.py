"""The platform as an installed application that keeps working without network.

- ``/manifest.webmanifest``: the web app manifest (French name, icons, the theme colour of app.css).
- ``/sw.js``: the service worker, served from the root so that its scope is the whole platform
  (``Service-Worker-Allowed: /``). It keeps the static assets and the offline page, and a copy of the
  pages that write a draft (those answered with :data:`OFFLINE_HEADER`), so that such a page opens
  again without network; every other page goes to the network, and to the offline page without it.
- ``/hors-ligne/``: the page shown when a page is asked for without network.

What is typed without network is kept in the browser by ``static/js/drafts.js`` and sent to the
server when the network is back, with the draft's revision check (``core.workflow.drafts``).
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# A page answered with this header may be kept by the service worker and opened again offline: a page
# whose draft is saved as it is typed (a visit report, a liaison sheet). No other page is kept.
OFFLINE_HEADER = "X-Copie-Hors-Ligne"

# The theme colour: --c-primary in static/css/app.css.
THEME_COLOUR = "#1f3f8a"
BACKGROUND_COLOUR = "#f4f5f9"

# What the service worker keeps from its installation: the pages need them without network.
ASSETS = (
    "css/app.css",
    "js/app.js",
    "js/htmx.min.js",
    "js/drafts.js",
    "img/favicon.svg",
    "img/icon-192.png",
    "img/icon-512.png",
    "img/icon-maskable-512.png",
)


def asset_urls() -> list[str]:
    return [static(name) for name in ASSETS]


@require_GET
@cache_control(max_age=86_400, public=True)
def manifest(request):
    data = {
        "name": settings.PLATFORM_NAME,
        "short_name": _("Livret"),
        "description": _(
            "Livret d'apprentissage électronique : fiches de liaison, visites en entreprise, missions et "
            "évaluations, même sans réseau."
        ),
        "lang": "fr",
        "dir": "ltr",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("img/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/manifest+json; charset=utf-8",
    )


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """The worker's text changes with the assets' names (hashed in production): a new deployment
    installs a new worker, which drops the caches of the old one."""
    assets = asset_urls()
    offline_url = reverse("offline")
    version = hashlib.sha256(json.dumps([assets, offline_url, settings.LANGUAGE_CODE]).encode()).hexdigest()[
        :12
    ]
    response = render(
        request,
        "core/sw.js",
        {
            "version": version,
            "assets_json": json.dumps(assets),
            "offline_url_json": json.dumps(offline_url),
            "header_json": json.dumps(OFFLINE_HEADER.lower()),
            "logout_url_json": json.dumps(reverse("account_logout")),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """Shown by the service worker in place of a page asked for without network."""
    return render(request, "core/offline.html")
