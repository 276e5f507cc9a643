import pytest
from django.core.exceptions import ImproperlyConfigured

from ocrspace.config import (
    database_from_url, engine_device, engine_profile, load_secret_key, redis_url_or_none, torch_threads,
)


def test_sqlite_url_gets_lock_timeout_and_wal():
    config = database_from_url("sqlite:////tmp/x/db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/tmp/x/db.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_postgres_url_parsed():
    config = database_from_url("postgres://postgres@127.0.0.1:5432/ocrspace")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == ("127.0.0.1", 5432, "ocrspace", "postgres")


@pytest.mark.parametrize("url", ["mysql://root@localhost/x", "not a url", "", "postgres://localhost:5432/"])
def test_bad_database_url_is_a_clear_error(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url)


def test_secret_key_generated_once_and_kept(tmp_path):
    first = load_secret_key("", tmp_path, production=False)
    assert len(first) >= 50
    assert load_secret_key("", tmp_path, production=False) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_required_in_production(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_secret_key("", tmp_path, production=True)
    assert load_secret_key("given", tmp_path, production=True) == "given"


def test_redis_url_validated():
    assert redis_url_or_none("") is None
    assert redis_url_or_none("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        redis_url_or_none("http://127.0.0.1:6379")


def _manage(*args, **env):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=root, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_manage_py_reports_bad_database_url_without_traceback(tmp_path):
    result = _manage("check", DATABASE_URL="mysql://root@localhost/x", OCRSPACE_VAR_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "Configuration error: DATABASE_URL has an unsupported scheme 'mysql'" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        OCRSPACE_PRODUCTION="1",
        SECRET_KEY="k" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="ocr.example.com",
        OCRSPACE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_torch_threads_share_the_cpus_between_workers(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert (torch_threads("", 1), torch_threads("", 2), torch_threads("", 8)) == (4, 2, 1)
    assert torch_threads("3", 2) == 3
    with pytest.raises(ImproperlyConfigured, match="OCRSPACE_TORCH_THREADS"):
        torch_threads("many", 1)


def test_engine_profile_and_device_are_validated():
    assert engine_profile("") == "accurate" and engine_profile("fast") == "fast"
    with pytest.raises(ImproperlyConfigured, match="OCRSPACE_DEFAULT_PROFILE must be one of accurate, fast, v4"):
        engine_profile("turbo")
    assert [engine_device(d) for d in ("auto", "cpu", "cuda", "cuda:1")] == ["auto", "cpu", "cuda", "cuda:1"]
    for bad in ("gpu", "cuda:x", ""):
        with pytest.raises(ImproperlyConfigured, match="OCRSPACE_DEVICE"):
            engine_device(bad)


@pytest.mark.parametrize("env, message", [
    ({"OCRSPACE_STORAGE": "ftp"}, "OCRSPACE_STORAGE must be filesystem or s3, got 'ftp'"),
    ({"OCRSPACE_STORAGE": "s3"}, "OCRSPACE_S3_BUCKET must name the bucket"),
    ({"OCRSPACE_STORAGE": "s3", "OCRSPACE_S3_BUCKET": "b", "OCRSPACE_S3_ENDPOINT_URL": "minio:9000"},
     "OCRSPACE_S3_ENDPOINT_URL must be an http:// or https:// address"),
    ({"OCRSPACE_STORAGE": "s3", "OCRSPACE_S3_BUCKET": "b", "OCRSPACE_S3_ADDRESSING_STYLE": "sideways"},
     "OCRSPACE_S3_ADDRESSING_STYLE must be auto, path or virtual"),
])
def test_bad_storage_settings_stop_start_up_with_one_line(tmp_path, env, message):
    result = _manage("check", OCRSPACE_VAR_DIR=str(tmp_path), **env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Configuration error: {message}") and result.stderr.count("\n") == 1


def test_storage_settings_default_to_the_filesystem_and_keep_objects_private():
    import environ

    from ocrspace.config import media_storage

    env = environ.Env()
    env.ENVIRON = {}
    assert media_storage(env) == {"BACKEND": "recognition.storage_backends.ContentAddressedFileSystemStorage"}
    env.ENVIRON = {"OCRSPACE_STORAGE": "S3", "OCRSPACE_S3_BUCKET": "images", "OCRSPACE_S3_ENDPOINT_URL": "http://minio:9000"}
    options = media_storage(env)["OPTIONS"]
    assert options["bucket_name"] == "images" and options["endpoint_url"] == "http://minio:9000"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["client_config"].s3 == {"addressing_style": "path"}  # MinIO's default


def test_team_quota_settings_are_whole_numbers_of_at_least_zero():
    from ocrspace.config import quota

    assert quota("OCRSPACE_TEAM_MAX_QUEUED", "", 10_000) == 10_000
    assert quota("OCRSPACE_TEAM_MAX_QUEUED", "0", 10_000) == 0
    assert quota("OCRSPACE_TEAM_MAX_STORED_BYTES", " 50_000_000_000 ", 0) == 50_000_000_000
    for bad in ("-1", "1.5", "10GB", "many"):
        with pytest.raises(ImproperlyConfigured, match="OCRSPACE_TEAM_MAX_QUEUED must be a whole number"):
            quota("OCRSPACE_TEAM_MAX_QUEUED", bad, 10_000)


def test_postgres_gets_a_connection_pool_sized_by_ocrspace_db_pool():
    url = "postgres://postgres@127.0.0.1:5432/ocrspace?sslmode=require"
    config = database_from_url(url)
    assert config["OPTIONS"] == {"sslmode": "require", "pool": {"min_size": 1, "max_size": 10, "timeout": 10}}
    assert config["CONN_MAX_AGE"] == 0 and config["CONN_HEALTH_CHECKS"] is True
    assert database_from_url(url, "25")["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 25, "timeout": 10}
    for off in ("0", "off", " OFF "):
        assert "pool" not in database_from_url(url, off)["OPTIONS"]


def test_sqlite_never_gets_a_pool():
    assert "pool" not in database_from_url("sqlite:////tmp/x/db.sqlite3", "25")["OPTIONS"]


@pytest.mark.parametrize("value", ["-1", "ten", "1.5"])
def test_a_bad_pool_size_is_a_clear_error(value):
    with pytest.raises(ImproperlyConfigured, match="OCRSPACE_DB_POOL must be a number"):
        database_from_url("sqlite:////tmp/x/db.sqlite3", value)


def test_persistent_connections_and_the_pool_exclude_each_other():
    url = "postgres://postgres@127.0.0.1:5432/ocrspace?conn_max_age=60"
    with pytest.raises(ImproperlyConfigured, match="OCRSPACE_DB_POOL=0"):
        database_from_url(url)
    assert database_from_url(url, "0")["CONN_MAX_AGE"] == 60
