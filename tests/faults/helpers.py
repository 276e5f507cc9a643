"""Helpers of the fault-injection tests: small text images, an API client
with a JWT, and stopping/starting the machine's Redis."""

from __future__ import annotations

import io
import subprocess
import time

import requests
from PIL import Image, ImageDraw, ImageFont
from rest_framework_simplejwt.tokens import AccessToken

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
REDIS_RESTART = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]


def text_png(text: str, size=(200, 60)) -> bytes:
    """A small PNG with one short line of text; the same text gives the same
    bytes (duplicates are made by repeating a text)."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((10, 18), text, font=ImageFont.truetype(FONT, 20), fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def page_png(lines: int = 8) -> bytes:
    """A page of text that keeps the engine busy for a few seconds."""
    font = ImageFont.truetype(FONT, 22)
    image = Image.new("RGB", (900, 40 * lines + 40), "white")
    draw = ImageDraw.Draw(image)
    for i in range(lines):
        draw.text((30, 20 + 40 * i), f"Line {i} of a long document with numbers {i * 7919}", font=font, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class ApiClient:
    """One REST client (its own HTTP session) uploading as ``user`` to ``team``."""

    def __init__(self, platform, user, team):
        self.platform = platform
        self.team = team
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {AccessToken.for_user(user)}"

    def upload(self, data: bytes, name: str = "shot.png", timeout: float = 120) -> requests.Response:
        return self.session.post(
            f"{self.platform.url}/api/uploads/",
            data={"team": self.team.slug},
            files=[("files", (name, data, "image/png"))],
            timeout=timeout,
        )

    def upload_until_answered(self, data: bytes, name: str, retry_statuses=(503,), attempts: int = 60):
        """Upload, retrying on connection errors and ``retry_statuses`` (a
        client facing a brief outage); returns every answer seen, last one
        last. Connection errors are recorded as ``None``."""
        answers: list[requests.Response | None] = []
        for _ in range(attempts):
            try:
                response = self.upload(data, name)
            except requests.ConnectionError:
                answers.append(None)
            else:
                answers.append(response)
                if response.status_code not in retry_statuses:
                    return answers
            time.sleep(0.5)
        return answers


def accepted_ids(response: requests.Response) -> list[int]:
    """Ids of the uploads an upload answer says it stored or found."""
    body = response.json()
    return [r["upload"]["id"] for r in body.get("results", []) if r.get("ok") and r.get("upload")]


def redis_up() -> bool:
    return subprocess.run(["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True).stdout.strip() == "PONG"


def stop_redis() -> None:
    """Shut the machine's Redis down without saving (its queue is lost)."""
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True)
    deadline = time.monotonic() + 20
    while redis_up():
        if time.monotonic() > deadline:
            raise RuntimeError("Redis did not stop")
        time.sleep(0.1)


def start_redis() -> None:
    """Start Redis with the CI command line (unless it runs); wait until it answers."""
    if not redis_up():
        subprocess.run(REDIS_RESTART, check=True)
    deadline = time.monotonic() + 20
    while not redis_up():
        if time.monotonic() > deadline:
            raise RuntimeError("Redis did not come back")
        time.sleep(0.1)
