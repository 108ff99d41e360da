"""/healthz/ tells the load balancer whether database, cache and broker answer, and
nothing more."""

import json

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

STATES = {"ok", "in-process", "unavailable"}


def test_healthy_portal_answers_200_with_each_check(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    expected_broker = "in-process" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": expected_broker},
    }


def test_health_report_reveals_no_configuration(client):
    response = client.get("/healthz/")

    body = response.content.decode()
    # only fixed words, so no address, password or error text can be in it
    payload = json.loads(body)
    assert set(payload["checks"].values()) | {payload["status"]} <= STATES
    database = settings.DATABASES["default"]
    for secret in [
        "redis://",
        "postgres",
        "sqlite",
        settings.SECRET_KEY,
        settings.REDIS_URL,
        str(database.get("NAME") or ""),
        str(database.get("PASSWORD") or ""),
        str(database.get("HOST") or ""),
    ]:
        if secret:
            assert secret not in body


def test_unreachable_cache_makes_the_portal_unhealthy(client, settings, closed_port):
    # given a cache server that refuses connections
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }

    response = client.get("/healthz/")

    assert response.status_code == 503
    payload = response.json()
    assert payload["status"] == "unavailable"
    assert payload["checks"]["cache"] == "unavailable"
    assert payload["checks"]["database"] == "ok"
    assert str(closed_port) not in response.content.decode()


def test_unreachable_broker_makes_the_portal_unhealthy(client, celery_conf, closed_port):
    # given a broker that refuses connections
    celery_conf(task_always_eager=False, broker_url=f"redis://127.0.0.1:{closed_port}/0")

    response = client.get("/healthz/")

    assert response.status_code == 503
    payload = response.json()
    assert payload["status"] == "unavailable"
    assert payload["checks"] == {"database": "ok", "cache": "ok", "broker": "unavailable"}
    assert str(closed_port) not in response.content.decode()


@pytest.mark.service("redis")
def test_real_redis_serves_as_cache_and_broker(client):
    from barleben_portal.celery import app

    assert app.conf.task_always_eager is False

    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_healthz_only_answers_get(client):
    assert client.post("/healthz/").status_code == 405
