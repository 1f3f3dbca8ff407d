"""The visit report's pages with its draft: the autosave endpoint (JSON: saved, conflict, refused), the
buttons without JavaScript (save, add an action row), presence asked with no answer ticked, up to thirty
action rows, a share from a stale copy, and the correction of a shared report into a new version whose
replaced one stays readable."""

import datetime
import re

import pytest
from django.urls import reverse

from core.offline import OFFLINE_HEADER
from livret.models import ActionItem, VisitReportVersion
from livret.services import visits as services
from tests.core.factories import UserFactory
from tests.helpers import messages_of, text_of
from tests.livret.factories import VisitReportFactory
from tests.livret.test_visit_report_pages import LOG_QUERIES, log_data
from tests.livret.visit_pages_support import PLANNERS
from tests.livret.visits_support import REPORT, TODAY, VisitStatus, log, snapshot, world
from tests.tutors.factories import SchoolTutorFactory

# The small world (one contract and its people), and another contract's school tutor for the 404s.
world = world

JSON = {"HTTP_ACCEPT": "application/json"}


def log_url(visit):
    return reverse("livret:visit_log", args=[visit.pk])


@pytest.fixture
def visit(world):
    return VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())


@pytest.fixture
def tutor_client(client, world):
    client.force_login(world.users["school_tutor"])
    return client


def rows(n, **overrides):
    """``n`` filled action rows, as the formset posts them."""
    due = (TODAY() + datetime.timedelta(days=20)).isoformat()
    data = {"actions-TOTAL_FORMS": str(n)}
    for index in range(n):
        data.update(
            {
                f"actions-{index}-description": f"Action {index + 1}",
                f"actions-{index}-owner": "company_tutor",
                f"actions-{index}-due_date": due,
            }
        )
    data.update(overrides)
    return data


# The form -----------------------------------------------------------------------------------------------


def test_the_form_asks_who_was_present_with_no_answer_ticked(tutor_client, visit):
    response = tutor_client.get(log_url(visit))

    page = response.content.decode()
    for name in ("apprentice_present", "company_tutor_present"):
        radios = re.findall(rf'<input type="radio" name="{name}"[^>]*>', page)
        assert [re.search(r'value="(\w+)"', r).group(1) for r in radios] == ["oui", "non"]
        assert not any("checked" in radio for radio in radios)
    assert "L'apprenti était-il présent ?" in text_of(response)


def test_the_form_may_be_kept_for_offline_use_and_shows_the_saved_draft(
    tutor_client, world, visit, django_assert_num_queries
):
    services.save_report_draft(
        visit=visit,
        by=world.users["school_tutor"],
        values={
            "progress": "Texte du brouillon",
            "apprentice_present": "non",
            "actions": [{"description": "Première", "owner": "cfa", "due_date": ""}],
        },
        revision=0,
    )

    with django_assert_num_queries(LOG_QUERIES):
        response = tutor_client.get(log_url(visit))

    assert response[OFFLINE_HEADER] == "1"
    form, formset = response.context["form"], response.context["formset"]
    assert (form["progress"].value(), form["apprentice_present"].value(), form["revision"].value()) == (
        "Texte du brouillon",
        "non",
        1,
    )
    # The draft's row, and one empty row to go on.
    assert [f["description"].value() for f in formset] == ["Première", None]
    assert "Brouillon enregistré le" in text_of(response)


# The autosave -------------------------------------------------------------------------------------------


def test_autosave_saves_the_draft_and_returns_the_new_revision(tutor_client, visit):
    response = tutor_client.post(
        log_url(visit), log_data(action="save", progress="Écrit dans le sous-sol", **rows(2)), **JSON
    )

    assert response.status_code == 200
    assert response.json()["revision"] == 1
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
    assert visit.draft["progress"] == "Écrit dans le sous-sol"
    assert [row["description"] for row in visit.draft["actions"]] == ["Action 1", "Action 2"]


def test_autosave_sent_twice_from_the_same_revision_is_saved_once(tutor_client, visit):
    data = log_data(action="save", progress="Écrit hors connexion")
    tutor_client.post(log_url(visit), data, **JSON)
    before = snapshot(visit)

    response = tutor_client.post(log_url(visit), data, **JSON)

    assert (response.status_code, response.json()["revision"]) == (200, 1)
    assert snapshot(visit) == before


