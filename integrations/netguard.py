"""Keeping webhook deliveries away from internal networks (SSRF).

A webhook URL is a request the server makes on a user's behalf, so a URL
pointing at ``127.0.0.1``, the LAN or a cloud metadata address
(``169.254.169.254``) would let a team admin probe or call services they
cannot reach themselves. Three layers stop that:

1. ``check_url`` at registration and again before each delivery: only
   http(s), and *every* address the host name resolves to must be public;
2. a guarded HTTP session whose connections check the address actually
   connected to (``getpeername``) before a byte is sent, which closes the gap
   between our DNS lookup and the one ``requests`` makes (DNS rebinding);
3. no redirects and no proxies from the environment, so neither can send the
   request somewhere the checks did not see.

``OCRSPACE_WEBHOOKS_ALLOW_PRIVATE`` switches the address checks off, for
receivers on a trusted local network.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class UnsafeURL(ValueError):
    """The URL may not be used as a webhook; the message says why."""


def private_allowed() -> bool:
    return bool(getattr(settings, "OCRSPACE_WEBHOOKS_ALLOW_PRIVATE", False))


def address_refused(address: str) -> str | None:
    """Why ``address`` must not be contacted, or None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeURL("The URL is not valid.") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("Only http:// and https:// URLs can be webhooks.")
    if not parts.hostname:
        raise UnsafeURL("The URL has no host name.")
    if parts.username or parts.password:
        raise UnsafeURL("Put credentials in the receiver's checks, not in the URL.")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(f"The host name “{host}” cannot be resolved.") from error
    return sorted({info[4][0] for info in infos})


def check_url(url: str) -> None:
    """Raise ``UnsafeURL`` unless ``url`` is http(s) and every address of its
    host is public (or private addresses are allowed by the setting)."""
    _scheme, host, port = _split(url)
    addresses = resolve(host, port)
    if not addresses:
        raise UnsafeURL(f"The host name “{host}” has no address.")
    if private_allowed():
        return
    for address in addresses:
        reason = address_refused(address)
        if reason:
            raise UnsafeURL(f"“{host}” resolves to a {reason} address ({address}); webhooks must be public.")


# --- Guarded connections -------------------------------------------------------

class RefusedPeer(ConnectionError):
    """The connection reached an address the checks refuse."""


def _check_peer(sock: socket.socket) -> None:
    if private_allowed():
        return
    address = sock.getpeername()[0]
    reason = address_refused(address)
    if reason:
        sock.close()
        raise RefusedPeer(f"Refused to talk to a {reason} address ({address}).")


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock)
        return sock


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def guarded_session() -> requests.Session:
    """A session that checks the peer of every connection and ignores proxy
    variables (a proxy would be the peer, hiding the real destination)."""
    session = requests.Session()
    session.trust_env = False
    session.max_redirects = 0
    adapter = _GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
