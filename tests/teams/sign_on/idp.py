"""A real OpenID Connect provider for the sign-on tests: node's
``oidc-provider`` (``idp/server.mjs``, installed by ``make test`` with
``npm ci``), started as a process of the test session on a free loopback
port. Its accounts live in a JSON file it reads at every sign-in, so a test
changes an account's groups with ``set_groups``."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

from ocrspace.processes import free_port, stop_group

HERE = Path(__file__).resolve().parent / "idp"
CLIENTS = {"corp": "Corp ID", "partner": "Partner Login"}
SECRET = "idp-client-secret-for-tests-0123456789"
ACCOUNTS = {
    "dana": {"email": "dana@corp.example", "email_verified": True, "name": "Dana Reyes",
             "preferred_username": "dana", "groups": ["ocr-sales"]},
    "eli": {"email": "eli@corp.example", "email_verified": True, "name": "Eli Moss",
            "preferred_username": "eli", "groups": ["ocr-sales-leads"]},
    "sam": {"email": "sam@corp.example", "email_verified": True, "name": "Sam Ode",
            "preferred_username": "sam", "groups": []},
    "una": {"email": "una@corp.example", "email_verified": False, "name": "Una Verified-Not",
            "preferred_username": "una", "groups": ["ocr-sales"]},
    # Its codes expire after one second (server.mjs).
    "late": {"email": "late@corp.example", "email_verified": True, "name": "Late Comer",
             "preferred_username": "late", "groups": []},
}


class IdentityProvider:
    def __init__(self, base: Path, redirect_port: int):
        self.base = base
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.redirect_port = redirect_port
        self.accounts_file = base / "accounts.json"
        self.process: subprocess.Popen | None = None

    def callback(self, provider_id: str) -> str:
        return f"http://127.0.0.1:{self.redirect_port}/accounts/oidc/{provider_id}/login/callback/"

    def start(self) -> "IdentityProvider":
        node = shutil.which("node")
        if node is None or not (HERE / "node_modules" / "oidc-provider").exists():
            raise RuntimeError("node or oidc-provider is missing: run make test (npm ci in tests/teams/sign_on/idp)")
        self.reset_accounts()
        config = self.base / "idp.json"
        config.write_text(json.dumps({
            "port": self.port,
            "accounts_file": str(self.accounts_file),
            "short_code_accounts": ["late"],
            "clients": [{"client_id": f"ocrspace-{p}", "client_secret": SECRET, "redirect_uris": [self.callback(p)]}
                        for p in CLIENTS],
        }))
        self.log = open(self.base / "idp.log", "wb")
        self.process = subprocess.Popen([node, str(HERE / "server.mjs"), str(config)], cwd=HERE,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the identity provider exited: {(self.base / 'idp.log').read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the identity provider did not start listening")
                time.sleep(0.1)

    def reset_accounts(self) -> None:
        self.accounts_file.write_text(json.dumps(ACCOUNTS))

    def set_groups(self, account: str, groups: list[str]) -> None:
        accounts = json.loads(self.accounts_file.read_text())
        accounts[account]["groups"] = groups
        self.accounts_file.write_text(json.dumps(accounts))

    def platform_env(self) -> dict[str, str]:
        """The ``OCRSPACE_OIDC_*`` variables of a platform signing in here."""
        env = {"OCRSPACE_OIDC_PROVIDERS": ",".join(CLIENTS)}
        for provider_id, name in CLIENTS.items():
            prefix = f"OCRSPACE_OIDC_{provider_id.upper()}_"
            env.update({
                prefix + "NAME": name, prefix + "ISSUER": self.issuer, prefix + "CLIENT_ID": f"ocrspace-{provider_id}",
                prefix + "CLIENT_SECRET": SECRET, prefix + "SCOPES": "openid email profile groups",
                prefix + "TEAM_MAP": "ocr-sales=sales:member;ocr-sales-leads=sales:admin",
            })
        return env

    def stop(self) -> None:
        stop_group(self.process, timeout=10)
        self.log.close()
