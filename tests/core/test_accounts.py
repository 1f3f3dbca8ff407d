"""Login by email with mandatory verification, no open sign-up, login by code, staff MFA."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from core.models import Role, User
from tests.core.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def log_in(client, email, password=DEFAULT_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_login_page_shows_an_email_and_password_form(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("account_login"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="login"' in content and 'type="email"' in content
    assert 'name="password"' in content


def test_verified_person_logs_in_by_email_and_lands_on_the_home(client):
    user = UserFactory(email="camille@exemple.test", roles=[Role.APPRENTICE])

    response = log_in(client, "camille@exemple.test")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get(reverse("home")).status_code == 200


def test_login_ignores_the_case_of_the_email(client):
    user = UserFactory(email="camille@exemple.test")

    log_in(client, "Camille@Exemple.TEST")

    assert logged_in_user_id(client) == str(user.pk)


def test_wrong_password_is_refused(client):
    UserFactory(email="camille@exemple.test")

    response = log_in(client, "camille@exemple.test", "pas-le-bon-mot-de-passe")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_user_id(client) is None


def test_unverified_email_cannot_log_in_and_gets_a_verification_mail(client, mailoutbox):
    UserFactory(email="nouveau@exemple.test", verified_email=False)

    response = log_in(client, "nouveau@exemple.test")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert logged_in_user_id(client) is None
    assert [m.to for m in mailoutbox] == [["nouveau@exemple.test"]]
    assert client.get(reverse("home")).status_code == 302


def test_inactive_account_cannot_log_in(client):
    UserFactory(email="parti@exemple.test", is_active=False)

    log_in(client, "parti@exemple.test")

    assert logged_in_user_id(client) is None


def test_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))

    assert 'name="password1"' not in response.content.decode()
    assert "account/signup_closed.html" in [t.name for t in response.templates]


def test_posting_the_sign_up_form_creates_no_account(client):
    client.post(
        reverse("account_signup"),
        {"email": "intrus@exemple.test", "password1": "Un-mot-de-passe-1", "password2": "Un-mot-de-passe-1"},
    )

    assert not User.objects.filter(email="intrus@exemple.test").exists()


def test_login_page_offers_login_by_code(client):
    response = client.get(reverse("account_login"))

    assert reverse("account_request_login_code") in response.content.decode()


def test_login_by_code_page_asks_for_the_email(client):
    response = client.get(reverse("account_request_login_code"))

    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()


def test_requesting_a_login_code_mails_a_code_to_a_known_person(client, mailoutbox):
    UserFactory(email="camille@exemple.test")

    response = client.post(reverse("account_request_login_code"), {"email": "camille@exemple.test"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    assert [m.to for m in mailoutbox] == [["camille@exemple.test"]]


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_with_mfa_required_staff_without_totp_is_sent_to_activate_it(
    client, settings, django_assert_num_queries, role
):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(UserFactory(roles=[role]))

    with django_assert_num_queries(4):  # session, user, roles, the authenticator lookup
        response = client.get(reverse("apprentices:apprentice_list"))

    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{reverse('mfa_activate_totp')}?next={reverse('apprentices:apprentice_list')}"
    )


def test_with_mfa_required_staff_can_still_reach_the_account_pages(client, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(UserFactory(roles=[Role.STAFF]))

    response = client.get(reverse("mfa_activate_totp"))

    assert not response.get("Location", "").startswith(reverse("mfa_activate_totp"))


def test_with_mfa_required_staff_with_totp_who_passed_it_uses_the_platform(client, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = UserFactory(roles=[Role.STAFF])
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff)
    session = client.session
    session.update(
        {
            "account_authentication_methods": [{"method": "mfa", "at": 0}],
            "account_authentication_methods_user": str(staff.pk),
        }
    )
    session.save()

    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.APPRENTICE, Role.COMPANY_TUTOR, Role.SCHOOL_TUTOR, Role.HEAD_OF_DIPLOMA]
)
def test_with_mfa_required_other_roles_are_not_asked_for_a_second_factor(client, settings, role):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(UserFactory(roles=[role]))

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Bonjour" in text_of(response)
