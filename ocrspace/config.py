"""Small, testable helpers that turn environment values into settings.

Kept apart from the settings modules so that a bad value produces one clear
``ImproperlyConfigured`` message (and so tests can exercise each rule without
re-importing the settings module).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

SUPPORTED_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


# Connections per process of the PostgreSQL pool unless OCRSPACE_DB_POOL
# says otherwise; the pool opens up to this many as requests need them and
# keeps POOL_MIN_SIZE open (one: every worker process has a pool of its own,
# and uses one connection at a time).
POOL_DEFAULT_SIZE = 10
POOL_MIN_SIZE = 1
# Seconds a request waits for a free pooled connection before it is answered
# 503 "database unavailable" (psycopg_pool.PoolTimeout is an OperationalError).
POOL_TIMEOUT = 10


def database_pool(value: str) -> dict | None:
    """``OCRSPACE_DB_POOL``: empty or ``on``, the default pool; a number,
    at most that many connections per process; ``0`` or ``off``, no pool
    (a new connection per request, as without it). The psycopg_pool options
    for ``DATABASES[...]["OPTIONS"]["pool"]``, or None for no pool."""
    value = value.strip().lower()
    if value in {"0", "off", "false", "no"}:
        return None
    if value in {"", "on", "true", "yes"}:
        size = POOL_DEFAULT_SIZE
    elif value.isdecimal():
        size = int(value)
    else:
        raise ImproperlyConfigured(
            f"OCRSPACE_DB_POOL must be a number of connections per process, 0 or off, got {value!r}.")
    return {"min_size": min(POOL_MIN_SIZE, size), "max_size": size, "timeout": POOL_TIMEOUT}


def database_from_url(url: str, pool: str = "") -> dict:
    """Parse ``DATABASE_URL`` into a Django ``DATABASES`` entry; ``pool`` is
    ``OCRSPACE_DB_POOL`` (see ``database_pool``; PostgreSQL only).

    Only SQLite and PostgreSQL are supported; anything else is refused with a
    message that says what a valid value looks like, instead of failing later
    with an obscure import error from the database layer.
    """
    example = "sqlite:////absolute/path/db.sqlite3 or postgres://user:password@host:5432/name"
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"DATABASE_URL has an unsupported scheme {scheme or '(none)'!r}; "
            f"expected {example}."
        )
    pool_options = database_pool(pool)  # checked on SQLite too, where it is not used
    config = environ.Env.db_url_config(url)
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL names no database; expected {example}.")
    if config["ENGINE"].endswith("sqlite3"):
        # Web server, worker and relay share one SQLite file: wait for locks
        # instead of failing at once, and use WAL so readers never block writers.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        # No persistent connections: under ASGI (daphne) every request runs
        # in a thread of its own, and a connection kept open for reuse stays
        # with that thread and is never reused. A burst of 20 concurrent API
        # clients piled up connections until PostgreSQL refused more ("too
        # many clients already") and uploads failed with 500. Django's docs
        # say to disable persistent connections under ASGI.
        config.setdefault("CONN_MAX_AGE", 0)
        # Health checks: a pool hands out only connections that answer, and
        # without one a request's connection is checked before reuse.
        config["CONN_HEALTH_CHECKS"] = True
        if pool_options is not None:
            # Instead, a pool per process (psycopg_pool through Django): a
            # request's connection goes back to it when the request ends
            # (CONN_MAX_AGE=0 closes it there) and the next request takes it
            # without a new PostgreSQL backend; the pool's size bounds the
            # process's connections however many requests run at once.
            # Django refuses a pool with persistent connections.
            if config["CONN_MAX_AGE"] != 0:
                raise ImproperlyConfigured(
                    "DATABASE_URL asks for persistent connections (conn_max_age), which the connection pool "
                    "replaces; remove conn_max_age, or set OCRSPACE_DB_POOL=0 to have no pool.")
            config["OPTIONS"] = {**config.get("OPTIONS", {}), "pool": pool_options}
    return config


def quota(name: str, value: str, default: int) -> int:
    """A team quota setting: a whole number of at least 0 (0: unlimited);
    empty: ``default``."""
    value = value.strip().replace("_", "")
    if not value:
        return default
    if not value.isdecimal():
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 0 (0: unlimited), got {value!r}.")
    return int(value)


def web_processes(value: str) -> int | None:
    """``OCRSPACE_WEB_PROCESSES``: daphne processes ``manage.py serve``
    starts on its one port, at least 1; empty: None (``serve`` decides)."""
    value = value.strip()
    if not value:
        return None
    if not value.isdecimal() or int(value) < 1:
        raise ImproperlyConfigured(f"OCRSPACE_WEB_PROCESSES must be a whole number of at least 1, got {value!r}.")
    return int(value)


def default_web_processes(production: bool, role: str, cpus: int | None = None) -> int:
    """Web processes when ``OCRSPACE_WEB_PROCESSES`` is unset: one per core
    on a production web machine (``serve --role web``), else one."""
    if production and role == "web":
        return max(1, cpus if cpus is not None else _usable_cpus())
    return 1


def _usable_cpus() -> int:
    """The cores this process may run on (a container's cpuset, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def load_secret_key(value: str | None, var_dir: Path, production: bool) -> str:
    """Return the secret key: from the environment, or kept in ``var/``.

    The embedded default generates one key on first start and keeps it, so
    sessions survive restarts. Production mode must be given one explicitly:
    a key generated on a disk nobody backs up would silently log everyone out
    on redeploy.
    """
    if value:
        return value
    if production:
        raise ImproperlyConfigured("SECRET_KEY must be set in production mode (OCRSPACE_PRODUCTION=1).")
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def redis_url_or_none(value: str | None) -> str | None:
    """Validate ``REDIS_URL`` when given; empty means "no Redis"."""
    if not value:
        return None
    if urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://, got {value!r}.")
    return value


def engine_profile_names() -> tuple[str, ...]:
    """The engine's profile names (recognition.engine.profiles; no torch behind it)."""
    from recognition.engine.profiles import PROFILES

    return tuple(PROFILES)


def engine_profile(value: str) -> str:
    """Validate ``OCRSPACE_DEFAULT_PROFILE`` against the engine's profiles;
    empty: the engine's own default."""
    from recognition.engine.profiles import DEFAULT_PROFILE

    value = value or DEFAULT_PROFILE
    names = engine_profile_names()
    if value not in names:
        raise ImproperlyConfigured(f"OCRSPACE_DEFAULT_PROFILE must be one of {', '.join(names)}, got {value!r}.")
    return value


def torch_threads(value: str, workers: int) -> int:
    """``OCRSPACE_TORCH_THREADS`` when given, else the machine's CPUs shared
    between the ``workers`` (at least one each)."""
    if value:
        try:
            return int(value)
        except ValueError:
            raise ImproperlyConfigured(f"OCRSPACE_TORCH_THREADS must be a whole number, got {value!r}.") from None
    return max(1, (os.cpu_count() or 1) // workers)


def engine_device(value: str) -> str:
    """Validate ``OCRSPACE_DEVICE``: auto, cpu, cuda or cuda:N."""
    if value in {"auto", "cpu", "cuda"} or (value.startswith("cuda:") and value[5:].isdigit()):
        return value
    raise ImproperlyConfigured(f"OCRSPACE_DEVICE must be auto, cpu, cuda or cuda:N, got {value!r}.")


STORAGE_KINDS = ("filesystem", "s3")
FILESYSTEM_STORAGE = "recognition.storage_backends.ContentAddressedFileSystemStorage"
S3_STORAGE = "storages.backends.s3.S3Storage"


def media_storage(env: environ.Env) -> dict:
    """The ``STORAGES["default"]`` entry for the uploaded images.

    ``OCRSPACE_STORAGE=filesystem`` (the default) keeps them under
    ``MEDIA_ROOT``; ``s3`` puts them in a bucket of an S3-compatible object
    store (MinIO, Ceph RGW, AWS S3), which every web and worker machine
    reaches, so no machine needs a shared disk. Objects stay private: no ACL
    is set and no URL of the bucket is ever given out (images go through
    the permission-checked views).
    """
    kind = env.str("OCRSPACE_STORAGE", default="filesystem").strip().lower() or "filesystem"
    if kind not in STORAGE_KINDS:
        raise ImproperlyConfigured(f"OCRSPACE_STORAGE must be filesystem or s3, got {kind!r}.")
    if kind == "filesystem":
        return {"BACKEND": FILESYSTEM_STORAGE}
    bucket = env.str("OCRSPACE_S3_BUCKET", default="").strip()
    if not bucket:
        raise ImproperlyConfigured("OCRSPACE_S3_BUCKET must name the bucket when OCRSPACE_STORAGE=s3.")
    endpoint = env.str("OCRSPACE_S3_ENDPOINT_URL", default="").strip() or None
    if endpoint is not None and (urlsplit(endpoint).scheme not in {"http", "https"} or not urlsplit(endpoint).netloc):
        raise ImproperlyConfigured(
            f"OCRSPACE_S3_ENDPOINT_URL must be an http:// or https:// address, e.g. http://minio:9000, got {endpoint!r}."
        )
    style = env.str("OCRSPACE_S3_ADDRESSING_STYLE", default="path" if endpoint else "auto").strip().lower()
    if style not in {"auto", "path", "virtual"}:
        raise ImproperlyConfigured(f"OCRSPACE_S3_ADDRESSING_STYLE must be auto, path or virtual, got {style!r}.")
    from botocore.config import Config

    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": env.str("OCRSPACE_S3_REGION", default="").strip() or None,
        # Unset: boto3's own chain (AWS_ACCESS_KEY_ID, a profile, an instance role).
        "access_key": env.str("OCRSPACE_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("OCRSPACE_S3_SECRET_ACCESS_KEY", default="") or None,
        "location": env.str("OCRSPACE_S3_PREFIX", default="").strip("/"),
        "addressing_style": None if style == "auto" else style,
        # Names are content digests: the same name always holds the same bytes.
        "file_overwrite": True,
        "default_acl": None,
        "querystring_auth": True,
        # An unreachable store fails a request (or /readyz) in seconds, not
        # after botocore's default minute.
        "client_config": Config(
            connect_timeout=env.float("OCRSPACE_S3_CONNECT_TIMEOUT", default=5.0),
            read_timeout=env.float("OCRSPACE_S3_READ_TIMEOUT", default=30.0),
            retries={"max_attempts": 3, "mode": "standard"},
            signature_version="s3v4",
            s3={"addressing_style": None if style == "auto" else style},
        ),
    }
    return {"BACKEND": S3_STORAGE, "OPTIONS": options}
