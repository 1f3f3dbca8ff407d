"""With Redis unreachable, the shared cache answers every call as Django's cache answers a miss (the
caller's default, an empty result), and logging in still works (without rate limits)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from core.cache import TolerantRedisCache
from core.models import Role
from tests.core.factories import DEFAULT_PASSWORD, UserFactory

# Nothing listens on port 1: every call fails at once with a refused connection.
UNREACHABLE = "redis://127.0.0.1:1/0"
UNREACHABLE_CACHES = {
    "default": {
        "BACKEND": "core.cache.TolerantRedisCache",
        "LOCATION": UNREACHABLE,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def cache():
    backend = TolerantRedisCache(UNREACHABLE, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}})
    yield backend
    backend.close()


def test_get_answers_the_callers_default(cache):
    assert cache.get("history", []) == []
    assert cache.get("history") is None


def test_get_many_answers_nothing_found(cache):
    assert cache.get_many(["a", "b"]) == {}


def test_get_or_set_answers_the_callers_default(cache):
    assert cache.get_or_set("key", 7) == 7
    assert cache.get_or_set("key", lambda: [1]) == [1]


def test_has_key_answers_absent(cache):
    assert cache.has_key("key") is False
    assert ("key" in cache) is False


def test_set_many_answers_every_key_as_not_stored(cache):
    assert sorted(cache.set_many({"a": 1, "b": 2})) == ["a", "b"]


def test_set_touch_delete_and_clear_answer_as_nothing_was_stored(cache):
    assert cache.set("key", 1) is None
    assert cache.touch("key") is False
    assert cache.delete("key") is False
    assert cache.delete_many(["a", "b"]) is None
    assert cache.clear() is False


def test_add_answers_added_so_that_a_lock_taken_by_add_does_not_wait_for_ever(cache):
    assert cache.add("lock", True) is True


def test_incr_and_decr_answer_as_for_a_missing_key(cache):
    with pytest.raises(ValueError):
        cache.incr("counter")
    with pytest.raises(ValueError):
        cache.decr("counter")


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE_CACHES)
def test_logging_in_with_redis_unreachable_redirects_to_the_home(client):
    UserFactory(email="camille@exemple.test", roles=[Role.APPRENTICE])

    response = client.post(
        reverse("account_login"), {"login": "camille@exemple.test", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE_CACHES)
def test_a_wrong_password_with_redis_unreachable_is_refused_on_the_form(client):
    UserFactory(email="camille@exemple.test", roles=[Role.APPRENTICE])

    response = client.post(reverse("account_login"), {"login": "camille@exemple.test", "password": "faux"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
