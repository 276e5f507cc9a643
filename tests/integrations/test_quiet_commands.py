"""``manage.py`` commands run as a user runs them (a subprocess): quiet by
default, the log lines back with ``-v 2``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from recognition.models import Upload
from tests.live import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)


def manage(*args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url(), "SECRET_KEY": settings.SECRET_KEY,
           "MEDIA_ROOT": str(tmp_path / "media"), "OCRSPACE_VAR_DIR": str(tmp_path / "var")}
    env.pop("REDIS_URL", None)  # the ORM broker: enqueueing logs through django_q
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_ocr_import_prints_its_progress_and_summary_only(team, member, tmp_path, png):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "a.png").write_bytes(png(size=(20, 20)))
    (folder / "b.png").write_bytes(png(size=(30, 20)))
    done = manage("ocr_import", str(folder), "--team", team.slug, "--as", member.username, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "New: 2" in done.stdout
    output = done.stdout + done.stderr
    assert "AXES" not in output and " INFO " not in output, output
    assert Upload.objects.filter(team=team).count() == 2


def test_commands_are_quiet_by_default_and_verbose_with_v2(tmp_path, db):
    quiet = manage("check", tmp_path=tmp_path)
    assert quiet.returncode == 0 and "AXES: BEGIN" not in quiet.stderr + quiet.stdout
    verbose = manage("check", "-v", "2", tmp_path=tmp_path)
    assert verbose.returncode == 0 and "AXES: BEGIN" in verbose.stderr
