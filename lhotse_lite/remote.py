"""Paths that are URLs: object stores (``s3://``, ``gs://``), web servers (``http(s)://``) and any fsspec protocol.

Every place that takes a path (manifest readers and writers, audio sources, feature storage) sends a
URL through this module, and only this module talks to fsspec. A *URL* is a string that starts with
``<protocol>://`` (:func:`is_url`); anything else is a local path and keeps the local code path.

Reading:
    :func:`open_read` returns a seekable binary file whose read-ahead is bounded (``block_size``
    bytes beyond what was asked), so decoding a span of a long FLAC reads that span plus codec
    framing, not the whole object. :func:`read_range` reads ``length`` bytes at ``offset`` with one
    ranged request (a feature matrix of a ``lilcom_chunky`` archive).

Writing:
    :func:`staged_write` yields a local file that is uploaded when the block ends without an error.
    On object stores (``s3``, ``gs``, ``gcs``, ``az``, ``abfs``) a put is atomic: the object appears
    complete or not at all. On other protocols the data goes to ``<name>.partial-<random>`` first
    and is then moved over the destination. Nothing is uploaded when the block raises.

Failures:
    Transient errors (timeouts, dropped connections, HTTP 408/429/5xx, throttling) are retried with
    exponential backoff, at most :attr:`RetryPolicy.attempts` tries in all (:func:`set_retry_policy`,
    or ``LHOTSE_LITE_REMOTE_ATTEMPTS``). Missing objects (404) raise :class:`RemoteNotFoundError`
    (a ``FileNotFoundError``), refused access (401/403) :class:`RemoteAccessError` (a
    ``PermissionError``), both at once; other failures :class:`RemoteError`. Messages name the URL
    and the status; user names, passwords and signed query values in URLs are replaced by ``***``
    (:func:`redact`). Credentials themselves come from each back end's standard environment and
    configuration files (``AWS_*`` and ``~/.aws`` for s3fs, ``GOOGLE_APPLICATION_CREDENTIALS`` for
    gcsfs) and are never read or written by lhotse_lite.

Back ends:
    fsspec ships ``file``, ``memory`` and others; ``s3://`` needs ``pip install lhotse_lite[s3]``
    (s3fs), ``gs://`` ``lhotse_lite[gcs]`` (gcsfs), ``http(s)://`` ``lhotse_lite[http]`` (aiohttp). A
    missing one raises :class:`RemoteBackendMissingError` naming the extra.

Path map (:mod:`lhotse_lite.path_map`, re-exported here):
    :func:`set_path_map` (or ``LHOTSE_LITE_PATH_MAP="s3://bucket/corpus=/mnt/corpus"``, several
    separated by ``;``, or ``lite --path-map``) rebinds path prefixes when audio and features are
    read, so a manifest written against a bucket reads from a local mirror and vice versa.

Example:
    >>> is_url("s3://bucket/a.flac"), is_url("/data/a.flac"), is_url("C:/data/a.flac")
    (True, False, False)
    >>> redact("https://user:secret@host/a.flac?X-Amz-Signature=abc&part=1")
    'https://***@host/a.flac?X-Amz-Signature=***&part=1'
    >>> set_path_map({"s3://bucket/corpus": "/mnt/corpus"})
    >>> map_path("s3://bucket/corpus/a.flac"), map_path("s3://bucket/corpus2/a.flac")
    ('/mnt/corpus/a.flac', 's3://bucket/corpus2/a.flac')
    >>> set_path_map(None)
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, TypeVar, Union

from lhotse_lite.errors import (
    LhotseLiteError,
    RemoteAccessError,
    RemoteBackendMissingError,
    RemoteChangedError,
    RemoteError,
    RemoteNotFoundError,
)
from lhotse_lite.path_map import PATH_MAP_ENV_VAR, map_path, path_map, set_path_map
from lhotse_lite.retry import ATTEMPTS_ENV_VAR, RetryPolicy, retry_policy, set_retry_policy

__all__ = [
    "PATH_MAP_ENV_VAR",
    "ATTEMPTS_ENV_VAR",
    "STAGING_ENV_VAR",
    "EXTRAS",
    "RetryPolicy",
    "is_url",
    "redact",
    "set_retry_policy",
    "retry_policy",
    "set_path_map",
    "path_map",
    "map_path",
    "filesystem",
    "exists",
    "open_read",
    "read_range",
    "object_info",
    "read_bytes",
    "read_capped",
    "write_bytes",
    "download",
    "upload",
    "staged_write",
    "staging_path",
    "remove",
    "RemoteFile",
]

logger = logging.getLogger(__name__)

STAGING_ENV_VAR = "LHOTSE_LITE_STAGING_DIR"
"""The local folder of resumable remote writes (default: ``~/.cache/lhotse_lite/staging``)."""

EXTRAS: Dict[str, str] = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "http": "http", "https": "http"}
"""The ``lhotse_lite`` extra that installs the back end of each protocol."""

#: Protocols whose put is atomic (the object appears complete or not at all).
_ATOMIC_PUT = ("s3", "s3a", "gs", "gcs", "az", "abfs", "abfss")

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_USERINFO = re.compile(r"(://)[^/@\s]+@")
_SECRET_QUERY = re.compile(
    r"((?:signature|sig|token|key|secret|password|credential|x-amz-security-token)[^=&\s]*=)[^&\s]*", re.IGNORECASE
)

# Exception class names (anywhere in an error's cause chain or MRO) that mean "try again".
_TRANSIENT_NAMES = frozenset(
    {
        "ClientConnectionError",
        "ClientPayloadError",
        "ServerTimeoutError",
        "ServerDisconnectedError",
        "EndpointConnectionError",
        "ConnectionClosedError",
        "ReadTimeoutError",
        "ConnectTimeoutError",
        "ResponseStreamingError",
        "IncompleteReadError",
        "ProtocolError",
        "IncompleteRead",
    }
)
_THROTTLING_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequests",
        "RequestTimeout",
        "ServiceUnavailable",
        "InternalError",
    }
)

T = TypeVar("T")


def is_url(path: Any) -> bool:
    """Whether ``path`` is a URL (``<protocol>://...``) rather than a local path.

    Example:
        >>> is_url("gs://b/x.jsonl.gz"), is_url("relative/x.jsonl"), is_url(Path("/x"))
        (True, False, False)
    """
    return isinstance(path, str) and _URL.match(path) is not None


def _protocol(url: str) -> str:
    match = _URL.match(url)
    return match.group(1).lower() if match else "file"


def redact(text: str) -> str:
    """``text`` with the user info of URLs and the values of signed query parameters replaced by ``***``.

    Example:
        >>> redact("s3://bucket/key")
        's3://bucket/key'
    """
    return _SECRET_QUERY.sub(r"\1***", _USERINFO.sub(r"\1***@", str(text)))


# ------------------------------------------------------------------------------------------ settings


# ------------------------------------------------------------------------------------- file systems


def filesystem(url: str) -> Tuple[Any, str]:
    """The fsspec file system of ``url`` and the path inside it.

    Raises:
        RemoteBackendMissingError: The protocol's back end is not installed; the message names the
            ``lhotse_lite`` extra (or package) to install.
        RemoteError: fsspec does not know the protocol.
    """
    try:
        import fsspec.core
    except ImportError as err:  # fsspec is a dependency; a broken install says so
        raise RemoteBackendMissingError(
            f"{redact(url)}: reading URLs needs fsspec; install it with pip install fsspec"
        ) from err
    protocol = _protocol(url)

    def connect() -> Tuple[Any, str]:
        try:
            return fsspec.core.url_to_fs(url)
        except ImportError as err:
            extra = EXTRAS.get(protocol)
            fix = f"pip install 'lhotse_lite[{extra}]'" if extra else f"install the fsspec back end of {protocol!r}"
            raise RemoteBackendMissingError(
                f"{redact(url)}: the {protocol!r} protocol needs a back end that is not installed ({err}); {fix}"
            ) from err
        except ValueError as err:
            raise RemoteError(f"{redact(url)}: fsspec does not know the protocol {protocol!r} ({err})") from err

    return _call(url, "connecting", connect)  # some back ends (ftp, sftp) connect when created


def _status(err: BaseException) -> Optional[int]:
    status = getattr(err, "status", None) or getattr(err, "status_code", None)
    if isinstance(status, int):
        return status
    response = getattr(err, "response", None)
    if isinstance(response, dict):
        code = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if isinstance(code, int):
            return code
        if response.get("Error", {}).get("Code") in _THROTTLING_CODES:
            return 503
    return None


def _chain(err: BaseException) -> Iterator[BaseException]:
    seen = 0
    current: Optional[BaseException] = err
    while current is not None and seen < 10:
        yield current
        seen += 1
        current = current.__cause__ or current.__context__


def _classify(err: BaseException) -> Tuple[str, Optional[int]]:
    """``("missing" | "access" | "transient" | "error", HTTP status or None)`` of a back end's error."""
    chain = list(_chain(err))
    for e in chain:
        status = _status(e)
        if status is not None:
            if status in (404, 410):
                return "missing", status
            if status in (401, 403):
                return "access", status
            if status in (408, 429) or status >= 500:
                return "transient", status
            if 400 <= status < 500:
                return "error", status
    for e in chain:
        names = {cls.__name__ for cls in type(e).__mro__}
        if names & _TRANSIENT_NAMES or isinstance(e, (TimeoutError, ConnectionError)):
            return "transient", None
    for e in chain:
        if isinstance(e, FileNotFoundError):
            return "missing", None
        if isinstance(e, PermissionError):
            return "access", None
    return "error", None


def _call(url: str, what: str, fn: Callable[[], T]) -> T:
    """``fn()``, retried on transient errors by the policy in force; other errors raised at once."""
    policy = retry_policy()
    attempt = 0
    while True:
        try:
            return fn()
        except LhotseLiteError:
            raise
        except Exception as err:  # noqa: BLE001  (every back end error is classified and raised as a RemoteError)
            kind, status = _classify(err)
            failure = _error(url, what, err, kind, status, attempt + 1)
            attempt += 1
        if kind != "transient" or attempt >= policy.attempts:
            # Raised outside the handler, without the back end's exception as cause or context: its
            # text is in the message (redacted), and the error pickles to a parent process whatever
            # the back end's exceptions hold (aiohttp's headers do not pickle).
            raise failure
        delay = policy.delay_s(attempt - 1)
        logger.warning("%s; retrying in %.1f s (try %d of %d)", failure, delay, attempt + 1, policy.attempts)
        time.sleep(delay)


def _error(url: str, what: str, err: BaseException, kind: str, status: Optional[int], tries: int) -> RemoteError:
    shown = redact(url)
    detail = redact(f"{type(err).__name__}: {err}")[:300]
    http = f"HTTP {status}" if status else "no HTTP status"
    if kind == "missing":
        return RemoteNotFoundError(f"{shown}: {what} failed: not found ({http}; {detail}); check the URL")
    if kind == "access":
        return RemoteAccessError(
            f"{shown}: {what} failed: access denied ({http}; {detail}); check the credentials the back end "
            f"reads from its environment (e.g. AWS_PROFILE, ~/.aws) and the object's permissions"
        )
    after = f" after {tries} tries" if kind == "transient" else ""
    return RemoteError(f"{shown}: {what} failed{after} ({http}; {detail})")


def exists(path: Union[str, os.PathLike]) -> bool:
    """Whether a local path or a URL names an existing file or object.

    Raises:
        RemoteAccessError, RemoteError: The store refused to answer or failed.
    """
    if not is_url(path):
        return os.path.exists(path)
    fs, inner = filesystem(path)  # type: ignore[arg-type]
    return _call(path, "checking existence", lambda: fs.exists(inner))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ reading


class RemoteFile(io.RawIOBase):
    """A seekable, read-only binary file over a URL, read with ranged requests and a bounded read-ahead.

    Seeking is free. A read that the buffer does not hold fetches what it asks for plus a read-ahead
    window: ``initial_block`` bytes after a seek, doubling while the reads stay sequential, at most
    ``block_size``. A decoder that hops through headers and seek tables therefore fetches small
    ranges, and a sequential read of ``n`` bytes costs about ``log2(n / initial_block)`` requests and
    at most about ``2 n`` bytes. Every request is retried by the policy in force.

    Args:
        url: The URL.
        block_size: The largest read-ahead in bytes. (Default: ``1 << 20``)
        initial_block: The read-ahead after a seek in bytes. (Default: ``1 << 13``)
        defer_errors: Report a failed read as the end of the file and keep the error in
            :attr:`error` (for readers such as libsndfile that cannot pass exceptions through);
            :meth:`raise_error` raises it.

    Attributes:
        size: The object's size in bytes (one metadata request when the file is opened); ``None``
            when the server does not say (no ``Content-Length``): such an object cannot be read by
            range, read it with :func:`read_capped`.
        error: The deferred error of a failed read, or ``None``.
        requests: The number of ranged requests made.

    Raises:
        RemoteNotFoundError, RemoteAccessError, RemoteError: see the module docstring.
    """

    def __init__(
        self, url: str, block_size: int = 1 << 20, initial_block: int = 1 << 13, defer_errors: bool = False
    ) -> None:
        super().__init__()
        self.url = url
        self.block_size = max(int(block_size), 1)
        self.initial_block = min(max(int(initial_block), 1), self.block_size)
        self.defer_errors = defer_errors
        self.error: Optional[RemoteError] = None
        self.requests = 0
        self._fs, self._inner = filesystem(url)
        size = _call(url, "reading the size", lambda: self._fs.size(self._inner))
        self.size: Optional[int] = None if size is None else int(size)  # None: a server that does not say
        self._pos = 0
        self._buffer = b""
        self._buffer_start = 0
        self._window = self.initial_block
        self._expected = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def _total(self) -> int:
        """The object's size, which ranged reads need."""
        if self.size is None:
            raise RemoteError(
                f"{redact(self.url)}: the server does not tell the object's size, so it cannot be "
                f"read by range; read it with read_capped()"
            )
        return self.size

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos}[whence] if whence != io.SEEK_END else self._total()
        self._pos = max(base + offset, 0)
        return self._pos

    def read(self, size: Optional[int] = -1) -> bytes:
        total = self._total()
        if self.error is not None or self._pos >= total:
            return b""
        if size is None or size < 0:
            size = total - self._pos
        pos, end = self._pos, min(self._pos + size, total)
        while not (self._buffer_start <= pos and end <= self._buffer_start + len(self._buffer)):
            try:
                self._fetch_for(pos, end)
            except RemoteError as err:
                if not self.defer_errors:
                    raise
                self.error = err
                return b""
        data = self._buffer[pos - self._buffer_start : end - self._buffer_start]
        self._pos += len(data)
        return data

    def _fetch_for(self, pos: int, end: int) -> None:
        """One ranged request towards holding ``[pos, end)``: extends the buffered run or starts a new one."""
        total = self._total()
        first, last = self._buffer_start, self._buffer_start + len(self._buffer)
        if self._buffer and pos < first and first - pos <= self.initial_block:  # a step back: prepend
            start, stop, where = pos, first, "before"
        elif self._buffer and first <= pos <= last:  # sequential: append, growing the read-ahead
            if self._expected:  # one fetch of the announced size; a ramp restarts after it
                window, self._window, self._expected = self._expected, self.initial_block, 0
            else:
                window = self._window = min(self._window * 2, self.block_size)
            start, stop, where = last, min(total, max(end, last + window)), "after"
        else:  # a jump: a new run
            window, self._expected = self._expected or self.initial_block, 0
            self._window = self.initial_block
            start, stop, where = pos, min(total, max(end, pos + window)), "new"
        fetched = _call(
            self.url, f"reading bytes {start}-{stop - 1}", lambda: self._fs.cat_file(self._inner, start=start, end=stop)
        )
        self.requests += 1
        if len(fetched) == total and stop - start != total:  # a server that ignores Range headers
            logger.warning(
                "%s: the server ignores range requests; the whole object (%d bytes) was read", redact(self.url), total
            )
            self._buffer, self._buffer_start = fetched, 0
            return
        if len(fetched) != stop - start:
            raise RemoteError(
                f"{redact(self.url)}: asked for bytes {start}-{stop - 1}, got {len(fetched)} bytes; "
                f"the object changed while it was read"
            )
        if where == "before":
            self._buffer, self._buffer_start = fetched + self._buffer, start
        elif where == "after":
            self._buffer += fetched
        else:
            self._buffer, self._buffer_start = fetched, start
        excess = len(self._buffer) - 2 * self.block_size  # bounded memory: drop the oldest bytes before pos
        if excess > 0:
            drop = min(excess, max(pos - self._buffer_start, 0))
            self._buffer, self._buffer_start = self._buffer[drop:], self._buffer_start + drop

    def expect_read(self, nbytes: int) -> None:
        """Sizes the read-ahead of the next fetch to ``nbytes`` (at most ``block_size``).

        A reader that knows how much it will read (a decoder: the span's share of the file) calls
        this so that the span costs one request instead of a ramp of growing ones.
        """
        self._expected = min(max(int(nbytes), self.initial_block), self.block_size)

    def expect_whole(self) -> None:
        """The next fetch reads the rest of the object in one request, whatever ``block_size`` is."""
        self._expected = max(int(self.size or 0), self.initial_block)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def raise_error(self) -> None:
        """Raises the deferred error of a failed read, if there was one."""
        if self.error is not None:
            raise self.error


