"""Django's Redis cache, with one Redis client per server instead of one per call, and a
portal that goes on without it.

Django's RedisCacheClient makes a new `redis.Redis` for every get and set, and each one fills
its table of about 170 reply parsers first: 0.15 ms, as long as the round trip itself, twice
for every page the page cache serves. Each thread has a cache object of its own
(django.core.cache.caches), so a client kept per connection pool is never shared between
threads.

The cache only saves work: when Redis cannot be reached, a read finds nothing and a write
keeps nothing, and the error is logged (once a minute), so that every page is still served,
made afresh, instead of an error page for everybody. After a failure the cache is not asked
for some seconds, so that a Redis that does not answer at all costs one timeout, not one per
call. While Redis is away the log-in's rate limits count nothing (they are kept in the cache).
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REPORT_SECONDS = 60
RETRY_SECONDS = 5


def _when_unreachable(fallback):
    """The client's method, answering `fallback(*arguments)` when Redis cannot be reached."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self.retry_at and (time.monotonic() < self.retry_at or not self.back()):
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except (RedisConnectionError, RedisTimeoutError) as error:
                self.failed(error)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _not_there(key, delta):
    raise ValueError(f"Key {key!r} not found")  # as RedisCacheClient.incr says it


def _nothing(*args, **kwargs):
    return None


def _no(*args, **kwargs):
    return False


class _ClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self.retry_at = 0.0
        self.reported_at = -REPORT_SECONDS

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if pool not in self._clients:
            self._clients[pool] = self._client(connection_pool=pool)
        return self._clients[pool]

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        self.retry_at = now + RETRY_SECONDS
        if now - self.reported_at >= REPORT_SECONDS:
            self.reported_at = now
            logger.error("Redis cannot be reached (%s): pages are made without the cache", error)

    def back(self) -> bool:
        """Whether Redis answers again. What was saved while it was away moved no generation
        of the page cache: before anything is read, every page made before is outdated."""
        from .page_cache import pages_forget

        self.retry_at = 0.0
        pages_forget()  # through this client: if Redis still does not answer, failed() again
        if self.retry_at:
            return False
        logger.warning("Redis answers again: every cached page is made afresh")
        return True

    get = _when_unreachable(lambda key, default: default)(RedisCacheClient.get)
    get_many = _when_unreachable(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _when_unreachable(_no)(RedisCacheClient.has_key)
    add = _when_unreachable(_no)(RedisCacheClient.add)
    set = _when_unreachable(_nothing)(RedisCacheClient.set)
    set_many = _when_unreachable(_nothing)(RedisCacheClient.set_many)
    touch = _when_unreachable(_no)(RedisCacheClient.touch)
    incr = _when_unreachable(_not_there)(RedisCacheClient.incr)
    delete = _when_unreachable(_no)(RedisCacheClient.delete)
    delete_many = _when_unreachable(_nothing)(RedisCacheClient.delete_many)
    clear = _when_unreachable(_no)(RedisCacheClient.clear)


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientPerPool
