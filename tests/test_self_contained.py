"""A clone must pass its tests with nothing beside it: no file of the project
may reach for a folder outside the repository."""
from __future__ import annotations

import re
import subprocess

from tests.support import ROOT, TESTDATA

# Built from pieces so that this file does not match itself.
OUTSIDE = re.compile("|".join([r"\.\./" + "shared", r"parent\s*/\s*[\"']" + "shared" + "[\"']"]))


def tracked_text_files():
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in names:
        path = ROOT / name
        if path.is_file() and path.stat().st_size < 2_000_000:
            try:
                yield name, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # images, archives, compiled catalogues


def test_no_file_refers_to_a_folder_beside_the_repository():
    offenders = [name for name, text in tracked_text_files() if OUTSIDE.search(text)]
    assert offenders == []


def test_the_test_vectors_are_in_the_repository():
    assert TESTDATA.is_relative_to(ROOT)
    readme = (TESTDATA / "README.md").read_text(encoding="utf-8")
    for path in sorted(p for p in TESTDATA.rglob("*") if p.is_file() and p.name != "README.md"):
        assert path.name in readme, f"{path.relative_to(TESTDATA)} has no provenance in tests/data/README.md"