def open_read(path: Union[str, os.PathLike], block_size: int = 1 << 20, initial_block: int = 1 << 13) -> Any:
    """A binary file to read a local path or a URL (a :class:`RemoteFile`).

    Args:
        path: A local path or a URL.
        block_size: The largest read-ahead of a URL in bytes.
        initial_block: The read-ahead of a URL after a seek (sequential readers such as manifest
            loaders pass ``block_size`` here: few requests).

    Raises:
        RemoteNotFoundError: The object does not exist (a ``FileNotFoundError``).
        RemoteAccessError, RemoteBackendMissingError, RemoteError: see the module docstring.
    """
    if not is_url(path):
        return open(path, "rb")
    return RemoteFile(path, block_size=block_size, initial_block=initial_block)  # type: ignore[arg-type]


def read_range(path: Union[str, os.PathLike], offset: int, length: int, etag: Optional[str] = None) -> bytes:
    """``length`` bytes at byte ``offset`` of a local file or a URL (one ranged request for a URL).

    Returns fewer bytes when the file ends first (the caller compares).

    Args:
        path: A local path or a URL.
        offset: The first byte.
        length: The number of bytes.
        etag: The object's ETag (:func:`object_info`) when it was opened: the request is conditional
            (``If-Match``) on ``s3`` and ``http(s)``, so bytes of another object are never returned.

    Raises:
        RemoteChangedError: The object's ETag is no longer ``etag`` (HTTP 412).
        RemoteNotFoundError, RemoteAccessError, RemoteError: see the module docstring.
    """
    if not is_url(path):
        with open(path, "rb") as file:
            file.seek(offset)
            return file.read(length)
    url = str(path)
    fs, inner = filesystem(url)

    def fetch() -> bytes:
        try:
            return _cat_range(fs, inner, offset, offset + length, etag)
        except Exception as err:
            if etag is not None and any(_status(e) == 412 for e in _chain(err)):
                raise RemoteChangedError(
                    f"{redact(url)}: the object changed after it was opened (its ETag is no longer {etag}); "
                    f"open it again"
                ) from None
            raise

    return _call(url, f"reading {length} bytes at offset {offset}", fetch)