def test_autosave_from_a_stale_copy_is_a_409_with_the_current_draft(tutor_client, visit):
    tutor_client.post(log_url(visit), log_data(action="save", progress="Saisi sur l'ordinateur"), **JSON)
    before = snapshot(visit)

    response = tutor_client.post(
        log_url(visit), log_data(action="save", progress="Saisi sur le téléphone"), **JSON
    )

    assert response.status_code == 409
    answer = response.json()
    assert (answer["conflict"], answer["revision"]) == (True, 1)
    assert answer["current"]["draft"]["progress"] == "Saisi sur l'ordinateur"
    assert snapshot(visit) == before


def test_autosave_of_too_long_a_text_is_a_400_with_the_message(tutor_client, visit):
    before = snapshot(visit)

    response = tutor_client.post(log_url(visit), log_data(action="save", progress="x" * 5001), **JSON)

    assert response.status_code == 400
    assert response.json()["errors"] == {"progress": [{"message": "Ce texte dépasse 5000 caractères."}]}
    assert snapshot(visit) == before


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "head_of_diploma"])
def test_autosave_by_who_may_not_log_is_not_found(client, world, visit, role):
    before = snapshot(visit)
    client.force_login(world.users[role])

    response = client.post(log_url(visit), log_data(action="save"), **JSON)

    assert response.status_code == 404
    assert snapshot(visit) == before


def test_autosave_on_a_shared_report_is_refused_in_json(tutor_client, world):
    shared = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    before = snapshot(shared)

    response = tutor_client.post(log_url(shared), log_data(action="save"), **JSON)

    assert response.status_code == 403
    assert "se corrige par une nouvelle version" in response.json()["error"]
    assert snapshot(shared) == before


# The buttons, without JavaScript ------------------------------------------------------------------------


def test_the_save_button_saves_the_draft_without_sharing(tutor_client, visit):
    response = tutor_client.post(log_url(visit), log_data(action="save", apprentice_present=""))

    assert response["Location"] == log_url(visit)
    assert messages_of(response) == ["Brouillon enregistré."]
    visit.refresh_from_db()
    assert (visit.status, visit.revision, visit.draft["apprentice_present"]) == (VisitStatus.PLANNED, 1, "")


def test_the_add_action_button_saves_the_draft_and_offers_one_more_row(tutor_client, visit):
    response = tutor_client.post(log_url(visit), log_data(action="add_action", **rows(2)))

    assert response["Location"] == f"{log_url(visit)}?lignes=3#action-3"
    page = tutor_client.get(response["Location"])
    assert [f["description"].value() for f in page.context["formset"]] == ["Action 1", "Action 2", None]
    assert 'id="action-3"' in page.content.decode()


# Sharing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("apprentice_present", "Indiquez si l'apprenti était présent."),
        ("company_tutor_present", "Indiquez si le maître d'apprentissage était présent."),
    ],
)
def test_a_report_that_does_not_say_who_was_present_is_not_shared(tutor_client, visit, missing, message):
    before = snapshot(visit)

    response = tutor_client.post(log_url(visit), log_data(action="share", **{missing: ""}))

    assert response.status_code == 200
    assert message in text_of(response)
    assert snapshot(visit) == before


def test_a_report_saying_the_tutor_was_absent_is_shared_so(tutor_client, visit):
    tutor_client.post(log_url(visit), log_data(action="share", company_tutor_present="non"))

    visit.refresh_from_db()
    assert (visit.status, visit.apprentice_present, visit.company_tutor_present) == (
        VisitStatus.REPORTED,
        True,
        False,
    )


def test_a_report_with_thirty_actions_opens_them_all(tutor_client, visit):
    response = tutor_client.post(log_url(visit), log_data(action="share", **rows(30)))

    assert response["Location"] == visit.get_absolute_url()
    assert ActionItem.objects.filter(opened_in=visit).count() == 30


def test_a_report_with_thirty_one_actions_is_refused(tutor_client, visit):
    before = snapshot(visit)

    response = tutor_client.post(log_url(visit), log_data(action="share", **rows(31)))

    assert "Veuillez soumettre au plus 30 formulaires." in text_of(response)
    assert snapshot(visit) == before


def test_sharing_from_a_stale_copy_shows_the_conflict_and_shares_nothing(tutor_client, visit):
    tutor_client.post(log_url(visit), log_data(action="save", progress="Saisi ailleurs"), **JSON)
    before = snapshot(visit)

    response = tutor_client.post(log_url(visit), log_data(action="share", revision="0"))

    assert response.status_code == 200
    assert response.context["conflict"] is True
    assert "a été modifié ailleurs" in text_of(response)
    assert snapshot(visit) == before


