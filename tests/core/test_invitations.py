"""Staff invite people by email; the mailed link sets a password once, and expires."""

import datetime
import re
from unittest import mock
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse
from django.utils.http import int_to_base36

from core.models import AuditEvent, Role, User
from core.tokens import InvitationTokenGenerator, invitation_token
from tests.conftest import ORGANISATION_WIDE, ROLES
from tests.core.factories import UserFactory
from tests.helpers import text_of

NEW_PASSWORD = "Un-mot-de-passe-solide-42"
NOT_ORGANISATION_WIDE = [role for role in ROLES if role not in ORGANISATION_WIDE]


def invite(
    client, by, django_capture_on_commit_callbacks, email="nina.petit@exemple.test", roles=("apprentice",)
):
    client.force_login(by)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invite"),
            {"email": email, "first_name": "Nina", "last_name": "Petit", "roles": list(roles)},
        )
    client.logout()
    return response


def link_in(message) -> str:
    [url] = re.findall(r"https?://\S+/invitation/\S+/", message.body)
    return urlsplit(url).path


def pending_invitation(organisation=None) -> tuple[User, str]:
    user = UserFactory(organisation=organisation, verified_email=False)
    user.set_unusable_password()
    user.save()
    return user, reverse(
        "accept_invitation", args=[int_to_base36(user.pk), invitation_token.make_token(user)]
    )


@pytest.mark.parametrize("role", ORGANISATION_WIDE)
def test_invite_page_opens_for_staff(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])

    with django_assert_num_queries(3):
        response = client.get(reverse("invite"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", NOT_ORGANISATION_WIDE)
def test_invite_page_is_not_found_for_everyone_else(
    client, world, django_assert_num_queries, role, mailoutbox
):
    client.force_login(world.users[role])

    with django_assert_num_queries(3):
        response = client.get(reverse("invite"))
    post = client.post(
        reverse("invite"),
        {"email": "x@exemple.test", "first_name": "X", "last_name": "Y", "roles": ["staff"]},
    )

    assert (response.status_code, post.status_code) == (404, 404)
    assert not User.objects.filter(email="x@exemple.test").exists()
    assert mailoutbox == []


def test_staff_invitation_creates_the_account_and_mails_one_link(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    staff = world.users["staff"]

    response = invite(client, staff, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("invite")
    user = User.objects.get(email="nina.petit@exemple.test")
    assert user.organisation == world.organisation
    assert user.roles == {Role.APPRENTICE}
    assert not user.has_usable_password()
    assert not EmailAddress.objects.get(user=user).verified
    [message] = mailoutbox
    assert message.to == ["nina.petit@exemple.test"]
    assert link_in(message).startswith("/invitation/")
    event = AuditEvent.objects.get(action="core.user.invited")
    assert (event.actor, event.target_id, event.data["roles"]) == (staff, user.pk, ["apprentice"])


def test_following_the_link_shows_the_set_password_form(
    client, world, mailoutbox, django_capture_on_commit_callbacks, django_assert_num_queries
):
    invite(client, world.users["staff"], django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])

    with django_assert_num_queries(1):  # the invited user
        response = client.get(link)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="new_password1"' in content and 'name="new_password2"' in content
    assert "nina.petit@exemple.test" in text_of(response)


def test_setting_the_password_verifies_the_address_and_lets_the_person_log_in(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    invite(client, world.users["staff"], django_capture_on_commit_callbacks)

    response = client.post(
        link_in(mailoutbox[0]), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    user = User.objects.get(email="nina.petit@exemple.test")
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary
    login = client.post(reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD})
    assert login["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_link_is_single_use(client, world, mailoutbox, django_capture_on_commit_callbacks):
    invite(client, world.users["staff"], django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link)
    post_again = client.post(
        link, {"new_password1": "Autre-mot-de-passe-77", "new_password2": "Autre-mot-de-passe-77"}
    )

    assert again.status_code == 400
    assert "Ce lien d'invitation ne peut plus servir" in text_of(again)
    assert post_again.status_code == 400
    assert User.objects.get(email="nina.petit@exemple.test").check_password(NEW_PASSWORD)


def test_the_link_holds_until_its_last_valid_day(client, db):
    user, link = pending_invitation()
    later = (
        datetime.datetime.now()
        + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
        - datetime.timedelta(hours=1)
    )

    with mock.patch.object(InvitationTokenGenerator, "_now", return_value=later):
        response = client.get(link)

    assert response.status_code == 200


def test_the_link_expires_after_the_invitation_validity(client, db):
    user, link = pending_invitation()
    later = datetime.datetime.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS, hours=1)

    with mock.patch.object(InvitationTokenGenerator, "_now", return_value=later):
        response = client.get(link)
        post = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert (response.status_code, post.status_code) == (400, 400)
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_validity_follows_the_setting(client, db, settings):
    settings.INVITATION_VALID_DAYS = 2
    user, link = pending_invitation()
    later = datetime.datetime.now() + datetime.timedelta(days=3)

    with mock.patch.object(InvitationTokenGenerator, "_now", return_value=later):
        assert client.get(link).status_code == 400


@pytest.mark.parametrize(
    "mangle",
    [
        lambda uid, token: (uid, token[:-1] + ("a" if token[-1] != "a" else "b")),
        lambda uid, token: (int_to_base36(int(uid, 36) + 1000), token),
        lambda uid, token: ("!!", token),
        lambda uid, token: (uid, "pas-un-jeton"),
    ],
    ids=["wrong-token", "unknown-user", "bad-uid", "malformed-token"],
)
def test_a_tampered_link_is_invalid(client, db, mangle):
    user = UserFactory(verified_email=False)
    user.set_unusable_password()
    user.save()
    uid, token = mangle(int_to_base36(user.pk), invitation_token.make_token(user))

    response = client.get(f"/invitation/{uid}/{token}/")

    assert response.status_code == 400


def test_a_weak_password_is_refused_in_french_and_the_link_still_works(client, db):
    user, link = pending_invitation()

    response = client.post(link, {"new_password1": "123", "new_password2": "123"})

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert "Ce mot de passe est trop court" in errors
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert client.get(link).status_code == 200


def test_staff_cannot_invite_an_administrator(client, world, mailoutbox, django_capture_on_commit_callbacks):
    response = invite(client, world.users["staff"], django_capture_on_commit_callbacks, roles=["admin"])

    assert response.status_code == 200
    assert "roles" in response.context["form"].errors
    assert not User.objects.filter(email="nina.petit@exemple.test").exists()
    assert mailoutbox == []


def test_an_administrator_can_invite_an_administrator(client, world, django_capture_on_commit_callbacks):
    invite(client, world.users["admin"], django_capture_on_commit_callbacks, roles=["admin", "staff"])

    invited = User.objects.get(email="nina.petit@exemple.test")
    assert invited.roles == {Role.ADMIN, Role.STAFF}
    assert invited.is_staff


def test_inviting_a_known_address_is_a_form_error(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    response = invite(
        client,
        world.users["staff"],
        django_capture_on_commit_callbacks,
        email=world.users["apprentice"].email.upper(),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Une personne utilise déjà cette adresse électronique."
    ]
    assert mailoutbox == []
