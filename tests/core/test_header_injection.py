"""A CR/LF in a name cannot reach a mail header: single-line fields refuse control characters, and
every subject is built so that no stored value breaks it."""

import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.core import mail
from django.urls import reverse

from apprentices.models import Apprentice
from core.forms import SingleLineFieldsMixin
from core.mail import header_text
from livret.models import LiaisonSheet
from tests.apprentices.test_apprentice_pages import new_apprentice_data
from tests.helpers import text_of
from tests.livret.factories import APPRENTICE_TEXT, LiaisonSheetFactory

pytestmark = pytest.mark.django_db

INJECTED = "Jean\r\nBcc: x@y"


@pytest.mark.parametrize("field", ["first_name", "last_name", "city"])
def test_apprentice_form_refuses_a_line_break_in_a_single_line_field_in_french(client, world, field):
    client.force_login(world.users["staff"])

    response = client.post(
        reverse("apprentices:apprentice_create"), new_apprentice_data(world, **{field: INJECTED})
    )

    assert response.status_code == 200
    assert "Ce champ tient sur une ligne" in " ".join(response.context["form"].errors[field])
    assert "Ce champ tient sur une ligne" in text_of(response)
    assert not Apprentice.objects.filter(email="ines.martin@exemple.test").exists()


@pytest.mark.parametrize(
    "value", ["Jean\tPierre", "Jean\x00", "Jean\u2028Pierre", "Jean\x85Pierre", "Jean\x1bPierre"]
)
def test_apprentice_form_refuses_tabs_and_other_control_characters_in_a_name(world, value):
    from apprentices.forms import ApprenticeForm

    form = ApprenticeForm(new_apprentice_data(world, first_name=value), user=world.users["staff"])

    assert not form.is_valid()
    assert "first_name" in form.errors


def test_apprentice_form_keeps_accents_hyphens_and_apostrophes(world):
    from apprentices.forms import ApprenticeForm

    form = ApprenticeForm(
        new_apprentice_data(world, first_name="Jean-Éloïse", last_name="N'Diaye d’Aubigné"),
        user=world.users["staff"],
    )

    assert form.is_valid(), form.errors


def test_a_stored_name_with_a_line_break_does_not_break_the_submission_mail(
    client, world, django_capture_on_commit_callbacks
):
    apprentice = world.mine.apprentice
    Apprentice.objects.filter(pk=apprentice.pk).update(first_name=INJECTED, last_name="Dupont\r\n")
    sheet = LiaisonSheetFactory(contract=world.mine.contract)
    client.force_login(world.users["apprentice"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("livret:sheet_save", args=[sheet.pk]),
            {**APPRENTICE_TEXT, "revision": 0, "action": "submit"},
        )

    sheet.refresh_from_db()
    assert response.status_code == 302
    assert sheet.status == LiaisonSheet.Status.SUBMITTED
    assert [m.to for m in mail.outbox] == [[world.mine.company_tutor.email]]
    subject = mail.outbox[0].subject
    assert "\r" not in subject and "\n" not in subject
    assert "Jean Bcc: x@y" in subject
    assert mail.outbox[0].bcc == []
    assert mail.outbox[0].message().get_all("Bcc") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Fiche de Jean\r\nBcc: x@y", "Fiche de Jean Bcc: x@y"),
        ("A\tB\x00C\u2028D\x85E", "A B C D E"),
        ("  espaces   multiples ", "espaces multiples"),
    ],
)
def test_header_text_folds_every_line_break_and_control_character_into_one_space(value, expected):
    assert header_text(value) == expected


def project_form_classes() -> list[type]:
    root = Path(__file__).resolve().parents[2]
    found = []
    # Every app of the project (not Django's nor allauth's), so that a new app is checked too.
    packages = [app.name for app in apps.get_app_configs() if Path(app.path).parent == root]
    for package in packages:
        for path in sorted((root / package).rglob("forms*.py")) + sorted(
            (root / package).rglob("forms/*.py")
        ):
            module = importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
            found += [
                cls
                for _name, cls in inspect.getmembers(module, inspect.isclass)
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
            ]
    return found


def test_every_form_of_the_platform_refuses_control_characters():
    classes = project_form_classes()

    assert len(classes) > 20
    assert [cls.__qualname__ for cls in classes if not issubclass(cls, SingleLineFieldsMixin)] == []
