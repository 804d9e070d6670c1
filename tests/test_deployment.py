"""The deployment files: docker-compose.yml is a real Airflow 3 deployment (no Docker engine
runs here, so it is checked by parsing), the Dockerfile installs the lock, and no secret is
written into either."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from common.settings import MOC_VARIABLES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW_SERVICES = [
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
]


def test_compose_has_the_airflow_3_services_and_their_backing_stores():
    for name in [*AIRFLOW_SERVICES, "postgres", "minio", "minio-init"]:
        assert name in SERVICES, name
    commands = {SERVICES[name]["command"] for name in AIRFLOW_SERVICES[1:]}
    assert commands == {"api-server", "scheduler", "dag-processor", "triggerer"}
    assert "db migrate" in SERVICES["airflow-init"]["command"]


def test_scale_out_profile_adds_redis_and_celery_workers():
    assert SERVICES["redis"]["profiles"] == ["celery"]
    assert SERVICES["airflow-worker"]["command"] == "celery worker"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_image_is_pinned(name):
    image = SERVICES[name]["image"]
    assert ":" in image and not image.endswith(":latest"), image


@pytest.mark.parametrize("name", sorted(set(SERVICES) - {"airflow-init", "minio-init"}))
def test_every_long_running_service_has_a_health_check(name):
    assert SERVICES[name]["healthcheck"]["test"], name


def test_state_lives_in_named_volumes():
    named = set(COMPOSE["volumes"])
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source in named, f"{source} is not a named volume"


def test_no_secret_is_written_in_the_compose_file():
    for name, service in SERVICES.items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|FERNET|_KEY$", key):
                assert "${" in str(value), f"{name}.{key} must come from .env"
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_every_setting_the_pipeline_reads_is_provided_to_airflow():
    read = set(MOC_VARIABLES)  # common/settings.py reads every MOC_* variable (test_settings.py)
    assert read
    provided = set(SERVICES["airflow-scheduler"]["environment"])
    assert read <= provided, read - provided


def test_env_example_lists_every_variable_compose_requires():
    text = (ROOT / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    example = {
        line.split("=")[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert required <= example, required - example
    assert all(
        not line.split("=", 1)[1]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ), ".env.example holds no values"


def test_dockerfile_installs_the_lock_on_the_pinned_airflow_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "apache/airflow:3.3" in dockerfile
    assert "requirements.lock" in dockerfile
    lock = (ROOT / "requirements.lock").read_text()
    (airflow_pin,) = re.findall(r"^apache-airflow==([\d.]+)$", lock, flags=re.M)
    assert f"apache/airflow:{airflow_pin}-python3.11" in dockerfile


@pytest.mark.parametrize("name", sorted(n for n in SERVICES if SERVICES[n].get("ports")))
def test_every_published_port_is_bound_to_the_loopback(name):
    """Airflow (8080), MinIO (9000, 9001) and the dashboard are reachable from the host only;
    a reverse proxy publishes them (README, Deployment)."""
    for port in SERVICES[name]["ports"]:
        host, _, _ = str(port).partition(":")
        assert host == "127.0.0.1", f"{name} publishes {port} on every interface"


def test_the_airflow_and_minio_ports_are_the_ones_bound():
    published = {p for s in SERVICES.values() for p in s.get("ports", [])}
    assert {"127.0.0.1:8080:8080", "127.0.0.1:9000:9000", "127.0.0.1:9001:9001"} <= published


def test_make_airflow_ui_listens_on_the_loopback():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nairflow-ui:", 1)[1].split("\n\n", 1)[0]
    assert 'AIRFLOW__API__HOST="$(AIRFLOW_UI_HOST)"' in recipe
    assert re.search(r"^AIRFLOW_UI_HOST \?= 127\.0\.0\.1$", makefile, flags=re.M)
    readme = (ROOT / "README.md").read_text()
    assert "reverse proxy" in readme and "127.0.0.1:8080" in readme