def _cat_range(fs: Any, inner: str, start: int, end: int, etag: Optional[str]) -> bytes:
    protocols = fs.protocol if isinstance(fs.protocol, (tuple, list)) else (fs.protocol,)
    if etag is not None and any(p in ("http", "https") for p in protocols):
        return fs.cat_file(inner, start=start, end=end, headers={"If-Match": etag})
    if etag is not None and any(p in ("s3", "s3a") for p in protocols):
        import fsspec.asyn

        bucket, key, _ = fs.split_path(inner)

        async def get() -> bytes:  # s3fs's cat_file passes no conditions: its client call with one
            response = await fs._call_s3(
                "get_object", Bucket=bucket, Key=key, Range=f"bytes={start}-{end - 1}", IfMatch=etag
            )
            try:
                return await response["Body"].read()
            finally:
                response["Body"].close()

        return fsspec.asyn.sync(fs.loop, get)
    return fs.cat_file(inner, start=start, end=end)


def object_info(url: str) -> Dict[str, Any]:
    """What the store says of an object (one metadata request): ``size`` and, where it tells them,
    ``etag`` and ``modified`` (strings; ``None`` when not told).

    Raises:
        RemoteNotFoundError, RemoteAccessError, RemoteError: see the module docstring.
    """
    fs, inner = filesystem(url)
    info = _call(url, "reading the metadata", lambda: fs.info(inner))
    if info.get("type") == "directory":
        raise RemoteNotFoundError(f"{redact(url)}: not an object but a folder; check the URL")
    etag = info.get("ETag") or info.get("etag")
    modified = info.get("LastModified") or info.get("Last-Modified") or info.get("mtime") or info.get("created")
    return {
        "size": None if info.get("size") is None else int(info["size"]),
        "etag": None if etag is None else str(etag),
        "modified": None if modified is None else str(modified),
    }


