"""A Redis cache that degrades to "no cache" when Redis is unreachable.

Rate limits and sessions must not take the site down with Redis: a failed cache call is logged and
answered as Django's cache answers a miss, with the caller's own default (``get(key, [])`` gives
``[]``), so the web keeps working (without rate limiting) until Redis is back.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


def _unavailable(name: str, error: Exception) -> None:
    logger.warning("Cache Redis indisponible (%s) : %s", name, error)


class TolerantRedisCache(RedisCache):
    """Each method answers, when Redis fails, what it answers for a key that is not there."""

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except REDIS_ERRORS as error:
            _unavailable("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except REDIS_ERRORS as error:
            _unavailable("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except REDIS_ERRORS as error:
            _unavailable("has_key", error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except REDIS_ERRORS as error:
            _unavailable("set", error)
            return None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """The keys that could not be stored: all of them."""
        try:
            return super().set_many(data, timeout, version)
        except REDIS_ERRORS as error:
            _unavailable("set_many", error)
            return list(data)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Answered as added: callers use ``add`` as a lock (allauth's rate limiter loops until it
        gets one), and with no cache there is nobody to share a lock with."""
        try:
            return super().add(key, value, timeout, version)
        except REDIS_ERRORS as error:
            _unavailable("add", error)
            return True

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except REDIS_ERRORS as error:
            _unavailable("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except REDIS_ERRORS as error:
            _unavailable("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except REDIS_ERRORS as error:
            _unavailable("delete_many", error)
            return None

    def clear(self):
        try:
            return super().clear()
        except REDIS_ERRORS as error:
            _unavailable("clear", error)
            return False

    def incr(self, key, delta=1, version=None):
        """As for a missing key: ``ValueError`` (``decr`` goes through here)."""
        try:
            return super().incr(key, delta, version)
        except REDIS_ERRORS as error:
            _unavailable("incr", error)
            raise ValueError(f"Key '{key}' not found (cache unavailable).") from error
