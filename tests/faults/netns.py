"""Worker machines on networks of their own, for the several-machines tests.

Each machine gets a network namespace joined to the test's host by a veth
pair (host side 10.77.N.1/30, namespace side 10.77.N.2/30). Inside, only
``lo`` and that link exist: 127.0.0.1 is the namespace's own empty loopback,
so a process that quietly used "localhost" instead of the URLs it was given
fails instead of passing by luck.

The services (PostgreSQL, Redis, the S3 server) listen on 127.0.0.1 of the
host only. Rather than changing the host's firewall or ``route_localnet``
(global settings that would have to be undone after a crash), a small TCP
forwarder in the test process listens on the host-side veth address and
relays to 127.0.0.1; it also counts the connections, so a test can check
the services really were reached that way.

Names carry the test process's pid (``ocrspace-<pid>-<n>`` namespaces,
``ocv<pid>-<n>`` host links): runs at the same time do not collide, and
leftovers of a run that died (its pid gone) are removed at the next start.
"""

from __future__ import annotations

import fcntl
import functools
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

NAMESPACE_PREFIX = "ocrspace-"
LINK_PREFIX = "ocv"
SUBNETS = ipaddress.ip_network("10.77.0.0/16")
LOCK = Path(tempfile.gettempdir()) / "ocrspace-netns.lock"


def ip(*args: str) -> str:
    """Run ``ip`` and return its output; a failure raises with ip's message."""
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip() or result.returncode}")
    return result.stdout


@functools.cache
def unavailable() -> str | None:
    """Why namespaces cannot be made on this machine, or None when they can.

    Tried once per test process with a throw-away namespace and veth pair,
    so that later failures are real failures, not a reason to skip.
    """
    if os.geteuid() != 0:
        return "network namespaces need root (the tests do not run as root)"
    if shutil.which("ip") is None:
        return "network namespaces need the ip command (iproute2 is not installed)"
    remove_leftovers()
    name = f"{NAMESPACE_PREFIX}{os.getpid()}-probe"
    try:
        ip("netns", "add", name)
    except RuntimeError as error:
        return f"cannot create a network namespace: {error}"
    try:
        ip("link", "add", f"{LINK_PREFIX}{os.getpid()}-p", "type", "veth", "peer", "name", "eth0", "netns", name)
    except RuntimeError as error:
        return f"cannot create a veth pair: {error}"
    finally:
        # Deleting the namespace deletes the pair too (one end is inside).
        ip("netns", "delete", name)
    return None


def remove_leftovers() -> None:
    """Delete namespaces and links of this module whose test process is gone."""
    def dead(pid: str) -> bool:
        return not Path(f"/proc/{pid}").exists()

    for line in ip("netns", "list").splitlines():
        match = re.match(rf"{NAMESPACE_PREFIX}(\d+)-\S+", line)
        if match and dead(match.group(1)):
            subprocess.run(["ip", "netns", "delete", match.group(0)], capture_output=True)
    for line in ip("-o", "link", "show").splitlines():
        match = re.match(rf"\d+: ({LINK_PREFIX}(\d+)-\w+)[@:]", line)
        if match and dead(match.group(2)):
            subprocess.run(["ip", "link", "delete", match.group(1)], capture_output=True)


class Forwarder:
    """Accepts TCP connections on ``listen`` (a free port) and relays each to
    ``target``, with two threads per connection (one per direction)."""

    def __init__(self, listen: str, target: tuple[str, int]):
        self.target = target
        self.server = socket.create_server((listen, 0))
        self.address = self.server.getsockname()[:2]
        self.connections = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name=f"forward {self.address}").start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=10)
            upstream.settimeout(None)
        except OSError:
            client.close()  # the service is down: the client sees it closed
            return
        with self._lock:
            self.connections += 1
            self._open |= {client, upstream}
        back = threading.Thread(target=self._pipe, args=(upstream, client), daemon=True)
        back.start()
        self._pipe(client, upstream)
        back.join()
        for sock in (client, upstream):
            with self._lock:
                self._open.discard(sock)
            sock.close()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)  # pass the end of the stream on
        except OSError:
            # One side went away (e.g. a SIGKILLed worker): end both directions.
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        # shutdown wakes the thread blocked in accept(); close alone does not.
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()
        with self._lock:
            still_open = list(self._open)
        for sock in still_open:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # the relay threads then close them
            except OSError:
                pass