def read_capped(url: str, max_bytes: int) -> bytes:
    """The object a URL names, read from its start as a stream: at most ``max_bytes + 1`` bytes.

    For servers that send no size (no ``Content-Length``, no ranges): the caller compares the length
    with ``max_bytes`` to tell a complete object from one cut off at the cap (an endless body stops here).

    Raises:
        RemoteNotFoundError, RemoteAccessError, RemoteError: see the module docstring.
    """
    fs, inner = filesystem(url)

    def fetch() -> bytes:
        parts: List[bytes] = []
        total = 0
        with fs.open(inner, "rb", block_size=0) as file:
            while total <= max_bytes:
                part = file.read(min(1 << 20, max_bytes + 1 - total))
                if not part:
                    break
                parts.append(part)
                total += len(part)
        return b"".join(parts)

    return _call(url, "reading", fetch)


def read_bytes(path: Union[str, os.PathLike]) -> bytes:
    """The whole content of a local file or of the object a URL names (one request).

    Raises:
        RemoteNotFoundError, RemoteAccessError, RemoteError: see the module docstring.
    """
    if not is_url(path):
        with open(path, "rb") as file:
            return file.read()
    fs, inner = filesystem(path)  # type: ignore[arg-type]
    return _call(path, "reading", lambda: fs.cat_file(inner))  # type: ignore[arg-type]


