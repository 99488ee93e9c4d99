"""One writer per output: an operating-system lock held for as long as a run writes an output.

An output that a run writes and may resume (a manifest and its ``.partial``, a feature archive or
folder) is held with :class:`OutputLock` from before the run touches it until it is done. A second
writer of the same output, in this process or another, fails at once with
:class:`~lhotse_lite.errors.OutputLockedError` naming the output and the process that holds it,
before it renames, truncates or opens anything for writing.

Layout: the lock of ``<dir>/<name>`` is the file ``<dir>/<name>.lock`` (``feats.lca.lock``,
``feats.jsonl.gz.lock``; for a folder ``feats/``, ``feats.lock`` beside it). The holder takes an
exclusive ``fcntl.flock`` on it and writes its process id into it (the text ``<pid>\\n``, read only to
name the holder in the error). The operating system drops the lock when the holder closes it or dies,
so the lock of a killed run is free at once, whatever the file still says; a released lock removes its
file. ``flock`` locks are per open file, so two writers in one process exclude each other too; they
work on local file systems and, on Linux, on NFS (emulated with byte-range locks). Where ``fcntl`` does
not exist (Windows) outputs are not locked.

Outputs on object stores (``s3://``, ``gs://``, ...) have no operating-system lock: they are written
in a local staging file (:func:`lhotse_lite.remote.staging_path`), which :class:`OutputLock` holds as
above, so two writers of one URL on one machine exclude each other. Writers on different machines
are not excluded while they run; instead each upload is guarded by :class:`RemoteOutput`: it
records what the URL held when the run began (nothing, or an object of some ETag) and puts only if
that is still what it holds, so a run never overwrites an output that another run completed
meanwhile (:class:`~lhotse_lite.errors.OutputChangedError`; its staged file is kept). On S3 the
put of a new output is conditional (``If-None-Match: *``), so of two runs that finish together only
one succeeds; replacing an existing object is checked with a metadata request just before the put
(a window of one request), as is every put on other stores.

Example:
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "feats.lca")
    >>> lock = OutputLock(target)
    >>> lock.acquire()
    >>> os.path.basename(lock.lock_path), open(lock.lock_path).read().strip() == str(os.getpid())
    ('feats.lca.lock', True)
    >>> OutputLock(target).acquire()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.OutputLockedError: ...feats.lca is being written by process ... (this process: ...
    >>> lock.release(); os.path.exists(target + ".lock")
    False
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import IO, Any, Optional

from lhotse_lite.errors import OutputChangedError, OutputLockedError, RemoteChangedError, RemoteNotFoundError
from lhotse_lite.safe_writes import local_output
from lhotse_lite.types import Pathlike

try:
    import fcntl
except ImportError:  # pragma: no cover  (Windows: no flock)
    fcntl = None  # type: ignore[assignment]  # callers test for None

__all__ = ["OutputLock", "lock_path_of", "LOCK_SUFFIX", "RemoteOutput"]

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"
"""What is appended to an output's name to name its lock file."""


def lock_path_of(output: Pathlike) -> Path:
    """The lock file of ``output``: ``<output>.lock`` beside it (a trailing ``/`` is ignored).

    Example:
        >>> str(lock_path_of("out/feats/"))
        'out/feats.lock'
    """
    path = Path(os.path.normpath(os.fspath(output)))
    if path.name in ("", ".", ".."):  # the current folder, its parent or the root: name it
        path = Path(os.path.abspath(path))
    return path.with_name(path.name + LOCK_SUFFIX)


