"""The load side: a small HTTP/1.1 client (keep-alive, pre-built multipart
bodies, so the client spends next to no CPU per request), closed-loop
concurrent uploaders, and a websocket feed listener.

Runs in the benchmark process, never inside the server; everything goes over
loopback like any other client.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def multipart(fields: dict[str, str], file_field: str, filename: str, data: bytes,
              content_type: str = "image/png") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    parts.append(data)
    parts.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Reply:
    status: int
    body: bytes
    ms: float

    def json(self):
        return json.loads(self.body)


class Client:
    """One keep-alive connection, one user (Bearer token)."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 300):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.token = token
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def connect(self) -> "Client":
        self.conn.connect()
        return self

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None) -> Reply:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect
                # once (the timing restarts, so it never includes the retry).
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
                continue
            return Reply(response.status, data, (time.perf_counter() - started) * 1000)
        raise AssertionError("unreachable")

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def upload(self, team: str, name: str, data: bytes) -> Reply:
        body, content_type = multipart({"team": team}, "files", name, data)
        return self.request("POST", "/api/uploads/", body, content_type)

    def recognize(self, name: str, data: bytes) -> Reply:
        body, content_type = multipart({}, "image", name, data)
        return self.request("POST", "/ocr/recognize", body, content_type)

    def close(self) -> None:
        self.conn.close()


@dataclass
class LoadResult:
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    wall_s: float = 0.0

    @property
    def requests_per_s(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0


def concurrent_uploads(base_url: str, team: str, tokens: list[str], images: list[bytes], per_uploader: int) -> LoadResult:
    """``len(tokens)`` uploaders (one user and one connection each) upload
    ``per_uploader`` distinct images each, back to back (closed loop: the
    next request leaves when the answer to the previous one is in), all
    starting together. Every request's latency is kept."""
    concurrency = len(tokens)
    assert len(images) >= concurrency * per_uploader, "not enough distinct images"
    bodies = [
        [multipart({"team": team}, "files", f"u{u}-{k}.png", images[u * per_uploader + k])
         for k in range(per_uploader)]
        for u in range(concurrency)
    ]
    clients = [Client(base_url, token).connect() for token in tokens]
    result = LoadResult(concurrency)
    lock = threading.Lock()
    barrier = threading.Barrier(concurrency + 1)
    errors: list[BaseException] = []

    def uploader(u: int) -> None:
        try:
            barrier.wait()
            for body, content_type in bodies[u]:
                reply = clients[u].request("POST", "/api/uploads/", body, content_type)
                with lock:
                    result.latencies_ms.append(reply.ms)
                    result.statuses[reply.status] = result.statuses.get(reply.status, 0) + 1
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)

    threads = [threading.Thread(target=uploader, args=(u,), daemon=True) for u in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall_s = time.perf_counter() - started
    for client in clients:
        client.close()
    if errors:
        raise RuntimeError(f"{len(errors)} uploader(s) failed: {errors[0]!r}")
    return result


class Feed:
    """A team's websocket feed, authenticated with a token in the first
    message (see README, Live feed). ``wait_for`` returns when an event of
    one of ``kinds`` arrives for each of the given upload ids and gives the
    arrival times (``time.perf_counter``)."""

    def __init__(self, ws_url: str, team: str, token: str, origin: str):
        from websockets.sync.client import connect

        # No keep-alive pings: a measurement waits on recv() anyway, and a busy
        # server answering a ping late is not an error worth a traceback.
        self.socket = connect(f"{ws_url}/ws/teams/{team}/feed/", origin=origin, max_size=2**24,
                              ping_interval=None, close_timeout=5)
        self.socket.send(json.dumps({"type": "auth", "token": token}))
        first = json.loads(self.socket.recv(timeout=15))
        if first.get("type") != "ready":
            raise RuntimeError(f"The feed did not get ready: {first}")
        self.arrivals: dict[int, tuple[str, float]] = {}

    def wait_for(self, upload_ids, kinds=("upload.done", "upload.failed"), timeout: float = 300) -> dict[int, tuple[str, float]]:
        wanted = set(upload_ids)
        deadline = time.monotonic() + timeout
        while not wanted <= self.arrivals.keys():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no result on the feed for uploads {sorted(wanted - self.arrivals.keys())}")
            message = json.loads(self.socket.recv(timeout=remaining))
            now = time.perf_counter()
            event = message.get("event") or {}
            if event.get("kind") in kinds and event.get("upload_id") not in self.arrivals:
                self.arrivals[event["upload_id"]] = (event["kind"], now)
        return {i: self.arrivals[i] for i in upload_ids}

    def close(self) -> None:
        self.socket.close()
