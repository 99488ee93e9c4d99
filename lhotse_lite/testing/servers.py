"""Real servers on 127.0.0.1 for tests and benchmarks of remote storage: S3 (moto), HTTP (nginx), a counting proxy.

* :class:`MotoS3` runs moto's standalone S3 server (``moto[server]``'s ``ThreadedMotoServer``) on a
  free port.
* :class:`Nginx` runs Debian's ``nginx`` with a generated configuration serving one folder (range
  requests are nginx's default); ``/forbidden/`` answers 403.
* :class:`CountingProxy` relays requests to either of them and counts requests and response-body
  bytes on the server side; it can answer the next requests with an error status, cut a response
  off halfway, or drop every connection (a server that went away: ``down``, or ``down_after`` a
  number of requests).

The clients under test (s3fs, aiohttp through fsspec) talk to the proxy; nothing here is used by the
library itself. Nothing is imported from a test framework.

Example:
    >>> import socket
    >>> 1024 <= free_port() < 65536
    True
"""

from __future__ import annotations

import http.client
import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["free_port", "wait_for_port", "MotoS3", "Nginx", "CountingProxy", "NGINX"]

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
"""The nginx executable, or ``None`` when it is not installed."""

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout_s: float = 20.0) -> None:
    """Waits until something accepts connections on 127.0.0.1:``port``.

    Raises:
        TimeoutError: Nothing did within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s")


class MotoS3:
    """moto's S3 server on 127.0.0.1 (start with :meth:`start`, stop with :meth:`stop`)."""

    def __init__(self) -> None:
        self.port = free_port()
        self._server: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "MotoS3":
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


class Nginx:
    """nginx serving ``root`` on 127.0.0.1 with a generated configuration.

    Args:
        root: The folder served at ``/``.
    """

    def __init__(self, root: Path) -> None:
        if NGINX is None:
            raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
        self.executable: str = NGINX
        self.root = Path(root)
        self.port = free_port()
        self.prefix = Path(tempfile.mkdtemp(prefix="lhotse_lite-nginx-"))
        self._process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Nginx":
        user = "user root;\n" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
        (self.prefix / "logs").mkdir(exist_ok=True)
        config = self.prefix / "nginx.conf"
        config.write_text(
            f"{user}worker_processes 1;\npid {self.prefix}/nginx.pid;\nerror_log {self.prefix}/logs/error.log;\n"
            f"events {{ worker_connections 64; }}\n"
            f"http {{\n"
            f"  access_log {self.prefix}/logs/access.log;\n"
            f"  client_body_temp_path {self.prefix}/body; proxy_temp_path {self.prefix}/proxy;\n"
            f"  fastcgi_temp_path {self.prefix}/fastcgi; uwsgi_temp_path {self.prefix}/uwsgi;\n"
            f"  scgi_temp_path {self.prefix}/scgi;\n"
            f"  server {{\n    listen 127.0.0.1:{self.port};\n    root {self.root};\n"
            f"    location /forbidden/ {{ return 403; }}\n  }}\n}}\n"
        )
        self._process = subprocess.Popen(
            [self.executable, "-p", str(self.prefix), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stderr is not None:
                self._process.stderr.close()
            self._process = None
        shutil.rmtree(self.prefix, ignore_errors=True)


class CountingProxy:
    """An HTTP relay to ``127.0.0.1:upstream_port`` that counts and can fail requests.

    Attributes:
        requests: ``(method, path, Range header or None, body bytes sent)`` of every relayed request.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.requests: List[Tuple[str, str, Optional[str], int]] = []
        self._faults: List[Tuple[Any, Optional[str]]] = []
        self.down = False
        self.down_after: Optional[int] = None  # go down once this many requests were relayed
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "CountingProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forgets the counted requests and pending faults, and comes back up."""
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self.down = False
            self.down_after = None

    def fail_next(self, status: Any, count: int = 1, match: Optional[str] = None) -> None:
        """Answers the next ``count`` requests (whose path contains ``match``) with ``status``.

        ``status`` is an HTTP status (an S3-style XML error body is sent) or ``"cut"``: the upstream's
        headers and half its body, then the connection is closed.
        """
        with self._lock:
            self._faults.extend([(status, match)] * count)

    def bytes_sent(self, method: str = "GET") -> int:
        """Response-body bytes relayed for ``method`` requests."""
        return sum(sent for m, _, _, sent in self.requests if m == method)

    def count(self, method: str = "GET") -> int:
        """Requests relayed with ``method``."""
        return sum(1 for m, *_ in self.requests if m == method)

    def _take_fault(self, path: str) -> Any:
        with self._lock:
            for i, (status, match) in enumerate(self._faults):
                if match is None or match in path:
                    del self._faults[i]
                    return status
        return None

    def _record(self, entry: Tuple[str, str, Optional[str], int]) -> None:
        with self._lock:
            self.requests.append(entry)


_ERROR_CODES = {403: "AccessDenied", 404: "NoSuchKey", 429: "SlowDown", 500: "InternalError", 503: "SlowDown"}


def _handler(proxy: CountingProxy) -> type:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                parts: List[bytes] = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(parts)
                    parts.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _relay(self) -> None:
            body = self._body()
            if proxy.down_after is not None and len(proxy.requests) >= proxy.down_after:
                proxy.down = True
            if proxy.down:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            fault = proxy._take_fault(self.path)
            if isinstance(fault, int):
                code = _ERROR_CODES.get(fault, "Error")
                payload = (
                    f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                    f"<Message>injected {fault}</Message></Error>"
                ).encode()
                proxy._record((self.command, self.path, self.headers.get("Range"), 0))  # before the client sees it
                self.send_response(fault)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                return
            headers: Dict[str, str] = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            if body or self.command in ("PUT", "POST"):
                headers["Content-Length"] = str(len(body))
            upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
            try:
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                data = response.read()
            finally:
                upstream.close()
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            length = response.getheader("Content-Length") if self.command == "HEAD" else str(len(data))
            if length is not None:
                self.send_header("Content-Length", length)
            sent = 0 if self.command == "HEAD" else len(data) // 2 if fault == "cut" else len(data)
            proxy._record((self.command, self.path, self.headers.get("Range"), sent))  # before the client sees it
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data[:sent])
                if fault == "cut":
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)

        do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _relay

    return Handler
