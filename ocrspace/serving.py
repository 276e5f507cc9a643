"""Start-up of the server process: what ``ocrspace/asgi.py`` does before it
serves, so that ``daphne ocrspace.asgi:application`` (as a deployment starts
it) behaves like ``manage.py serve``.

* ``require_collected_static``: outside DEBUG pages name the hashed files of
  ``collectstatic``; without its manifest every page would be a 500
  (``Missing staticfiles manifest entry``). Start-up stops with one line.
* ``answer_bad_requests``: daphne's HTTP layer is Twisted's. It closed the
  connection without an answer on a request line over 16 KiB, answered a
  bare ``400`` (no body, no Content-Type) to headers over the limits and to
  multipart bodies its own parser disliked, and parsed every multipart body
  into memory a second time although daphne never reads that copy (Django
  parses the body itself, with its own limits and messages). Here requests
  over the limits get 414/431 with a JSON ``detail`` saying which limit,
  other unparsable requests a 400 with a message, and multipart bodies are
  left to Django.
"""

from __future__ import annotations

import json
import logging
import os

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "http://localhost:8000"

# Twisted's HTTP limits (twisted.web.http.HTTPChannel), used by daphne as is.
REQUEST_LINE_LIMIT = 16384  # bytes of the request line, and of each header line
HEADERS_LIMIT = 16384  # bytes of the request line and all headers together
MAX_HEADERS = 500


class StaticFilesMissing(SystemExit):
    pass


def require_collected_static() -> None:
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return
    if not storage.exists(storage.manifest_name):
        raise StaticFilesMissing(
            f"Static files are not collected: run `python manage.py collectstatic --noinput` "
            f"(into STATIC_ROOT={settings.STATIC_ROOT}) before starting the server."
        )


def _answer(channel, status: int, reason: str, message: str) -> None:
    """Write a JSON error, then close once the client has read it (closing
    with unread request bytes would reset the connection, and the client
    might never see the answer)."""
    from twisted.internet import reactor

    body = json.dumps({"detail": message}).encode()
    channel.transport.write(
        b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
        % (status, reason.encode(), len(body), body)
    )
    channel.dataReceived = lambda data: None
    channel.lineReceived = lambda line: None
    try:
        channel.transport.loseWriteConnection()
    except AttributeError:  # pragma: no cover - a transport without half-close
        channel.loseConnection()
        return
    reactor.callLater(5, channel.transport.loseConnection)


def _line_too_long(self, line) -> None:
    if getattr(self, "_HTTPChannel__first_line", 0):
        _answer(self, 414, "URI Too Long",
                f"The request line is over {REQUEST_LINE_LIMIT} bytes. Send long lists (such as export ids) "
                "in a POST body.")
    else:
        _answer(self, 431, "Request Header Fields Too Large", f"A request header line is over {REQUEST_LINE_LIMIT} bytes.")


def _bad_request(self) -> None:
    if self._receivedHeaderSize > self.totalHeadersSize:
        _answer(self, 431, "Request Header Fields Too Large",
                f"The request line and headers are over {HEADERS_LIMIT} bytes together.")
    elif getattr(self, "_receivedHeaderCount", 0) > self.maxHeaders:
        _answer(self, 431, "Request Header Fields Too Large", f"The request has more than {MAX_HEADERS} headers.")
    else:
        _answer(self, 400, "Bad Request", "The request is not valid HTTP (request line, headers or body framing).")


def answer_bad_requests() -> None:
    from daphne.http_protocol import WebRequest
    from twisted.web import http

    if getattr(WebRequest, "_ocrspace_patched", False):
        return
    http.HTTPChannel.lineLengthExceeded = _line_too_long
    http.HTTPChannel._respondToBadRequestAndDisconnect = _bad_request
    original_init = WebRequest.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False

    WebRequest.__init__ = __init__
    WebRequest._ocrspace_patched = True


def served_url(host: str, port: int) -> str:
    """The address a browser on this machine uses for ``host:port``."""
    if host in ("127.0.0.1", "0.0.0.0", "::", "::1", "localhost", ""):
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def base_url_warning(production: bool, environ=os.environ) -> str | None:
    """In production the links in webhook payloads need the public address."""
    if production and not environ.get("OCRSPACE_BASE_URL"):
        return ("OCRSPACE_BASE_URL is not set: links in webhook payloads point to "
                f"{DEFAULT_BASE_URL}. Set it to this server's public address, e.g. https://ocr.example.com.")
    return None


def warn_if_base_url_unset() -> None:
    from django.conf import settings

    message = base_url_warning(settings.PRODUCTION)
    if message:
        log.warning(message)