def test_a_report_refused_by_its_contract_keeps_its_draft(tutor_client, world, visit):
    before_start = (world.mine.contract.start_date - datetime.timedelta(days=1)).isoformat()

    response = tutor_client.post(log_url(visit), log_data(action="share", held_on=before_start))

    assert "La rencontre ne peut précéder le début du contrat" in text_of(response)
    visit.refresh_from_db()
    assert (visit.status, visit.draft["held_on"], visit.revision) == (VisitStatus.PLANNED, before_start, 1)
    # The page's next save is based on the revision just saved.
    assert response.context["form"]["revision"].value() == "1"


# Correction ---------------------------------------------------------------------------------------------


@pytest.fixture
def shared(world):
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY())
    return log(visit, world.users["school_tutor"])


@pytest.mark.parametrize("role", PLANNERS)
def test_a_shared_report_is_corrected_into_a_new_version_that_keeps_the_old_one(client, world, shared, role):
    client.force_login(world.users[role])

    opened = client.post(reverse("livret:visit_correct", args=[shared.pk]))
    assert opened["Location"] == log_url(shared)
    form = client.get(log_url(shared))
    assert "Correction du compte rendu (version 2)" in text_of(form)
    assert form.context["form"]["progress"].value() == REPORT["progress"]
    # Meanwhile the visit shows the version in force, and says a correction is being written.
    detail = text_of(client.get(shared.get_absolute_url()))
    assert REPORT["progress"] in detail and "Une correction de ce compte rendu est en cours" in detail

    response = client.post(
        log_url(shared),
        log_data(action="share", revision=str(form.context["form"]["revision"].value()), progress="Corrigé."),
    )

    assert response["Location"] == shared.get_absolute_url()
    assert messages_of(response)[0].startswith("Compte rendu corrigé (version 2)")
    shared.refresh_from_db()
    assert (shared.version, shared.progress, shared.draft) == (2, "Corrigé.", None)
    version = VisitReportVersion.objects.get(visit=shared)
    detail = client.get(shared.get_absolute_url())
    assert reverse("livret:visit_version", args=[version.pk]) in detail.content.decode()
    assert "Version 2 (en vigueur)" in text_of(detail)


def test_a_replaced_version_is_readable_by_whoever_sees_the_visit(
    client, world, shared, django_assert_num_queries
):
    services.correct_visit(visit=shared, by=world.users["school_tutor"])
    shared.refresh_from_db()
    report = services.Report.clean(
        held_on=TODAY(),
        mode="on_site",
        apprentice_present=True,
        company_tutor_present=True,
        progress="Corrigé.",
    )
    services.share_correction(visit=shared, by=world.users["school_tutor"], report=report)
    version = VisitReportVersion.objects.get(visit=shared)
    url = reverse("livret:visit_version", args=[version.pk])
    client.force_login(world.users["apprentice"])

    # The session, the user and their roles, the version with its visit and people, its signatures.
    with django_assert_num_queries(5):
        response = client.get(url)

    page = text_of(response)
    assert REPORT["progress"] in page and "Corrigé." not in page
    assert "Cette version 1 a été remplacée" in page
    assert "Compte rendu du tuteur pédagogique" in page  # its signature came with it
    client.force_login(SchoolTutorFactory(organisation=world.organisation, user=UserFactory()).user)
    assert client.get(url).status_code == 404


def test_a_correction_is_discarded_from_the_visit_page(tutor_client, shared):
    tutor_client.post(reverse("livret:visit_correct", args=[shared.pk]))

    response = tutor_client.post(reverse("livret:visit_discard_correction", args=[shared.pk]))

    assert messages_of(response)[-1] == "Correction abandonnée : la version en vigueur est inchangée."
    shared.refresh_from_db()
    assert (shared.is_correcting, shared.version) == (False, 1)
    assert tutor_client.get(log_url(shared))["Location"] == shared.get_absolute_url()


@pytest.mark.parametrize("role", ["apprentice", "company_tutor", "head_of_diploma"])
def test_a_correction_is_not_opened_by_who_may_not_log(client, world, shared, role):
    before = snapshot(shared)
    client.force_login(world.users[role])

    response = client.post(reverse("livret:visit_correct", args=[shared.pk]))

    assert response["Location"] == shared.get_absolute_url()
    assert snapshot(shared) == before
    assert "Corriger le compte rendu" not in text_of(client.get(shared.get_absolute_url()))
