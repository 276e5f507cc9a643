"""Fixtures for the integrations tests: what the stand-in engine reads, and a
real HTTP receiver for webhooks (images, archives, the engine and queue
fixtures are shared, in tests/conftest.py)."""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def fake_engine_text() -> str:
    return "发票 invoice {width}x{height}\nTotal 42"


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
