"""``manage.py serve`` (``make run``): what it hands its web and worker processes."""

from __future__ import annotations

import os
import subprocess
import sys

from ocrspace import serving
from teams.management.commands.serve import Command
from tests.live import ROOT

LINK = "from integrations.delivery import absolute; print(absolute('/uploads/41/'))"


def link_in_child(env: dict) -> str:
    """The webhook link a process started with ``env`` writes."""
    env = {**env, "DJANGO_SETTINGS_MODULE": "ocrspace.settings"}
    code = f"import django; django.setup(); {LINK}"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_webhook_links_use_the_port_served(tmp_path):
    base = {k: v for k, v in os.environ.items() if k != "OCRSPACE_BASE_URL"}
    base["OCRSPACE_VAR_DIR"] = str(tmp_path)
    env = Command.child_environment("127.0.0.1", 8765, base)
    assert link_in_child(env) == "http://localhost:8765/uploads/41/"
    assert Command.child_environment("0.0.0.0", 9000, base)["OCRSPACE_BASE_URL"] == "http://localhost:9000"
    assert Command.child_environment("ocr.lan", 80, base)["OCRSPACE_BASE_URL"] == "http://ocr.lan:80"
    # An explicit address wins.
    chosen = Command.child_environment("127.0.0.1", 8765, {**base, "OCRSPACE_BASE_URL": "https://ocr.example.com"})
    assert link_in_child(chosen) == "https://ocr.example.com/uploads/41/"


def test_production_without_a_base_url_is_warned_about():
    message = serving.base_url_warning(True, {})
    assert message and "OCRSPACE_BASE_URL" in message
    assert serving.base_url_warning(True, {"OCRSPACE_BASE_URL": "https://ocr.example.com"}) is None
    assert serving.base_url_warning(False, {}) is None