class Loopback:
    """A machine on the test's own network: the services as they are."""

    namespace: str | None = None

    def command(self, argv: list[str]) -> list[str]:
        return argv

    def url(self, url: str) -> str:
        return url

    def close(self) -> None:
        pass


class Namespace:
    """A network namespace with a veth pair to the host and forwarders on
    the host side; ``url`` turns a service URL into the one to use inside."""

    def __init__(self, number: int, subnet: ipaddress.IPv4Network):
        self.namespace = f"{NAMESPACE_PREFIX}{os.getpid()}-{number}"
        self.link = f"{LINK_PREFIX}{os.getpid()}-{number}"
        host, inside = list(subnet.hosts())
        self.host_address = str(host)
        self.forwarders: dict[tuple[str, int], Forwarder] = {}
        ip("netns", "add", self.namespace)
        try:
            ip("link", "add", self.link, "type", "veth", "peer", "name", "eth0", "netns", self.namespace)
            ip("addr", "add", f"{host}/{subnet.prefixlen}", "dev", self.link)
            ip("link", "set", self.link, "up")
            ip("-n", self.namespace, "addr", "add", f"{inside}/{subnet.prefixlen}", "dev", "eth0")
            ip("-n", self.namespace, "link", "set", "eth0", "up")
            ip("-n", self.namespace, "link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise

    def command(self, argv: list[str]) -> list[str]:
        # ip execs the command after entering the namespace: the process
        # started is the command itself (same pid), so signals reach it.
        return ["ip", "netns", "exec", self.namespace, *argv]

    def url(self, url: str) -> str:
        """``url`` with its host and port replaced by a forwarder's on the
        host side of the veth pair."""
        parts = urlsplit(url)
        target = (parts.hostname, parts.port)
        if target not in self.forwarders:
            self.forwarders[target] = Forwarder(self.host_address, target)
        host, port = self.forwarders[target].address
        auth = parts.netloc.rpartition("@")[0]
        return urlunsplit(parts._replace(netloc=f"{auth}@{host}:{port}" if auth else f"{host}:{port}"))

    def connections(self, url: str) -> int:
        """How many connections the forwarder for ``url`` (the original) relayed."""
        parts = urlsplit(url)
        return self.forwarders[(parts.hostname, parts.port)].connections

    def inode(self) -> int:
        """The namespace's identity, as /proc/<pid>/ns/net shows it."""
        return os.stat(f"/run/netns/{self.namespace}").st_ino

    def close(self) -> None:
        for forwarder in self.forwarders.values():
            forwarder.close()
        # Removes the veth pair with it.
        subprocess.run(["ip", "netns", "delete", self.namespace], capture_output=True)
        subprocess.run(["ip", "link", "delete", self.link], capture_output=True)


def _free_subnets(count: int) -> list[ipaddress.IPv4Network]:
    """``count`` /30 subnets of 10.77.0.0/16 no interface of the host uses."""
    used = [ipaddress.ip_interface(word).network for line in ip("-o", "-4", "addr", "show").splitlines()
            for word in line.split()[3:4]]
    free = (net for net in SUBNETS.subnets(new_prefix=30) if not any(net.overlaps(u) for u in used))
    return [next(free) for _ in range(count)]


@contextmanager
def machine_networks(count: int) -> Iterator[list[Namespace]]:
    """``count`` namespaces, removed again afterwards (also on failure)."""
    made: list[Namespace] = []
    try:
        # One run at a time picks subnets and adds their addresses.
        with open(LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            remove_leftovers()
            for number, subnet in enumerate(_free_subnets(count)):
                made.append(Namespace(number, subnet))
        yield made
    finally:
        for network in made:
            network.close()
