"""A NUL byte (or another control character) in a query parameter, a form field or the path is
refused once, by a middleware, with the French 400 page: PostgreSQL cannot store or compare it, and
it was a 500 in many places."""

import pytest
from django.urls import reverse

from quality.models import Attestation, ComputationRun
from reports.models import Export
from tests.helpers import text_of
from tests.quality.quality_services_support import requirement

pytestmark = pytest.mark.django_db


def urls(world):
    diploma, year = world.mine.diploma, world.academic_year.label
    point = requirement("p3-secretariat")
    trajectory = f"/qualite/formations/{diploma.pk}/"
    return {
        "visit search": ("get", reverse("livret:visit_list"), {"q": "abc\x00def"}),
        "visit register search": ("get", reverse("livret:visit_report_list"), {"q": "abc\x00def"}),
        "apprentice search": ("get", reverse("apprentices:apprentice_list"), {"q": "abc\x00def"}),
        "recomputation year": ("post", reverse("quality:recompute"), {"annee": f"{year}\x00"}),
        "evidence filter": ("get", reverse("quality:evidence_list"), {"annee": f"{year}\x00"}),
        "dashboard year": ("get", reverse("quality:dashboard"), {"annee": f"{year}\x00"}),
        "attestation périmètre": (
            "post",
            reverse("quality:attest", args=[diploma.pk, year, point.pk]),
            {"statement": "Un secrétariat dédié.", "perimetre": "p\x00"},
        ),
        "trajectory périmètre": ("get", f"{trajectory}{year}/", {"perimetre": "p\x00"}),
        "compliance export year": ("post", reverse("reports:compliance_export"), {"year": f"{year}\x00"}),
        "year in a quality URL": ("get", f"{trajectory}{year}%00/", {}),
        "year in a PDF URL": ("get", f"{trajectory}{year}%00/conformite.pdf", {}),
        "control character in a form": (
            "post",
            reverse("quality:attest", args=[diploma.pk, year, point.pk]),
            {"statement": "Un secrétariat\x07 dédié."},
        ),
    }


def written() -> tuple[int, int, int]:
    return Attestation.objects.count(), ComputationRun.objects.count(), Export.objects.count()


CASES = [
    "visit search",
    "visit register search",
    "apprentice search",
    "recomputation year",
    "evidence filter",
    "dashboard year",
    "attestation périmètre",
    "trajectory périmètre",
    "compliance export year",
    "year in a quality URL",
    "year in a PDF URL",
    "control character in a form",
]


@pytest.mark.parametrize("case", CASES)
def test_a_control_character_gets_the_french_400_page_and_changes_nothing(client, world, case):
    client.raise_request_exception = False
    method, url, data = urls(world)[case]
    client.force_login(world.users["admin"])
    before = written()

    response = getattr(client, method)(url, data)

    assert response.status_code == 400
    assert "Requête invalide" in text_of(response)
    assert "caractère de contrôle" in text_of(response)
    assert written() == before


@pytest.mark.parametrize("value", ["Ligne 1\r\nLigne 2\tsuite", "Élève — « accents » ✓"])
def test_line_breaks_tabs_and_any_printable_text_pass(client, world, value):
    client.force_login(world.users["admin"])

    response = client.get(reverse("livret:visit_list"), {"q": value})

    assert response.status_code == 200
