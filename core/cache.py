"""A Redis cache that degrades to "no cache" when Redis is unreachable.

Rate limits and sessions must not take the site down with Redis: a failed cache call is logged and
answered as a miss, so the web keeps working (without rate limiting) until Redis is back.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(name, default):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(TolerantRedisCache, self), name)(*args, **kwargs)
        except REDIS_ERRORS as error:
            logger.warning("Cache Redis indisponible (%s) : %s", name, error)
            return default() if callable(default) else default

    method.__name__ = name
    return method


class TolerantRedisCache(RedisCache):
    get = _tolerant("get", None)
    get_many = _tolerant("get_many", dict)
    set = _tolerant("set", None)
    set_many = _tolerant("set_many", list)
    add = _tolerant("add", True)
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    touch = _tolerant("touch", False)
    has_key = _tolerant("has_key", False)
    clear = _tolerant("clear", None)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except REDIS_ERRORS as error:
            logger.warning("Cache Redis indisponible (incr) : %s", error)
            return delta
