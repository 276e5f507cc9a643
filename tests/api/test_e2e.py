"""End to end: real web server (daphne), real worker (qcluster), real engine.

The server and worker run as subprocesses on a throw-away database (SQLite
file, or a temporary PostgreSQL database when DATABASE_URL is set; Redis
when REDIS_URL is set), started by ``tools.schemathesis_check.api_stack``
(an ``ocrspace.stack.Stack``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools.schemathesis_check import api_stack

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def live():
    if not (ROOT / "recognition" / "engine" / "weights" / "manifest.json").exists():
        pytest.fail("Model weights missing: run `make weights`")
    platform = api_stack(worker=True, OCRSPACE_RECOGNIZE_WAIT_SECONDS="240")
    platform.start()
    yield platform
    platform.stop()


def screenshot(path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("DejaVuSans.ttf", 36)
    image = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.text((30, 40), "Quarterly sales report 2025", font=font, fill="black")
    draw.text((30, 110), "Total revenue 48210", font=font, fill="black")
    image.save(path)


def test_seed_client_snippet_gets_text(live, tmp_path, monkeypatch):
    import requests

    monkeypatch.chdir(tmp_path)
    screenshot(tmp_path / "screenshot.png")
    url = f"{live.url}/ocr/recognize"
    token = live.token("api-member")

    r = requests.post(url, files={'image': open('screenshot.png', 'rb')}, headers={'Authorization': 'Bearer ' + token})

    assert r.status_code == 200, (r.status_code, r.text, live.logs())
    body = r.json()
    assert body["success"] is True and body["deduplicated"] is False
    text = body["text"].lower()
    assert "sales" in text and "report" in text and "48210" in text, body["text"]
    assert 0 < body["confidence"] <= 1 and body["lines"]
    assert body["timestamp"].endswith("Z")

    # The same bytes again: answered at once from the stored result.
    again = requests.post(url, files={'image': open('screenshot.png', 'rb')}, headers={'Authorization': 'Bearer ' + token})
    assert again.status_code == 200 and again.json()["deduplicated"] is True
    assert again.json()["id"] == body["id"] and again.json()["text"] == body["text"]

    # The REST API shows the same upload, and search finds it.
    headers = {"Authorization": f"Bearer {token}"}
    detail = requests.get(f"{live.url}/api/uploads/{body['id']}/", headers=headers).json()
    assert detail["result"]["text"] == body["text"]
    hits = requests.get(f"{live.url}/api/search/", params={"q": "48210"}, headers=headers).json()["results"]
    assert [h["upload"]["id"] for h in hits] == [body["id"]]


def test_without_token_is_401(live, tmp_path):
    import requests

    screenshot(tmp_path / "s.png")
    r = requests.post(f"{live.url}/ocr/recognize", files={"image": open(tmp_path / "s.png", "rb")})
    assert r.status_code == 401 and r.json()["success"] is False


def test_schemathesis_finds_no_server_errors_or_schema_violations():
    result = subprocess.run(
        [sys.executable, "-m", "tools.schemathesis_check", "--max-examples", "15", "--seed", "20251104"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
