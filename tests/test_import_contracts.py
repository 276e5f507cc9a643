"""The dependency rules of ``.importlinter`` hold: the engine imports no
Django, ``teams`` imports no other app, and the web process never reaches
torch (statically, and when its modules are really imported)."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.support import ROOT

LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"

WEB_MODULES = """
import sys
import django
django.setup()  # app configs, their ready() and the admin's autodiscovery
import ocrspace.asgi, ocrspace.urls
from django.urls import get_resolver
get_resolver().url_patterns
print(sorted(m for m in sys.modules if m == "torch" or m.startswith("torch.")))
"""


def test_import_contracts_hold():
    result = subprocess.run([sys.executable, "-c", LINT, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_web_process_imports_no_torch(tmp_path):
    # The ASGI module refuses to load before collectstatic: collect into a scratch var dir.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ocrspace.settings", "OCRSPACE_VAR_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    result = subprocess.run([sys.executable, "-c", WEB_MODULES], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
