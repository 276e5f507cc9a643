"""The deployment files (docs/DEPLOY.md) stay in step with the code: the
roles they start exist, and every platform setting they set is one the
README documents. (No container runtime or systemd runs in the test suite.)"""

from __future__ import annotations

import configparser
import re

import yaml

from ocrspace.management.commands.serve import ROLES
from ocrspace.stack import ROOT

README = (ROOT / "README.md").read_text()


def documented(name: str) -> bool:
    return f"`{name}`" in README


def test_compose_starts_one_web_and_workers_with_documented_settings():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert services["web"]["command"] == ["--role", "web"] and services["worker"]["command"] == ["--role", "worker"]
    assert {"postgres", "redis", "minio"} <= set(services)
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["OCRSPACE_STORAGE"] == "s3" and env["REDIS_URL"].startswith("redis://")
        assert [key for key in env if not documented(key)] == []


def test_systemd_units_run_serve_with_a_role():
    for role in ("web", "worker"):
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.read(ROOT / "deploy" / "systemd" / f"ocrspace-{role}.service")
        command = unit["Service"]["ExecStart"].split()
        assert command[1:3] == ["manage.py", "serve"] and command[command.index("--role") + 1] == role
        assert unit["Service"]["Restart"] == "always"


def test_the_image_runs_serve_and_every_example_setting_is_documented():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r'ENTRYPOINT \[.*"manage.py", "serve"', dockerfile)
    assert 'CMD ["--role", "all"]' in dockerfile and all(role in ROLES for role in ("all", "web", "worker"))
    example = (ROOT / "deploy" / "ocrspace.env.example").read_text()
    names = [line.split("=", 1)[0] for line in example.splitlines() if line and not line.startswith("#")]
    assert "SECRET_KEY" in names and [name for name in names if not documented(name)] == []
