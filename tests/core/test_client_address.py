"""allauth's rate limits key on the client's address: behind the trusted proxies, the one they saw;
without any (``TRUSTED_PROXY_COUNT=0``), ``X-Forwarded-For`` is ignored, so nobody spoofs it."""

import pytest
from django.urls import reverse

from tests.core.factories import UserFactory
from tests.test_settings import run

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
PRINT_COUNT = "from allauth import app_settings; print(app_settings.TRUSTED_PROXY_COUNT)"


def wrong_logins(client, forwarded_for: str, count: int) -> list[int]:
    """``count`` wrong passwords, each on another account (only the per-address limit counts: 30 logins
    a minute), as relayed by the proxy for a client at ``forwarded_for``."""
    return [
        client.post(
            reverse("account_login"),
            {"login": f"inconnu{n}@exemple.test", "password": "pas-le-bon"},
            HTTP_X_FORWARDED_FOR=forwarded_for,
            REMOTE_ADDR=PROXY,
        ).status_code
        for n in range(count)
    ]


def test_behind_one_trusted_proxy_two_clients_have_their_own_limits(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory()

    first = wrong_logins(client, "203.0.113.7", 31)
    second = wrong_logins(client, "198.51.100.9", 1)

    assert first[-1] == 429
    assert second == [200]


def test_without_a_trusted_proxy_the_forwarded_address_is_ignored(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0

    first = wrong_logins(client, "203.0.113.7", 31)
    spoofed = wrong_logins(client, "198.51.100.9", 1)

    assert first[-1] == 429
    assert spoofed == [429]


def test_a_spoofed_address_before_the_proxys_own_entry_is_not_believed(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    wrong_logins(client, "203.0.113.7", 31)
    spoofed = wrong_logins(client, "198.51.100.9, 203.0.113.7", 1)

    assert spoofed == [429]


@pytest.mark.parametrize(("value", "expected"), [(None, "0"), ("1", "1"), ("2", "2")])
def test_trusted_proxy_count_comes_from_the_environment(value, expected):
    env = {"DEBUG": "1"} | ({"TRUSTED_PROXY_COUNT": value} if value is not None else {})

    result = run(
        ["-c", f"import django; django.setup(); {PRINT_COUNT}"],
        **env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
