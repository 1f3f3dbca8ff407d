"""One login for everything, and for staff and admins no page without the second factor.

The suite turns ``MFA_REQUIRED_FOR_STAFF`` off (conftest); every test here turns it back on, with
``DEBUG`` off as in production.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from core.models import Role
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/admin/", "/apprentis/", "/qualite/"]


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.DEBUG = False
    settings.MFA_REQUIRED_FOR_STAFF = True


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, counter))


def enrolled(user) -> str:
    """Give ``user`` a TOTP; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def superuser(**kwargs):
    return UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True, **kwargs)


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def assert_reaches_nothing(client):
    for page in PAGES:
        response = client.get(page, follow=True)
        # The login, or the second-factor stage of a login under way.
        assert response.request["PATH_INFO"] in {reverse("account_login"), reverse("mfa_authenticate")}, page
        assert logged_in_user_id(client) is None, page


def test_admin_login_page_sends_to_the_platform_login(client):
    response = client.get("/admin/login/?next=/admin/core/user/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/admin/core/user/"


def test_admin_password_login_of_an_enrolled_superuser_opens_no_session(client):
    user = superuser(email="root@exemple.test")
    enrolled(user)

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root@exemple.test", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert logged_in_user_id(client) is None
    assert_reaches_nothing(client)


def test_password_alone_of_an_enrolled_admin_stops_at_the_second_factor(client):
    user = superuser(email="root@exemple.test")
    enrolled(user)

    response = client.post(
        reverse("account_login"), {"login": "root@exemple.test", "password": DEFAULT_PASSWORD}
    )

    assert response["Location"] == reverse("mfa_authenticate")
    assert logged_in_user_id(client) is None
    assert_reaches_nothing(client)


def test_enrolled_staff_who_completes_the_totp_stage_reaches_the_pages(client):
    user = UserFactory(email="equipe@exemple.test", roles=[Role.STAFF], is_staff=True)
    secret = enrolled(user)
    client.post(reverse("account_login"), {"login": "equipe@exemple.test", "password": DEFAULT_PASSWORD})

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/apprentis/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_session_of_an_enrolled_staff_that_skipped_the_totp_is_logged_out(client):
    user = UserFactory(roles=[Role.STAFF], is_staff=True)
    enrolled(user)
    client.force_login(user)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/"
    assert logged_in_user_id(client) is None


def test_a_session_of_an_enrolled_staff_that_skipped_the_totp_cannot_use_the_account_pages(client):
    user = UserFactory(roles=[Role.STAFF], is_staff=True)
    enrolled(user)
    client.force_login(user)

    response = client.get(reverse("mfa_index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert logged_in_user_id(client) is None


def test_the_former_enrolment_flag_in_the_session_lets_nobody_skip(client):
    user = UserFactory(roles=[Role.STAFF], is_staff=True)
    enrolled(user)
    client.force_login(user)
    session = client.session
    session["mfa_enrolled"] = True
    session.save()

    assert client.get(reverse("home")).status_code == 302
    assert logged_in_user_id(client) is None


def test_login_by_code_of_an_enrolled_staff_still_asks_for_the_totp(client, mailoutbox):
    user = UserFactory(email="equipe@exemple.test", roles=[Role.STAFF], is_staff=True)
    enrolled(user)
    client.post(reverse("account_request_login_code"), {"email": "equipe@exemple.test"})
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mailoutbox[-1].body, re.MULTILINE).group(1)

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response["Location"] == reverse("mfa_authenticate")
    assert logged_in_user_id(client) is None
    assert_reaches_nothing(client)


# Transactional: allauth tells of the new TOTP on commit, inside the request, as in production.
@pytest.mark.django_db(transaction=True)
def test_staff_without_totp_who_enrols_keeps_the_session_and_reaches_the_pages(client):
    user = UserFactory(email="equipe@exemple.test", roles=[Role.STAFF], is_staff=True)
    client.post(reverse("account_login"), {"login": "equipe@exemple.test", "password": DEFAULT_PASSWORD})
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa_activate_totp"))
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]

    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("home")).status_code == 200


def test_fifty_wrong_passwords_are_rate_limited_and_the_admin_login_does_not_bypass_it(client):
    superuser(email="root@exemple.test")
    statuses = [
        client.post(
            reverse("account_login"), {"login": "root@exemple.test", "password": f"faux-{n}"}
        ).status_code
        for n in range(50)
    ]

    assert 429 in statuses
    response = client.post("/admin/login/", {"username": "root@exemple.test", "password": DEFAULT_PASSWORD})
    assert logged_in_user_id(client) is None
    assert response.status_code == 302
    assert (
        client.post(
            reverse("account_login"), {"login": "root@exemple.test", "password": DEFAULT_PASSWORD}
        ).status_code
        == 429
    )


def test_fifty_wrong_passwords_on_the_admin_login_log_nobody_in(client):
    superuser(email="root@exemple.test")

    statuses = {
        client.post("/admin/login/", {"username": "root@exemple.test", "password": f"faux-{n}"}).status_code
        for n in range(50)
    }

    assert statuses == {302}
    assert logged_in_user_id(client) is None


def test_a_logged_in_person_without_admin_access_gets_a_refusal_not_a_loop(client):
    client.force_login(UserFactory(roles=[Role.APPRENTICE]))

    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 403
