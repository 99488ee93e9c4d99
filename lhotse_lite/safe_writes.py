"""Writing files safely: temporary names that say who wrote them, stale ones removed, errors that name the file.

Atomic writes (:func:`atomic_open`) go to a hidden temporary file next to
the target and rename it at the end. A process killed with ``SIGKILL`` cannot remove its temporary
file, so each such kill used to leave one behind. The temporary name now carries the host and
process id of its writer (``.<name>.<host>-<pid>.<random>.tmp``, from :func:`make_temp_file`), and
the next process that writes into the same folder removes the temporary files whose writer no longer
runs on this host (:func:`remove_stale_temp_files`); files of a writer that still runs, or of another
host sharing the folder, are left alone.

The operating-system errors that only a write raises (``ENOSPC``: no space left, ``EDQUOT``: quota
exceeded, ``EFBIG``: file too large, ``EROFS``: read-only file system) do not say which file was being
written; :func:`naming_write_errors` turns them into a :class:`~lhotse_lite.errors.FileWriteError`
that does (and keeps ``errno``).

Example:
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> target = os.path.join(folder, "sups.jsonl")
    >>> stale = os.path.join(folder, f".sups.jsonl.{_host()}-999999999.abcd1234.tmp")  # a dead writer's
    >>> open(stale, "w").close()
    >>> remove_stale_temp_files(target), os.listdir(folder)
    (1, [])
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import logging
import os
import re
import socket
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO, Iterator, Set, Tuple

from lhotse_lite import remote
from lhotse_lite.errors import CollapsedUrlError, FileWriteError, LhotseLiteError
from lhotse_lite.types import Pathlike

__all__ = [
    "atomic_open",
    "local_output",
    "make_temp_file",
    "remove_stale_temp_files",
    "naming_write_errors",
    "GZIP_LEVEL",
]

logger = logging.getLogger(__name__)

#: gzip compression level of the ``.gz`` files the package writes (Lhotse reads them as usual).
GZIP_LEVEL = 5

# .<target name>.<host>-<pid>.<random>.tmp, as make_temp_file names them
_TEMP_NAME = re.compile(r"\..+\.([A-Za-z0-9]+)-(\d+)\.[^.]+\.tmp")
_SCANNED: Set[str] = set()  # folders this process has cleaned already
_SCANNED_LOCK = threading.Lock()

_SPACE_ERRORS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_WRITE_ERRORS = _SPACE_ERRORS | {errno.EROFS}


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"


# "<protocol>:/x" where "<protocol>://x" was meant: what pathlib.Path and os.path.normpath make of a URL
_COLLAPSED_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):/+(?=[^/])")
_REMOTE_PROTOCOLS = frozenset(
    {"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "http", "https", "hf", "oss", "oci", "r2"}
    | {"ftp", "sftp", "ssh", "webdav", "dbfs", "memory"}
)


def local_output(path: Pathlike) -> Path:
    """``path`` as a local output path, refusing a URL whose ``//`` was collapsed to ``/``.

    ``Path("s3://bucket/feats")`` is ``s3:/bucket/feats``: writing it would create a local folder named
    ``s3:`` and leave the store untouched. Outputs take URLs as strings (``"s3://bucket/feats"``).

    Raises:
        CollapsedUrlError: ``path`` starts with ``<protocol>:/`` for a remote protocol (``s3``, ``gs``,
            ``http``, ...).

    Example:
        >>> local_output("out/feats")
        PosixPath('out/feats')
        >>> local_output(Path("s3://bucket/feats"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.CollapsedUrlError: 's3:/bucket/feats' is the URL 's3://bucket/feats' with one '/' lost ...
    """
    text = os.fspath(path)
    match = _COLLAPSED_URL.match(text)
    if match is not None and match.group(1).lower() in _REMOTE_PROTOCOLS:
        url = f"{match.group(1)}://{text[match.end() :]}"
        if text.startswith(url):  # a URL where only a local path will do
            raise CollapsedUrlError(f"{text!r} is a URL; this output must be a local path")
        raise CollapsedUrlError(
            f"{text!r} is the URL {url!r} with one '/' lost (pathlib.Path and os.path.normpath collapse '//'); "
            "pass the URL as a string, not a Path, to write there"
        )
    return Path(text)


def make_temp_file(target: Pathlike) -> Tuple[int, str]:
    """Creates a hidden temporary file next to ``target``, named after its writer; returns ``(fd, path)``.

    Args:
        target: The file the temporary one will replace; its folder is created if missing, and the
            temporary files that killed writers of ``target`` left there are removed.

    Example:
        >>> import os, tempfile
        >>> fd, path = make_temp_file(os.path.join(tempfile.mkdtemp(), "a.json"))
        >>> os.close(fd); os.path.basename(path).startswith(".a.json.") and path.endswith(".tmp")
        True
    """
    target = local_output(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(target)
    return tempfile.mkstemp(prefix=f".{target.name}.{_host()}-{os.getpid()}.", suffix=".tmp", dir=target.parent)


def remove_stale_temp_files(target: Pathlike) -> int:
    """Removes the temporary files in ``target``'s folder left by writers that no longer run on this host.

    A folder is scanned once per process (its first write), so writing thousands of files into one
    folder (``split_lazy``) does not list it thousands of times: what a killed process left behind is
    removed by the next process that writes into that folder.

    Args:
        target: A file about to be written; its folder is scanned.

    Returns:
        How many files were removed (0 when the folder was scanned before by this process).

    Example:
        >>> import os, tempfile
        >>> remove_stale_temp_files(os.path.join(tempfile.mkdtemp(), "a.json"))
        0
    """
    folder = Path(target).parent
    key = os.path.abspath(folder)
    with _SCANNED_LOCK:
        if key in _SCANNED:
            return 0
        _SCANNED.add(key)
    marker = f".{_host()}-"
    removed = 0
    try:
        names = [name for name in os.listdir(folder) if marker in name and name.endswith(".tmp")]
    except OSError:
        return 0
    for name in names:
        match = _TEMP_NAME.fullmatch(name)
        if match is None or match.group(1) != _host() or _is_running(int(match.group(2))):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / name)
            removed += 1
            logger.info("removed %s, left by an interrupted write", folder / name)
    return removed


def _is_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OverflowError:  # not a pid at all
        return False
    return True


@contextlib.contextmanager
def naming_write_errors(path: Pathlike) -> Iterator[None]:
    """Re-raises a write-only ``OSError`` as a :class:`FileWriteError` naming ``path``.

    Write-only errors: no space left, quota exceeded, file too large, read-only file system. Other
    errors (of our tree, about reading, or that already name a file) pass through unchanged.

    Args:
        path: The file being written, as the message should name it.

    Raises:
        FileWriteError: The wrapped code failed with such an error (``errno`` is kept).

    Example:
        >>> import errno
        >>> with naming_write_errors("/data/feats.lca"):  # doctest: +NORMALIZE_WHITESPACE
        ...     raise OSError(errno.ENOSPC, "No space left on device")
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.FileWriteError: cannot write '/data/feats.lca': No space left on device;
        free some space or write somewhere else
    """
    try:
        yield
    except LhotseLiteError:
        raise
    except OSError as err:
        if err.filename is not None or err.errno not in _WRITE_ERRORS:
            raise
        reason = err.strerror or str(err) or type(err).__name__
        hint = "; free some space or write somewhere else" if err.errno in _SPACE_ERRORS else ""
        error = FileWriteError(f"cannot write {str(path)!r}: {reason}{hint}")
        error.errno, error.strerror, error.filename = err.errno, err.strerror, str(path)
        raise error from err


@contextlib.contextmanager
def atomic_open(path: Pathlike, gzip_level: int = GZIP_LEVEL) -> Iterator[BinaryIO]:
    """Open ``path`` for binary writing so that it appears only when the block finishes.

    Data goes to a temporary file next to ``path`` (gzip-compressed if ``path`` ends in ``.gz``).
    On normal exit the file is flushed, ``fsync``-ed and renamed over ``path``; on an exception the
    temporary file is removed and ``path`` is left as it was.

    Args:
        path: Destination file; its directory is created if missing.
        gzip_level: Compression level for ``.gz`` destinations.

    Yields:
        A binary file object.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "x.jsonl")
        >>> with atomic_open(path) as f:
        ...     _ = f.write(b'{"id":"a"}\\n')
        >>> open(path).read()
        '{"id":"a"}\\n'
    """
    if remote.is_url(path):  # written locally, uploaded when complete (see lhotse_lite.remote)
        with remote.staged_write(str(path)) as local, atomic_open(local, gzip_level) as f:
            yield f
        return
    path = local_output(path)
    fd, tmp = make_temp_file(path)
    try:
        with naming_write_errors(path), os.fdopen(fd, "wb") as raw:
            if str(path).endswith(".gz"):
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=gzip_level, mtime=0) as gz:
                    buffered = io.BufferedWriter(gz, buffer_size=1 << 20)
                    yield buffered
                    buffered.flush()
            else:
                yield raw
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
