"""The apprentice's draft: saved as they type, never silently overwritten by a stale copy."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.workflow.drafts import StaleDraft
from livret.models import LiaisonSheet
from livret.services import sheets as services
from tests.livret.factories import APPRENTICE_TEXT, LiaisonSheetFactory, small_world, snapshot

JSON = {"HTTP_ACCEPT": "application/json"}
NEW_TEXT = {**APPRENTICE_TEXT, "activities": "Refonte du tableau de bord de production."}
TOO_LONG = "é" * (LiaisonSheet.MAX_TEXT + 1)


@pytest.fixture
def world(db):
    """Only one contract and its people: these tests never look at other contracts."""
    return small_world()


@pytest.fixture
def draft(world):
    """A draft saved once (revision 1) by its apprentice."""
    sheet = LiaisonSheetFactory(contract=world.mine.contract)
    return services.save_draft(sheet=sheet, by=world.users["apprentice"], values=APPRENTICE_TEXT, revision=0)


def save_url(sheet):
    return reverse("livret:sheet_save", args=[sheet.pk])


def test_save_draft_bumps_the_revision(world, draft):
    saved = services.save_draft(sheet=draft, by=world.users["apprentice"], values=NEW_TEXT, revision=1)

    saved.refresh_from_db()
    assert (saved.revision, saved.apprentice_content()) == (2, NEW_TEXT)


def test_save_draft_of_the_same_text_changes_nothing(world, draft):
    before = snapshot(draft)

    services.save_draft(sheet=draft, by=world.users["apprentice"], values=APPRENTICE_TEXT, revision=1)

    assert snapshot(draft) == before


def test_save_draft_from_a_stale_copy_raises_with_the_current_text_and_changes_nothing(world, draft):
    before = snapshot(draft)

    with pytest.raises(StaleDraft) as stale:
        services.save_draft(sheet=draft, by=world.users["apprentice"], values=NEW_TEXT, revision=0)

    assert (stale.value.current, stale.value.revision) == (APPRENTICE_TEXT, 1)
    assert snapshot(draft) == before


@pytest.mark.parametrize("field", LiaisonSheet.APPRENTICE_FIELDS)
def test_save_draft_refuses_too_long_a_text_and_saves_nothing(world, draft, field):
    before = snapshot(draft)

    with pytest.raises(ValidationError) as refused:
        services.save_draft(
            sheet=draft, by=world.users["apprentice"], values={**NEW_TEXT, field: TOO_LONG}, revision=1
        )

    assert refused.value.message_dict == {field: ["Ce texte dépasse 5000 caractères."]}
    assert snapshot(draft) == before


@pytest.mark.parametrize("role", ["company_tutor", "school_tutor", "head_of_diploma", "staff", "admin"])
def test_only_the_apprentice_saves_the_draft(world, draft, role):
    before = snapshot(draft)

    with pytest.raises(PermissionDenied):
        services.save_draft(sheet=draft, by=world.users[role], values=NEW_TEXT, revision=1)

    assert snapshot(draft) == before


# The endpoint the page's autosave calls ------------------------------------------------------------------


def test_autosave_returns_the_new_revision(client, world, draft):
    client.force_login(world.users["apprentice"])

    response = client.post(save_url(draft), {**NEW_TEXT, "revision": 1}, **JSON)

    assert response.status_code == 200
    assert response.json()["revision"] == 2
    draft.refresh_from_db()
    assert draft.apprentice_content() == NEW_TEXT


def test_autosave_from_a_stale_copy_is_a_409_with_the_current_text(client, world, draft):
    before = snapshot(draft)
    client.force_login(world.users["apprentice"])

    response = client.post(save_url(draft), {**NEW_TEXT, "revision": 0}, **JSON)

    assert response.status_code == 409
    assert response.json() == {"conflict": True, "current": APPRENTICE_TEXT, "revision": 1}
    assert snapshot(draft) == before


def test_autosave_of_too_long_a_text_is_refused_with_a_message(client, world, draft):
    before = snapshot(draft)
    client.force_login(world.users["apprentice"])

    response = client.post(save_url(draft), {**NEW_TEXT, "difficulties": TOO_LONG, "revision": 1}, **JSON)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["message"] for error in errors["difficulties"]] == ["Ce texte dépasse 5000 caractères."]
    assert snapshot(draft) == before


def test_form_save_of_too_long_a_text_shows_the_error_at_its_field_and_saves_nothing(client, world, draft):
    before = snapshot(draft)
    client.force_login(world.users["apprentice"])

    response = client.post(
        save_url(draft), {**NEW_TEXT, "activities": TOO_LONG, "revision": 1, "action": "save"}
    )

    # the page again, its error summary first, leading to the field (issue 15, point 1)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_activities"' in page
    assert "Ce texte dépasse 5000 caractères." in page
    assert TOO_LONG[:100] in page  # the text typed is given back, not lost
    assert snapshot(draft) == before


def test_form_save_from_a_stale_copy_gives_the_text_back_and_saves_nothing(client, world, draft):
    before = snapshot(draft)
    client.force_login(world.users["apprentice"])

    response = client.post(save_url(draft), {**NEW_TEXT, "revision": 0, "action": "save"})

    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("La fiche a été modifiée ailleurs")
    assert NEW_TEXT["activities"] in message
    assert snapshot(draft) == before


def test_autosave_by_someone_who_may_not_fill_is_refused(client, world, draft):
    before = snapshot(draft)
    client.force_login(world.users["company_tutor"])

    response = client.post(save_url(draft), {**NEW_TEXT, "revision": 1}, **JSON)

    assert response.status_code == 403
    assert snapshot(draft) == before
