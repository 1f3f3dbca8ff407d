"""Error pages speak French and never show Django's English defaults."""

import pytest
from django.test import RequestFactory, override_settings
from django.views import defaults

from tests.helpers import text_of


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (defaults.bad_request, "Requête invalide"),
        (defaults.permission_denied, "Accès refusé"),
        (defaults.page_not_found, "Page introuvable"),
    ],
)
def test_error_pages_are_in_french(db, view, expected):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/nulle-part/")
    request.user = AnonymousUser()

    response = view(request, exception=Exception())

    assert expected in text_of(response)


def test_server_error_page_stands_alone_in_french(db):
    response = defaults.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_a_post_with_too_many_fields_gets_the_french_400_page(client, world):
    from django.urls import reverse

    from tests.livret.factories import LiaisonSheetFactory

    sheet = LiaisonSheetFactory(contract=world.mine.contract)
    client.force_login(world.users["apprentice"])

    response = client.post(
        reverse("livret:sheet_save", args=[sheet.pk]), {f"champ{i}": "x" for i in range(10)}
    )

    assert response.status_code == 400
    assert "Requête invalide" in text_of(response)
