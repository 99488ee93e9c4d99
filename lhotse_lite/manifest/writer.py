"""Incremental manifest writers: write items one by one, survive interruptions, resume.

:func:`open_writer` (also ``SupervisionSet.open_writer`` and the other sets') returns a context
manager with ``write(item)``. Items are manifest objects (anything with ``to_dict()``) or plain dicts.
The file holds JSON lines whatever its name; it is gzip-compressed when the name ends in ``.gz``.
A ``.gz`` file is written block-compressed, as ``to_file`` writes it
(:class:`~lhotse_lite.manifest.blocked_gzip.BlockedGzipWriter`: gzip members of whole lines, an
ordinary gzip file for ``zcat``, Python's ``gzip`` and Lhotse).

How a file writer stays safe:

* Lines go to ``<path>.partial`` (same directory), never to ``<path>`` itself.
* On a normal exit of the ``with`` block the partial file is flushed, ``fsync``-ed and renamed to
  ``<path>`` with :func:`os.replace` (atomic). Until then a previous ``<path>`` is left intact.
  Its index is written next, still under the lock: ``<path>.idx`` of a ``.jsonl``, ``<path>.gzi``
  of a ``.jsonl.gz``, and the summary ``<path>.idx.json`` (:mod:`lhotse_lite.manifest.sidecars`);
  after a resume they cover the whole file.
* If the block raises (or the process dies), ``<path>.partial`` stays behind and ``<path>`` is
  unchanged. Opening the writer again with ``overwrite=False`` resumes: it keeps every complete
  line of the partial file (or of ``<path>`` when there is no partial file), drops a torn last
  line or an unfinished gzip block, and :meth:`SequentialJsonlWriter.contains` answers ``True`` for
  the ids already written, so a loop can skip them; as in Lhotse, ``write`` itself skips an item
  whose id the resume kept (it is in the file already).
* ``overwrite=True`` (the default) starts from nothing and discards an old partial file.
* One writer per file: from :meth:`~SequentialJsonlWriter.open` (or the first ``write``) to
  ``close`` the writer holds ``<path>.lock`` (:class:`~lhotse_lite.output_lock.OutputLock`). A second
  writer of the same path, in this process or another, fails at once with
  :class:`~lhotse_lite.errors.OutputLockedError` before it touches ``<path>`` or ``<path>.partial``.
* A full disk while writing is a :class:`~lhotse_lite.errors.FileWriteError` naming the partial file.
* A URL destination (``s3://...``) is written in a local staging file
  (:func:`lhotse_lite.remote.staging_path`, the same for the same URL) and uploaded on close; the
  object appears complete or not at all. A resume continues the staged file, or else the uploaded object.
  The staged file is locked as above; the upload is refused
  (:class:`~lhotse_lite.errors.OutputChangedError`) when another run wrote the URL after this one
  began (:class:`~lhotse_lite.output_lock.RemoteOutput`).

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "items.jsonl.gz")
    >>> with open_writer(path) as writer:
    ...     writer.write({"id": "a", "x": 1})
    >>> with open_writer(path, overwrite=False) as writer:  # resume: "a" is kept
    ...     if not writer.contains("a"):
    ...         writer.write({"id": "a", "x": 1})
    ...     writer.write({"id": "b", "x": 2})
    >>> from lhotse_lite.manifest.formats import iter_jsonl_dicts
    >>> [d["id"] for _, d in iter_jsonl_dicts(path)]
    ['a', 'b']
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from pathlib import Path
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    BinaryIO,
    Callable,
    Dict,
    Iterator,
    List,
    Optional,
    Protocol,
    Set,
    Type,
    Union,
    cast,
)

import orjson

from lhotse_lite import remote
from lhotse_lite.errors import ManifestError, ManifestFormatError
from lhotse_lite.manifest import formats
from lhotse_lite.manifest.lazy import LazyManifestIterator, LazyNode
from lhotse_lite.manifest.lines import iter_complete_lines
from lhotse_lite.output_lock import OutputLock, RemoteOutput
from lhotse_lite.safe_writes import naming_write_errors

if TYPE_CHECKING:
    from lhotse_lite.manifest.blocked_gzip import BlockedGzipWriter
    from lhotse_lite.manifest.set import ManifestSet
    from lhotse_lite.manifest.sidecars import SidecarWriter

# The block writer and the sidecars import numpy: they are imported where a writer first needs them, so
# that ``import lhotse_lite.manifest`` (and every lazy read) stays without it.

__all__ = ["open_writer", "SequentialJsonlWriter", "InMemoryWriter"]

logger = logging.getLogger(__name__)


def open_writer(
    path: Optional[formats.Pathlike], overwrite: bool = True
) -> Union["SequentialJsonlWriter", "InMemoryWriter"]:
    """A writer for ``path`` (JSON lines; gzip-compressed if it ends in ``.gz``), or an in-memory writer for ``None``.

    Args:
        path: Destination file, or ``None`` to collect items in memory.
        overwrite: Start a new file (``True``) or resume an interrupted one (``False``).

    Returns:
        A :class:`SequentialJsonlWriter` or :class:`InMemoryWriter`, to be used as a context manager.

    Example:
        >>> with open_writer(None) as w:
        ...     w.write({"id": "x"})
        >>> w.items
        [{'id': 'x'}]
    """
    if path is None:
        return InMemoryWriter()
    return SequentialJsonlWriter(path, overwrite=overwrite)


def _id_of(item: Any) -> Optional[Any]:
    if isinstance(item, dict):
        return item.get("id")
    return getattr(item, "id", None)


def _as_dict(item: Any) -> Dict[str, Any]:
    return item if isinstance(item, dict) else item.to_dict()


class SequentialJsonlWriter:
    """Writes manifest items (or dicts) as JSON lines through ``<path>.partial`` (see the module doc).

    Use it in a ``with`` block; without one, the first ``write`` opens it and :meth:`close` must be
    called to put the file in place (until then it is ``<path>.partial``).

    Args:
        path: Destination file (gzip-compressed when its name ends in ``.gz``).
        overwrite: Start a new file, or resume (keep the complete lines of an interrupted one).
        keep: With ``overwrite=False``, a test of each line a resume would keep (its dict): lines
            for which it returns ``False`` are dropped (counted in :attr:`num_dropped`). If it raises,
            the resume is refused and the files are left as they were.

    Attributes:
        ignore_ids: The ids in the file: kept by a resume or written since.
        num_written, num_kept, num_skipped: Items written now, kept from an earlier run, and not
            written because a resume had kept their id.
        num_dropped: Complete lines of the earlier run that ``keep`` refused.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl.gz")
        >>> with SequentialJsonlWriter(path) as writer:
        ...     writer.write({"id": "a", "recording_id": "r", "start": 0.0, "duration": 1.0})
        >>> "a" in writer, writer.open_manifest().ids.__next__()
        (True, 'a')
    """

    def __init__(
        self, path: formats.Pathlike, overwrite: bool = True, keep: Optional[Callable[[dict], bool]] = None
    ) -> None:
        # A URL destination is written in a local staging file and uploaded by close() (lhotse_lite.remote).
        self.url = str(path) if remote.is_url(path) else None
        self.path = remote.staging_path(self.url) if self.url else Path(path)
        self.partial_path = self.path.with_name(self.path.name + ".partial")
        self.overwrite = overwrite
        self.keep = keep
        self.num_dropped = 0
        self._lock = OutputLock(self.path)
        self._remote = RemoteOutput(self.url) if self.url else None  # the upload never overwrites another run's
        self.ignore_ids: Set[Any] = set()
        self._kept_ids: Set[Any] = set()
        self.num_written = 0
        self.num_kept = 0
        self.num_skipped = 0
        self._raw: Optional[BinaryIO] = None  # the partial file
        # what lines are written to: the partial file, or (.gz) the blocked gzip writer on it
        self._out: Optional[Union[BinaryIO, BlockedGzipWriter]] = None
        # .gz: the members of the partial file (those a resume kept included) and its line lengths and durations
        self._blocks: Optional[BlockedGzipWriter] = None
        self._sidecars: Optional[SidecarWriter] = None
        self._first: Optional[Dict[str, Any]] = None  # the first item's dict: the manifest type in the summary
        self._closed = False

    # ---- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> "SequentialJsonlWriter":
        self.open()
        return self

    def __exit__(self, exc_type: Optional[type], exc: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        if exc_type is None:
            self.close()
        else:
            self._abandon()

    def open(self) -> None:
        """Open the partial file (recovering from an earlier run when ``overwrite=False``).

        Raises:
            OutputLockedError: Another writer of the same path is open; nothing was touched.
        """
        if self._raw is not None:
            return  # open already (e.g. opened before its ``with`` block)
        self._lock.acquire()
        try:
            self._open_partial()
        except BaseException:
            self._lock.release()
            raise

    def _open_partial(self) -> None:
        from lhotse_lite.manifest.blocked_gzip import BlockedGzipWriter
        from lhotse_lite.manifest.sidecars import SidecarWriter

        self._blocks = self._sidecars = self._first = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        recovering = self.partial_path.with_name(self.partial_path.name + ".recover")
        if recovering.exists():  # left by a run killed while it resumed: its source is still intact
            recovering.unlink()
        if self._remote is not None:
            self._remote.begin()
        if (
            self.url
            and not self.overwrite
            and not self.partial_path.exists()
            and not self.path.exists()
            and remote.exists(self.url)
        ):  # resume from what the store holds
            remote.download(self.url, self.path)
        if not self.overwrite:
            source = self.partial_path if self.partial_path.exists() else self.path
            if source.exists():
                self._recover(source)
            elif self.partial_path.exists():
                self.partial_path.unlink()
        elif self.partial_path.exists():
            self.partial_path.unlink()
        # (the writer owns the file until close())
        raw = open(self.partial_path, "ab" if self.partial_path.exists() else "wb")  # noqa: SIM115
        self._raw = raw
        if formats.is_gzip(self.path):
            if self._blocks is None:  # a new file (else the resume wrote the partial file's first members)
                self._blocks, self._sidecars = BlockedGzipWriter(raw), SidecarWriter(None)
            else:
                self._blocks.continue_in(raw)
            self._out = self._blocks
        else:
            self._out = raw

    def close(self) -> None:
        """Finish the file: flush, ``fsync`` and rename ``<path>.partial`` to ``<path>``; release the lock."""
        from lhotse_lite.manifest.sidecars import build_sidecars, remove_sidecars

        raw, blocks = self._raw, self._blocks
        if raw is None:
            self._lock.release()
            return
        with naming_write_errors(self.partial_path):
            if blocks is not None:
                blocks.finish()
            raw.flush()
            os.fsync(raw.fileno())
            raw.close()
        self._raw = self._out = None
        self._closed = True
        try:  # the index is written under the lock too: no other writer can replace the file meanwhile
            remove_sidecars(self.path)  # an index of the old file must not outlive it
            os.replace(self.partial_path, self.path)
            # the index of the complete file (resumed runs included)
            if blocks is not None and self._sidecars is not None:
                self._write_gzip_index(blocks, self._sidecars)
            else:
                build_sidecars(self.path, with_ids=False)
            if self._remote is not None and self.url is not None:  # the object appears complete or not at
                self._upload(self._remote, self.url)  # all; a failed upload keeps the staged file
        finally:
            self._lock.release()

    def _upload(self, guard: RemoteOutput, url: str) -> None:
        """Put the staged data at the URL (guarded), then its index files, and remove the staged files.

        The old index objects are removed after the data is put: a reader in between finds no index or
        one whose data identity no longer matches (refused as stale), never items read through it.
        """
        from lhotse_lite.manifest.sidecars import INDEX_SUFFIXES

        guard.upload(self.path)
        for suffix in INDEX_SUFFIXES:
            remote.remove(url + suffix)
        for suffix in INDEX_SUFFIXES:
            sidecar = Path(str(self.path) + suffix)
            if sidecar.is_file():
                remote.upload(sidecar, url + suffix)
                sidecar.unlink()
        self.path.unlink()

    def _write_gzip_index(self, blocks: BlockedGzipWriter, sidecars: SidecarWriter) -> None:
        """Write ``<path>.gzi`` and the summary of the blocked gzip file just renamed into place."""
        with formats.atomic_open(formats.gzi_path(self.path)) as f:
            f.write(blocks.index_bytes())
        if self._first is not None:
            with contextlib.suppress(ManifestFormatError):  # not one of our item types: no type recorded
                sidecars.manifest_type = _set_type(self._first, f"{self.path}:1").__name__
        sidecars.finish(self.path, offsets=False)

    def _abandon(self) -> None:
        # Leave <path> untouched and keep what was written in <path>.partial for a resume.
        raw, blocks = self._raw, self._blocks
        if raw is None:
            self._lock.release()
            return
        with contextlib.suppress(OSError):
            if blocks is not None:
                blocks.end_member()
            raw.close()
        self._raw = self._out = None
        self._lock.release()
        logger.warning(
            "writer of %s interrupted; %d new items kept in %s (resume with overwrite=False)",
            self.path,
            self.num_written,
            self.partial_path,
        )

    # ---- writing ------------------------------------------------------------------------------

    def write(self, item: Any, flush: bool = False) -> None:
        """Append one item (a manifest object or a dict), opening the writer if needed.

        An item whose id a resume kept from the earlier run is not written again (Lhotse's rule).

        Args:
            item: The item.
            flush: Flush it to the operating system now (slower; useful for long-running jobs). In a
                ``.gz`` file a flush ends the current gzip member, so flushing every line makes the file
                larger: flush every few seconds, as ``FeatureSetBuilder`` does.
        """
        item_id = _id_of(item)
        if item_id is not None and item_id in self._kept_ids:
            self.num_skipped += 1
            logger.debug("%s: %r is in the file already (kept by the resume); not written again", self.path, item_id)
            return
        out = self._out
        if out is None:
            if self._closed:
                raise ManifestError(
                    f"the writer of {self.path} is closed; open a new one to write more "
                    f"(overwrite=False appends to the file)"
                )
            self.open()
            out = self._output()
        d = _as_dict(item)
        line = formats.dumps_line(d)
        try:  # (cheaper than entering naming_write_errors for every line)
            out.write(line)
            if flush:
                self._flush()
        except OSError:
            with naming_write_errors(self.partial_path):
                raise
        if self._sidecars is not None:
            self._sidecars.add(line, d)
            if self._first is None:
                self._first = d
        if item_id is not None:
            self.ignore_ids.add(item_id)
        self.num_written += 1

    def contains(self, item: Any) -> bool:
        """Whether an item (or an id) is already in the file, written now or kept by a resume."""
        key = item if isinstance(item, (str, int, tuple)) else _id_of(item)
        return key in self.ignore_ids

    __contains__ = contains

    def _output(self) -> Union[BinaryIO, BlockedGzipWriter]:
        if self._out is None:
            raise ManifestError(f"the writer of {self.path} is not open; use it in a `with` block or call open()")
        return self._out

    def _flush(self) -> None:
        self._output()
        if self._blocks is not None:
            self._blocks.end_member()  # the lines written so far end a gzip member: all of them readable on disk
        if self._raw is not None:
            self._raw.flush()

    def open_manifest(self) -> Any:
        """The written items as a lazy set of the detected type, or ``None`` if there is none yet.

        While the writer is open (as Lhotse allows), what was written so far is flushed first and the
        set reads the complete lines of ``<path>.partial`` on each pass (gzip included), then ``<path>``
        once the writer is closed; so, as Lhotse's, it sees the items written later too.
        """
        if self._raw is None:
            return _open_lazily(self.url or self.path)
        with naming_write_errors(self.partial_path):
            self._flush()
        for line in iter_complete_lines(self.partial_path, gz=formats.is_gzip(self.path)):
            cls = _set_type(orjson.loads(line), f"{self.partial_path}:1")
            return cls(_WrittenItems(self.path, self.partial_path, cast(_ItemClass, cls.element_type).from_dict))
        return None

    # ---- resume -------------------------------------------------------------------------------

    def _recover(self, source: Path) -> None:
        """Copy the complete, valid lines of ``source`` (those ``keep`` accepts) into a fresh partial file."""
        tmp = self.partial_path.with_name(self.partial_path.name + ".recover")
        try:
            self._copy_complete_lines(source, tmp)
        except BaseException:  # e.g. ``keep`` refused the resume: the partial file stays as it was
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        os.replace(tmp, self.partial_path)
        logger.info("resuming %s: kept %d complete items from %s", self.path, self.num_kept, source)

    def _copy_complete_lines(self, source: Path, tmp: Path) -> None:
        from lhotse_lite.manifest.blocked_gzip import BlockedGzipWriter
        from lhotse_lite.manifest.sidecars import SidecarWriter

        kept = 0
        with open(tmp, "wb") as raw:
            # a .gz is rewritten block-compressed: the writer goes on in it and indexes the whole file
            blocks = BlockedGzipWriter(raw) if formats.is_gzip(self.path) else None
            sidecars = SidecarWriter(None)
            out: Union[BinaryIO, BlockedGzipWriter] = raw if blocks is None else blocks
            first: Optional[Dict[str, Any]] = None
            for line in iter_complete_lines(source, gz=formats.is_gzip(self.path)):
                try:
                    d = orjson.loads(line)
                except orjson.JSONDecodeError:
                    logger.warning("%s: dropping an invalid line while resuming", source)
                    break
                if self.keep is not None and not self.keep(d):
                    self.num_dropped += 1
                    continue
                out.write(line)
                is_dict = isinstance(d, dict)
                if blocks is not None:
                    sidecars.add(line, d if is_dict else {})
                    if first is None and is_dict:
                        first = d
                item_id = d.get("id") if is_dict else None
                if item_id is not None:
                    self.ignore_ids.add(item_id)
                    self._kept_ids.add(item_id)
                kept += 1
            if blocks is not None:
                blocks.end_member()
            raw.flush()
            os.fsync(raw.fileno())
        self.num_kept = kept
        if blocks is not None:
            self._blocks, self._sidecars, self._first = blocks, sidecars, first

    def kept_dicts(self) -> Iterator[dict]:
        """The items a resume kept from the earlier run (the first :attr:`num_kept` lines), as dicts.

        Example:
            >>> import os, tempfile
            >>> path = os.path.join(tempfile.mkdtemp(), "items.jsonl")
            >>> with open_writer(path) as writer:
            ...     writer.write({"id": "a"})
            >>> with open_writer(path, overwrite=False) as writer:
            ...     list(writer.kept_dicts())
            [{'id': 'a'}]
        """
        if not self.num_kept:
            return
        for count, line in enumerate(iter_complete_lines(self.partial_path, gz=formats.is_gzip(self.path)), 1):
            yield orjson.loads(line)
            if count == self.num_kept:
                return


class _WrittenItems(LazyNode):
    """The items of a file being written: the complete lines of its partial file while that exists, else the file."""

    def __init__(self, path: Path, partial_path: Path, from_dict: Any) -> None:
        self.path, self.partial_path, self.from_dict = path, partial_path, from_dict

    def __iter__(self) -> Iterator[Any]:
        try:
            lines = iter_complete_lines(self.partial_path, gz=formats.is_gzip(self.path))
            first = next(lines, None)  # opens the partial file, which a close may rename afterwards
        except FileNotFoundError:
            yield from LazyManifestIterator(self.path, self.from_dict)
            return
        for line in itertools.chain([] if first is None else [first], lines):
            yield self.from_dict(orjson.loads(line))

    def __len__(self) -> int:
        """The number of items now (one read of the file), as ``len()`` of Lhotse's lazy manifests."""
        try:
            return sum(1 for _ in iter_complete_lines(self.partial_path, gz=formats.is_gzip(self.path)))
        except FileNotFoundError:
            return len(LazyManifestIterator(self.path, self.from_dict))


def _open_lazily(path: formats.Pathlike) -> Any:
    """``path`` (JSON lines, any name) as a lazy set of the type of its first item, or ``None`` if empty."""
    if not remote.exists(path):
        return None
    for lineno, first in formats.iter_jsonl_dicts(path):
        return _set_type(first, f"{path}:{lineno}").from_jsonl_lazy(path)
    return None


class _ItemClass(Protocol):
    """What a set's ``element_type`` is: a manifest item class, built from its dict."""

    def from_dict(self, data: Dict[str, Any]) -> Any:
        """The item of ``data``."""


def _set_type(item: Dict[str, Any], where: str) -> Type[ManifestSet[Any]]:
    """The set class of a manifest item (see :func:`~lhotse_lite.manifest.detect.resolve_manifest_type`).

    Raises:
        ManifestFormatError: The fields name no manifest type, or a registered type that is not a set class.
    """
    from lhotse_lite.manifest.detect import resolve_manifest_type
    from lhotse_lite.manifest.set import ManifestSet

    cls = resolve_manifest_type(item, where)
    if not issubclass(cls, ManifestSet):
        raise ManifestFormatError(
            f"{where}: the manifest type {cls.__name__} registered for these fields is not a "
            f"ManifestSet subclass; register a set class"
        )
    return cls


class InMemoryWriter:
    """Collects written items in a list (``open_writer(None)``); same interface as :class:`SequentialJsonlWriter`.

    Example:
        >>> with InMemoryWriter() as w:
        ...     w.write({"id": "a"})
        >>> w.contains("a"), len(w.items)
        (True, 1)
    """

    def __init__(self) -> None:
        self.items: List[Any] = []
        self.ignore_ids: Set[Any] = set()

    def __enter__(self) -> "InMemoryWriter":
        return self

    def __exit__(self, exc_type: Optional[type], exc: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        return None

    def open(self) -> None:
        """Nothing to open."""

    def close(self) -> None:
        """Nothing to close."""

    def write(self, item: Any, flush: bool = False) -> None:
        """Keep ``item`` (``flush`` is accepted for interface compatibility)."""
        self.items.append(item)
        item_id = _id_of(item)
        if item_id is not None:
            self.ignore_ids.add(item_id)

    def kept_dicts(self) -> Iterator[dict]:
        """Nothing: an in-memory writer never resumes (interface compatibility with :class:`SequentialJsonlWriter`)."""
        return iter(())

    def contains(self, item: Any) -> bool:
        """Whether an item (or an id) was written."""
        key = item if isinstance(item, (str, int, tuple)) else _id_of(item)
        return key in self.ignore_ids

    __contains__ = contains

    def open_manifest(self) -> Any:
        """The written items as an eager set of the detected type (``None`` if nothing was written)."""
        if not self.items:
            return None
        cls = _set_type(_as_dict(self.items[0]), "item 1")
        if isinstance(self.items[0], dict):
            return cls.from_dicts(self.items)
        return cls.from_items(self.items)