class OutputLock:
    """An exclusive lock on one output, held by this object from :meth:`acquire` to :meth:`release`.

    Args:
        output: The file or folder being written (it need not exist; its parent folder is created).

    Example:
        >>> import tempfile, os
        >>> lock = OutputLock(os.path.join(tempfile.mkdtemp(), "a.jsonl"))
        >>> lock.acquire(); lock.held
        True
        >>> lock.release(); lock.held
        False
    """

    def __init__(self, output: Pathlike) -> None:
        self.output = local_output(output)
        self.lock_path = lock_path_of(output)
        self._file: Optional[IO[bytes]] = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._file is not None

    def acquire(self) -> None:
        """Takes the lock (a no-op if this object holds it already); never waits.

        Raises:
            OutputLockedError: Another writer holds it; the message names the output and its pid.
        """
        if self._file is not None or fcntl is None:
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            file = open(self.lock_path, "a+b")  # noqa: SIM115  (held until release())
            try:
                fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_pid(file)
                file.close()
                raise OutputLockedError(_locked_message(self.output, self.lock_path, holder)) from None
            except OSError:
                file.close()
                raise
            if _same_file(file, self.lock_path):
                break
            file.close()  # its holder released and removed it between our open and our lock: retry
        if os.fstat(file.fileno()).st_size:  # left by a holder that died (truncating an empty file
            file.truncate(0)  # would make ext4 flush it on close: milliseconds)
        file.write(f"{os.getpid()}\n".encode())
        file.flush()
        self._file = file

    def check(self) -> None:
        """Fails if another writer holds the lock; takes nothing (a no-op if this object holds it).

        For writers that may run in several processes at once on behalf of one run (one file per
        matrix, each written under a temporary name and renamed): they must not exclude each other,
        only an output that a run holds. A shared ``flock`` is taken and dropped at once.

        Raises:
            OutputLockedError: Another writer holds the lock.
        """
        if self._file is not None or fcntl is None:
            return
        try:
            file = open(self.lock_path, "rb")  # noqa: SIM115  (closed below)
        except FileNotFoundError:
            return  # no lock file: nobody holds it
        with file:
            try:
                fcntl.flock(file.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputLockedError(_locked_message(self.output, self.lock_path, _read_pid(file))) from None
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)

    def release(self) -> None:
        """Releases the lock and removes its file (a no-op if it is not held)."""
        file, self._file = self._file, None
        if file is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.lock_path)  # while still locked: a waiting opener sees a removed file and retries
        file.close()

    def __enter__(self) -> "OutputLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __getstate__(self) -> dict:
        # A copy sent to another process never holds the lock: only its owner does.
        return {"output": self.output, "lock_path": self.lock_path, "_file": None}

    def __repr__(self) -> str:
        return f"OutputLock({str(self.output)!r}, held={self.held})"


def _same_file(file: IO[bytes], path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(file.fileno())
    return (mine.st_ino, mine.st_dev) == (on_disk.st_ino, on_disk.st_dev)


def _read_pid(file: Any) -> Optional[int]:
    try:
        file.seek(0)
        return int(file.read(32).decode("ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None  # the holder has not written its pid yet


def _locked_message(output: Path, lock_path: Path, holder: Optional[int]) -> str:
    who = "another process (pid not yet written)" if holder is None else f"process {holder}"
    if holder == os.getpid():
        who += " (this process: another writer of the same output is still open; close it first)"
    return (
        f"{output} is being written by {who}, which holds {lock_path}; two runs writing one output "
        f"would corrupt it. Wait for that run to finish, or write to another folder"
    )


class RemoteOutput:
    """Guards the uploads of one output on an object store against another run's (see the module docstring).

    Args:
        url: The output's URL.

    Example:
        >>> import os, tempfile
        >>> local = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = open(local, "w").write("{}\\n")
        >>> guard = RemoteOutput("memory://docs-output-lock/a.jsonl"); guard.begin()
        >>> guard.upload(local); guard.upload(local)  # its own earlier upload is no conflict
        >>> other = RemoteOutput("memory://docs-output-lock/a.jsonl"); other.begin()
        >>> guard.upload(local); other.upload(local)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.OutputChangedError: memory://docs-output-lock/a.jsonl was written by another run ...
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._expected: Optional[str] = None
        self.begun = False

    def _version(self) -> Optional[str]:
        from lhotse_lite import remote

        try:
            info = remote.object_info(self.url)
        except RemoteNotFoundError:
            return None
        return f"{info['etag']}|{info['size']}|{info['modified']}"

    def begin(self) -> None:
        """Records what the URL holds now (one metadata request): the run's starting point."""
        self._expected = self._version()
        self.begun = True

    def upload(self, local: Pathlike) -> None:
        """Puts ``local`` at the URL if it still holds what :meth:`begin` (or this guard's last upload) saw.

        Raises:
            OutputChangedError: Another run wrote the URL meanwhile; nothing was put.
            RemoteError: see :mod:`lhotse_lite.remote`.
        """
        from lhotse_lite import remote

        if not self.begun:
            self.begin()
        try:
            if self._expected is not None and self._version() != self._expected:
                raise RemoteChangedError(f"{remote.redact(self.url)}: replaced since this run began")
            remote.upload(local, self.url, create=self._expected is None)
        except RemoteChangedError as err:
            raise OutputChangedError(
                f"{remote.redact(self.url)} was written by another run while this run wrote it ({err}); it is "
                f"not overwritten. This run's output is in {local}: compare the two and upload it yourself if it "
                f"is the one to keep, or give the runs different outputs"
            ) from None
        self._expected = self._version()
