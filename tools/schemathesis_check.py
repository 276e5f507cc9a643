"""Fuzz the REST API against its own OpenAPI schema with schemathesis.

    .venv/bin/python -m tools.schemathesis_check [--max-examples 25] [--seed N]

Starts daphne on a free port against a throw-away database (a temporary
SQLite file, or a temporary database next to ``DATABASE_URL`` when that is
PostgreSQL), creates a team with an owner, a member and a finished upload,
issues a token and runs ``schemathesis run --checks all`` with it. Exit
status 0 means no server errors, no responses that contradict the schema,
no schema-valid request refused and no schema-violating request accepted.

``api_stack`` (an ``ocrspace.stack.Stack`` with these users) is also
used by the end-to-end tests (server + worker).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from ocrspace.stack import Stack

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HOOKS = ROOT / "tools" / "schemathesis_hooks.py"

SEED_SCRIPT = """
from django.contrib.auth import get_user_model
from teams import services
from teams.models import Membership
User = get_user_model()
owner = User.objects.create_user("api-owner", "owner@example.com", "api-owner-password-1")
team = services.create_team(owner, "API Team")
member = User.objects.create_user("api-member", "member@example.com", "api-member-password-1")
Membership.objects.create(user=member, team=team, role="member")
"""


def api_stack(worker: bool = False, **extra_env: str) -> Stack:
    """A throw-away stack seeded with the team and users above."""
    return Stack(worker=worker, seed_script=SEED_SCRIPT, **extra_env)


def run_schemathesis(platform: Stack, max_examples: int, seed: int | None, exclude: list[str] | None = None) -> int:
    token = platform.token("api-member", "api-team")
    command = [
        str(Path(PYTHON).with_name("schemathesis")), "--config-file", str(ROOT / "tools" / "schemathesis.toml"),
        "run", f"{platform.url}/api/schema/",
        "--header", f"Authorization: Bearer {token}",
        # Every check: no server errors, answers as the schema says, and the
        # API refuses what the schema forbids and accepts what it allows.
        "--checks", "all",
        "--max-examples", str(max_examples),
        "--workers", "1",
        "--request-timeout", "60",
        "--generation-allow-x00", "false",
        "--suppress-health-check", "all",
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    if exclude:
        command += ["--exclude-path-regex", "|".join(f"(?:{p})" for p in exclude)]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)}
    return subprocess.call(command, cwd=platform.dir, env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--exclude-path-regex", action="append", default=[], help="Skip matching paths (repeatable).")
    args = parser.parse_args()
    platform = api_stack(
        worker=False,
        OCRSPACE_RECOGNIZE_WAIT_SECONDS="1",
        OCRSPACE_THROTTLE_USER="100000/min",
        OCRSPACE_THROTTLE_ANON="100000/min",
        OCRSPACE_THROTTLE_UPLOAD="100000/min",
        OCRSPACE_THROTTLE_RECOGNIZE="100000/min",
        OCRSPACE_THROTTLE_AUTH="100000/min",
    )
    try:
        platform.start()
        code = run_schemathesis(platform, args.max_examples, args.seed, args.exclude_path_regex)
        if code:
            print(platform.logs()[-6000:], file=sys.stderr)
        return code
    finally:
        platform.stop()


if __name__ == "__main__":
    sys.exit(main())
