"""A real S3-compatible HTTP server for the test session: moto's server,
started as a process of its own on a free local port (production uses MinIO
or AWS S3; the platform talks to both through boto3 the same way)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from urllib.error import URLError
from urllib.request import urlopen

import environ

from ocrspace.config import media_storage
from ocrspace.stack import free_port

ACCESS_KEY = "ocrspace-test"
SECRET_KEY = "ocrspace-test-secret"
REGION = "us-east-1"


class S3Server:
    def __init__(self, log_path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "S3Server":
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urlopen(f"{self.endpoint}/moto-api/", timeout=2):
                    return self
            except URLError:
                time.sleep(0.2)
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"The S3 test server did not start; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)

    def environment(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The platform's storage settings for ``bucket`` on this server."""
        return {
            "OCRSPACE_STORAGE": "s3",
            "OCRSPACE_S3_BUCKET": bucket,
            "OCRSPACE_S3_ENDPOINT_URL": self.endpoint,
            "OCRSPACE_S3_REGION": REGION,
            "OCRSPACE_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "OCRSPACE_S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "OCRSPACE_S3_PREFIX": prefix,
        }

    def storage_setting(self, bucket: str, prefix: str = "") -> dict:
        """``STORAGES["default"]`` for ``bucket``, built by the platform's own
        configuration code from those variables."""
        env = environ.Env()
        env.ENVIRON = self.environment(bucket, prefix)
        return media_storage(env)

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def new_bucket(self) -> str:
        name = f"ocrspace-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> set[str]:
        paginator = self.client().get_paginator("list_objects_v2")
        return {o["Key"] for page in paginator.paginate(Bucket=bucket) for o in page.get("Contents", ())}
