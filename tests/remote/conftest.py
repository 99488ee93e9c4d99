"""Servers for the remote-storage tests: moto's S3 server and nginx on 127.0.0.1, each behind a counting proxy.

Started once per session on free ports and stopped after. Where a server cannot run (moto or nginx
not installed) the tests that need it skip, and fail instead where ``LITE_REQUIRE_SERVERS=1`` (as
``.ci/run`` sets it, so CI never hides them).
"""

import os
import uuid
from pathlib import Path

import pytest

from lhotse_lite import remote
from lhotse_lite.testing.servers import NGINX, CountingProxy, MotoS3, Nginx


def _unavailable(reason: str) -> None:
    if os.environ.get("LITE_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{reason} (LITE_REQUIRE_SERVERS=1: the remote-storage tests must run)")
    pytest.skip(reason)


class S3:
    """The S3 server as the tests see it: ``proxy`` counts and fails requests, ``client`` is boto3's."""

    def __init__(self, server, proxy, client):
        self.server, self.proxy, self.client = server, proxy, client

    def bucket(self) -> str:
        name = f"b-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=name)
        return name


class Http:
    """nginx as the tests see it: files under ``root`` are served at ``url`` (through the counting proxy)."""

    def __init__(self, server, proxy, root: Path):
        self.server, self.proxy, self.root = server, proxy, root

    @property
    def url(self) -> str:
        return self.proxy.url


@pytest.fixture(scope="session")
def s3_server():
    try:
        import boto3
        import moto.server  # noqa: F401
        import s3fs  # noqa: F401
    except ImportError as err:
        _unavailable(f"the S3 tests need moto[server], boto3 and s3fs ({err})")
    server = MotoS3().start()
    proxy = CountingProxy(server.port).start()
    patch = pytest.MonkeyPatch()
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": proxy.url,
        "AWS_ENDPOINT_URL_S3": proxy.url,
    }.items():
        patch.setenv(key, value)
    patch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1")
    try:
        yield S3(server, proxy, client)
    finally:
        patch.undo()
        proxy.stop()
        server.stop()


@pytest.fixture
def s3(s3_server):
    """The S3 server with its proxy's counters and faults reset."""
    s3_server.proxy.reset()
    yield s3_server
    s3_server.proxy.reset()


@pytest.fixture
def bucket(s3) -> str:
    """A new, empty bucket (its name)."""
    return s3.bucket()


@pytest.fixture(scope="session")
def http_server(tmp_path_factory):
    if NGINX is None:
        _unavailable("the HTTP tests need nginx (apt-get install nginx)")
    try:
        import aiohttp  # noqa: F401
    except ImportError as err:
        _unavailable(f"the HTTP tests need aiohttp ({err})")
    root = tmp_path_factory.mktemp("www")
    root.chmod(0o755)
    server = Nginx(root).start()
    proxy = CountingProxy(server.port).start()
    try:
        yield Http(server, proxy, root)
    finally:
        proxy.stop()
        server.stop()


@pytest.fixture
def http(http_server):
    """nginx with its proxy's counters and faults reset."""
    http_server.proxy.reset()
    yield http_server
    http_server.proxy.reset()


@pytest.fixture(autouse=True)
def quick_retries(tmp_path, monkeypatch):
    """Short backoff so that retry tests take milliseconds; a private staging folder and cache per test."""
    remote.set_retry_policy(remote.RetryPolicy(attempts=4, base_delay_s=0.01, max_delay_s=0.05))
    monkeypatch.setenv(remote.STAGING_ENV_VAR, str(tmp_path / "staging"))
    monkeypatch.setenv("LHOTSE_LITE_CACHE_DIR", str(tmp_path / "cache"))
    yield
    remote.set_retry_policy(None)
    remote.set_path_map(None)