def write_bytes(url: str, data: bytes) -> None:
    """Stores ``data`` as the object ``url`` names, atomically (see :func:`upload`).

    Example:
        >>> write_bytes("memory://docs/y.bin", b"abc"); read_bytes("memory://docs/y.bin")
        b'abc'
    """
    with staged_write(url) as local:
        local.write_bytes(data)


def download(url: str, local: Union[str, os.PathLike]) -> None:
    """Copies an object to a local file, atomically (a temporary name, then a rename).

    Raises:
        RemoteNotFoundError, RemoteAccessError, RemoteError: see the module docstring.
    """
    fs, inner = filesystem(url)
    local = Path(local)
    local.parent.mkdir(parents=True, exist_ok=True)
    partial = local.with_name(f".{local.name}.download-{uuid.uuid4().hex[:8]}")
    try:
        _call(url, "downloading", lambda: fs.get_file(inner, str(partial)))
        os.replace(partial, local)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


# ------------------------------------------------------------------------------------------ writing


def upload(local: Union[str, os.PathLike], url: str, create: bool = False) -> None:
    """Copies a local file to ``url`` so that readers see the whole object or the previous one.

    Object stores put atomically; on other protocols the file goes to a temporary name first and is
    then moved over ``url``.

    Args:
        local: The file.
        url: The destination.
        create: Only if there is no object at ``url``: on S3 a conditional put (``If-None-Match: *``),
            so of two writers only one succeeds; elsewhere checked just before the put.

    Raises:
        RemoteChangedError: ``create`` and an object exists (HTTP 412).
        RemoteAccessError, RemoteError: see the module docstring (HTTP servers are read-only).
    """
    fs, inner = filesystem(url)
    protocols = fs.protocol if isinstance(fs.protocol, (tuple, list)) else (fs.protocol,)
    if any(p in ("http", "https") for p in protocols):
        raise RemoteError(f"{redact(url)}: cannot write to a web server; write to an object store or a local path")
    exists_now = RemoteChangedError(
        f"{redact(url)}: an object was written there by another writer (a put only if there is none was asked for)"
    )
    conditional = create and any(p in ("s3", "s3a") for p in protocols)
    if create and not conditional and exists(url):
        raise exists_now
    if any(p in _ATOMIC_PUT for p in protocols):

        def put() -> None:
            try:
                fs.put_file(str(local), inner, **({"mode": "create"} if conditional else {}))
            except Exception as err:
                if conditional and any(_status(e) == 412 for e in _chain(err)):
                    raise exists_now from None
                raise

        _call(url, "uploading", put)
        return
    parent = inner.rsplit("/", 1)[0] if "/" in inner else ""
    temporary = f"{inner}.partial-{uuid.uuid4().hex[:8]}"
    if parent:
        with contextlib.suppress(Exception):
            fs.makedirs(parent, exist_ok=True)
    _call(url, "uploading", lambda: fs.put_file(str(local), temporary))
    try:
        _call(url, "moving the upload into place", lambda: fs.mv(temporary, inner))
    except RemoteError:
        with contextlib.suppress(Exception):
            fs.rm(temporary)
        raise


