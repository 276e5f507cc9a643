"""Fixtures for the integrations tests: images, archives, a stand-in OCR
engine, an inline queue and a real HTTP receiver for webhooks."""

from __future__ import annotations

import io
import itertools
import json
import queue
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

_colors = itertools.count(1)


def make_png(size=(120, 40)) -> bytes:
    """A small PNG, different on every call (its colour changes)."""
    n = next(_colors)
    image = Image.new("RGB", size, ((n * 37) % 256, (n * 91) % 256, (n * 53 + 7) % 256))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


@pytest.fixture
def png():
    return make_png


@pytest.fixture
def zip_of():
    return make_zip


class FakeResult:
    def __init__(self, text: str, version: str):
        self.payload = {
            "text": text,
            "confidence": 0.91,
            "lines": [{"text": t, "confidence": 0.91, "box": [[0, 0], [10, 0], [10, 10], [0, 10]]}
                      for t in text.splitlines()],
            "engine_version": version,
            "timings": {"total": 1.0},
        }

    def to_dict(self) -> dict:
        return self.payload


class FakeEngine:
    """Reads the image size into the text; counts its calls."""

    engine_version = "fake-engine/1"

    def __init__(self):
        self.calls = 0

    def recognize(self, data: bytes) -> FakeResult:
        self.calls += 1
        image = Image.open(io.BytesIO(data))
        return FakeResult(f"发票 invoice {image.width}x{image.height}\nTotal 42", self.engine_version)


@pytest.fixture
def fake_engine(monkeypatch):
    from recognition import engine_gateway

    engine = FakeEngine()
    monkeypatch.setattr(engine_gateway, "get_engine", lambda: engine)
    return engine


@pytest.fixture
def sync_queue(monkeypatch):
    """Run queued tasks at once, in this process (django-q2 sync mode)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def queued(monkeypatch):
    """Record the ids of enqueued uploads instead of running OCR."""
    from recognition import services

    ids: list[int] = []
    monkeypatch.setattr(services, "enqueue", ids.append)
    return ids


# --- A real HTTP receiver --------------------------------------------------------

@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records POSTs and answers each with
    the next queued status (200 when none is queued)."""

    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: "queue.SimpleQueue[int]" = field(default_factory=queue.SimpleQueue)
    always: int | None = None

    def answer(self, *codes: int) -> None:
        for code in codes:
            self.statuses.put(code)


@pytest.fixture
def receiver():
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            hook = state["receiver"]
            hook.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if hook.always is not None:
                code = hook.always
            else:
                try:
                    code = hook.statuses.get_nowait()
                except queue.Empty:
                    code = 200
            reply = json.dumps({"received": True, "code": code}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/ocr")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def allow_private(settings):
    settings.OCRSPACE_WEBHOOKS_ALLOW_PRIVATE = True
