"""The compose stack's structure that deployment relies on, plus the real CLI's verdict."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "worker-archive", "beat")


@pytest.fixture(scope="module")
def compose():
    # PyYAML isn't a project dependency; skip the structural checks rather than add one.
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed in this environment")
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def command_line(service):
    command = service.get("command", "")
    return command if isinstance(command, str) else " ".join(command)


def test_compose_spec_without_version_key(compose):
    assert "version" not in compose


def test_has_exactly_the_seven_services(compose):
    assert set(compose["services"]) == {
        "postgres",
        "redis",
        "web",
        "worker",
        "worker-archive",
        "beat",
        "mailpit",
    }


def test_app_services_share_one_image_built_from_the_repo(compose):
    services = compose["services"]
    images = {services[name].get("image") for name in APP_SERVICES}
    builds = [services[name].get("build") for name in APP_SERVICES]
    assert len(images) == 1 and None not in images
    assert builds[0] in (".", "./") or builds[0].get("context") in (".", "./")
    assert all(build == builds[0] for build in builds)


def test_redis_never_evicts_broker_keys_and_persists(compose):
    args = command_line(compose["services"]["redis"])
    assert re.search(r"--maxmemory-policy\s+noeviction\b", args)
    assert re.search(r"--appendonly\s+yes\b", args)


def test_web_migrates_before_gunicorn_starts(compose):
    args = command_line(compose["services"]["web"])
    # `&&`, not `;`: a failed migration must not leave gunicorn serving an old schema.
    assert re.search(r"manage\.py migrate --noinput\s*&&.*\bgunicorn\b", args, re.S)


def test_celery_commands(compose):
    services = compose["services"]
    assert command_line(services["worker"]).startswith("celery -A barleben_portal worker")
    assert command_line(services["beat"]).startswith("celery -A barleben_portal beat")


def test_app_waits_for_healthy_backing_services(compose):
    for name in APP_SERVICES:
        depends_on = compose["services"][name]["depends_on"]
        for backing in ("postgres", "redis"):
            assert depends_on[backing]["condition"] == "service_healthy", (name, backing)


def test_media_volume_is_shared_by_web_and_worker(compose):
    services = compose["services"]
    media_root = services["web"]["environment"]["MEDIA_ROOT"]
    mounts = {
        name: {v.split(":")[0] for v in services[name]["volumes"] if v.split(":")[1] == media_root}
        for name in ("web", "worker")
    }
    assert mounts["web"] and mounts["web"] == mounts["worker"]
    assert mounts["web"] <= set(compose["volumes"])


def test_ports_bind_to_localhost_only(compose):
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                assert port.get("host_ip") == "127.0.0.1", (name, port)
            else:
                assert str(port).startswith("127.0.0.1:"), (name, port)


def test_secret_key_comes_from_the_host_and_is_required(compose):
    for name in APP_SERVICES:
        value = compose["services"][name]["environment"]["SECRET_KEY"]
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", value), (name, value)


def compose_cli():
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def run_config(env, tmp_path):
    cli = compose_cli()
    if cli is None:
        pytest.skip("neither `docker-compose` nor the `docker compose` plugin is on PATH")
    # An empty env file keeps a developer's .env from changing the outcome
    # (compose v1 rejects /dev/null as "not a file").
    env_file = tmp_path / "empty.env"
    env_file.touch()
    return subprocess.run(
        [*cli, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def host_env(**extra):
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    return {**env, **extra}


def test_compose_cli_accepts_the_file(tmp_path):
    result = run_config(host_env(SECRET_KEY="test-only"), tmp_path)
    assert result.returncode == 0, result.stderr


def test_compose_cli_refuses_to_run_without_secret_key(tmp_path):
    result = run_config(host_env(), tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