def remove(url: str) -> None:
    """Deletes an object if it exists.

    Raises:
        RemoteAccessError, RemoteError: see the module docstring.
    """
    fs, inner = filesystem(url)
    with contextlib.suppress(RemoteNotFoundError):
        _call(url, "deleting", lambda: fs.rm_file(inner))


@contextlib.contextmanager
def staged_write(url: str) -> Iterator[Path]:
    """A local file (same base name as ``url``, in a fresh temporary folder) uploaded when the block ends.

    Nothing is uploaded when the block raises; the temporary folder is removed either way.

    Example:
        >>> import fsspec
        >>> with staged_write("memory://docs/x.txt") as local:
        ...     _ = local.write_text("hello")
        >>> fsspec.filesystem("memory").cat_file("/docs/x.txt")
        b'hello'
    """
    folder = tempfile.mkdtemp(prefix="lhotse_lite-upload-")
    try:
        local = Path(folder) / (url.rstrip("/").rsplit("/", 1)[-1] or "object")
        yield local
        upload(local, url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def staging_path(url: str) -> Path:
    """The local file where a resumable writer of ``url`` keeps its work until it uploads it.

    The same URL always gets the same file (in :data:`STAGING_ENV_VAR`, default
    ``~/.cache/lhotse_lite/staging``), so a resumed run finds what an interrupted one wrote.

    Example:
        >>> staging_path("s3://b/cuts.jsonl.gz").name
        'cuts.jsonl.gz'
    """
    root = os.environ.get(STAGING_ENV_VAR) or os.path.join(os.path.expanduser("~"), ".cache", "lhotse_lite", "staging")
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return Path(root) / digest / (url.rstrip("/").rsplit("/", 1)[-1] or "object")
