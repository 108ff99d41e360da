"""The suite's own servers (tests/servers.py): each pytest-xdist worker its Redis database."""

import pytest

from tests.servers import redis_url_for_worker


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/10", "gw0", "redis://127.0.0.1:6379/10"),
        ("redis://127.0.0.1:6379/10", "gw1", "redis://127.0.0.1:6379/11"),
        ("redis://127.0.0.1:6379/1", "gw2", "redis://127.0.0.1:6379/3"),
        ("redis://127.0.0.1:6379", "gw1", "redis://127.0.0.1:6379/1"),
        ("redis://:secret@redis:6379/0?timeout=2", "gw3", "redis://:secret@redis:6379/3?timeout=2"),
    ],
)
def test_each_worker_takes_the_next_redis_database(url, worker, expected):
    assert redis_url_for_worker(url, worker) == expected


def test_a_worker_beyond_the_last_redis_database_is_refused():
    with pytest.raises(RuntimeError, match="Redis database 16"):
        redis_url_for_worker("redis://127.0.0.1:6379/14", "gw2")
