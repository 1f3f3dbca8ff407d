"""The emailed link to acknowledge a visit report: the report alone at a fixed cost, acknowledging
once by link, unusable links, and a fresh link mailed to the address on file."""

import datetime
import re
from contextlib import nullcontext

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import ActionLink, Signature
from core.workflow import links
from core.workflow.signatures import signatures_of
from livret.services import visits as services
from tests.apprentices.factories import LegalRepresentativeFactory
from tests.helpers import text_of
from tests.livret.factories import ActionItemFactory, VisitReportFactory
from tests.livret.visits_support import TODAY, snapshot

# No session: the visit with its people, the link (looked up twice: to whom, then for them), the
# signatures, the actions decided.
LINK_QUERIES = 5


# The emailed link -------------------------------------------------------------------------------------------


def link_url(visit, token):
    return reverse("livret:visit_link", args=[visit.pk, token])


def issue(visit, email, **kwargs):
    return links.issue(
        document=visit, action=ActionLink.Action.ACKNOWLEDGE, email=email, name="Quelqu'un", **kwargs
    )


@pytest.fixture
def shared(world):
    """A reported visit, with an action decided, and a fresh link for its company tutor."""
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    ActionItemFactory(opened_in=visit, description="Préciser le sujet du projet")
    link, token = issue(visit, world.mine.company_tutor.email)
    return visit, link, token


def assert_not_logged_in(client):
    assert "_auth_user_id" not in client.session
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_valid_link_shows_the_report_alone_and_the_one_action(client, shared, django_assert_num_queries):
    visit, _link, token = shared

    with django_assert_num_queries(LINK_QUERIES):
        response = client.get(link_url(visit, token))

    assert response.status_code == 200
    text = text_of(response)
    assert "Missions en phase avec le bloc" in text
    assert "Préciser le sujet du projet" in text
    assert "J'ai pris connaissance du compte rendu" in text
    assert "Toutes les visites du contrat" not in text
    assert_not_logged_in(client)


def test_posting_the_link_acknowledges_with_the_link_once(client, world, shared):
    visit, link, token = shared

    response = client.post(link_url(visit, token))

    assert response.status_code == 200
    assert "Merci, votre prise de connaissance est enregistrée" in text_of(response)
    link.refresh_from_db()
    assert link.used_at is not None
    signature = visit_signature(visit)
    assert (signature.via, signature.signer_email) == ("link", world.mine.company_tutor.email.lower())
    assert signature.content_sha256 in text_of(response)
    assert_not_logged_in(client)
    before = snapshot(visit)
    again = client.post(link_url(visit, token))
    assert again.status_code == 410
    assert "Ce lien a déjà servi" in text_of(again)
    assert "M'envoyer un nouveau lien" not in text_of(again)
    assert snapshot(visit) == before


def visit_signature(visit):
    return signatures_of(visit).get(act=Signature.Act.ACKNOWLEDGE)


def test_a_legal_representative_of_a_minor_acknowledges_from_their_link(client, world):
    apprentice = world.mine.apprentice
    apprentice.birth_date = TODAY().replace(year=TODAY().year - 16)
    apprentice.save()
    parent = LegalRepresentativeFactory(apprentice=apprentice)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    _link, token = issue(visit, parent.email)

    assert f"Bonjour {parent}" in text_of(client.get(link_url(visit, token)))
    assert client.post(link_url(visit, token)).status_code == 200

    assert visit_signature(visit).signer_email == parent.email.lower()


def test_a_link_after_acknowledging_from_the_session_says_it_has_served(client, world, shared):
    visit, _link, token = shared
    services.acknowledge(visit=visit, by=world.users["company_tutor"])
    before = snapshot(visit)

    response = client.post(link_url(visit, token))

    assert response.status_code == 410
    assert "Ce lien a déjà servi" in text_of(response)
    assert snapshot(visit) == before


def tamper(token):
    return token[:-2] + ("xy" if token[-2:] != "xy" else "yz")


BAD_LINKS = {
    "expired": (410, "Ce lien a expiré.", True),
    "tampered": (400, "Ce lien est incomplet ou a été modifié : il ne peut pas être utilisé.", True),
    "other document": (400, "Ce lien ne correspond pas à ce document ou à son destinataire actuel.", True),
    "other person": (400, "Ce lien ne correspond pas à ce document ou à son destinataire actuel.", True),
}
# The visit, then the link as far as it goes: none for a broken signature, once to learn its
# recipient, once more for a recipient who may act.
BAD_LINK_QUERIES = {"expired": 3, "tampered": 1, "other document": 3, "other person": 2}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("case", list(BAD_LINKS))
def test_an_unusable_link_says_why_in_french_offers_a_fresh_one_and_changes_nothing(
    client, world, shared, django_assert_num_queries, case, method
):
    visit, link, token = shared
    target = visit
    if case == "expired":
        link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
        link.save(update_fields=["expires_at"])
    elif case == "tampered":
        token = tamper(token)
    elif case == "other document":
        target = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    else:
        _other, token = issue(visit, "intrus@ailleurs.test")
    status, message, resend = BAD_LINKS[case]
    before = snapshot(visit, target)

    counted = django_assert_num_queries(BAD_LINK_QUERIES[case]) if method == "get" else nullcontext()
    with counted:
        response = getattr(client, method)(link_url(target, token))

    assert response.status_code == status
    assert message in text_of(response)
    assert ("M'envoyer un nouveau lien" in text_of(response)) is resend
    assert snapshot(visit, target) == before
    assert_not_logged_in(client)


def test_a_link_to_an_unknown_visit_is_not_found(client, shared):
    visit, _link, token = shared

    assert client.get(link_url(visit, token).replace(f"/{visit.pk}/", "/999999/")).status_code == 404


# A fresh link -----------------------------------------------------------------------------------------------


def resend_url(visit, token):
    return reverse("livret:visit_link_resend", args=[visit.pk, token])


def test_a_fresh_link_is_mailed_to_the_address_on_file_and_works(
    client, world, shared, django_capture_on_commit_callbacks
):
    visit, link, token = shared
    link.created_at = link.expires_at = timezone.now() - datetime.timedelta(days=1)
    link.save(update_fields=["created_at", "expires_at"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(visit, token))

    assert "Demande enregistrée" in text_of(response)
    (message,) = mail.outbox
    assert message.to == [world.mine.company_tutor.email.lower()]
    url = re.search(r"https?://\S+", message.body).group(0).removeprefix(settings.SITE_URL)
    assert client.post(url).status_code == 200
    assert_not_logged_in(client)


def test_a_fresh_link_of_a_legal_representative_goes_to_them(
    client, world, django_capture_on_commit_callbacks
):
    apprentice = world.mine.apprentice
    apprentice.birth_date = TODAY().replace(year=TODAY().year - 16)
    apprentice.save()
    parent = LegalRepresentativeFactory(apprentice=apprentice)
    visit = VisitReportFactory(contract=world.mine.contract, planned_date=TODAY(), reported=True)
    link, token = issue(visit, parent.email)
    link.created_at = link.expires_at = timezone.now() - datetime.timedelta(days=1)
    link.save(update_fields=["created_at", "expires_at"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(resend_url(visit, token))

    assert [m.to for m in mail.outbox] == [[parent.email.lower()]]


@pytest.mark.parametrize("case", ["tampered", "acknowledged", "twice", "planned"])
def test_no_fresh_link_is_mailed_otherwise_and_the_answer_is_the_same(
    client, world, shared, django_capture_on_commit_callbacks, case
):
    visit, link, token = shared
    link.created_at = timezone.now() - datetime.timedelta(hours=1)
    link.save(update_fields=["created_at"])
    with django_capture_on_commit_callbacks(execute=True):
        genuine = text_of(client.post(resend_url(visit, token)))
    mail.outbox.clear()
    if case == "tampered":
        token = tamper(token)
    elif case == "acknowledged":
        services.acknowledge(visit=visit, by=world.users["company_tutor"])
    elif case == "planned":
        visit = VisitReportFactory(contract=world.mine.contract)
        _link, token = issue(visit, world.mine.company_tutor.email)
    # "twice": the fresh link above was mailed less than ten minutes ago.

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(visit, token))

    assert response.status_code == 200
    assert mail.outbox == []
    assert text_of(response) == genuine
