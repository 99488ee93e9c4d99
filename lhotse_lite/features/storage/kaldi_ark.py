"""``kaldiio``: Kaldi ``feats.ark``/``feats.scp`` files, read and written with the ``kaldiio`` package.

Lhotse's layout and names (``KaldiWriter``/``KaldiReader``, ``storage_type`` ``"kaldiio"``), so
either library reads what the other wrote, and Kaldi's own tools read both:

* :class:`KaldiWriter` takes a folder and writes ``<folder>/feats.ark`` (the matrices, each after its
  key and a space, Kaldi's binary archive) and ``<folder>/feats.scp`` (one line per matrix,
  ``<key> <folder>/feats.ark:<byte offset>``). The manifest records ``storage_path`` =
  ``<folder>/feats.scp`` and ``storage_key`` = the key (the utterance id for Kaldi).
* :class:`KaldiReader` reads such a ``storage_path`` by key. A ``storage_path`` that is not a
  ``.scp`` file is one Kaldi *rxfilename*, ``<file>:<offset>`` (optionally with a row range
  ``[first:last]``, last included), and the key is ignored: that is what Lhotse's ``lhotse kaldi
  import`` writes for each line of a data directory's ``feats.scp``.

Matrices are compressed by default as Kaldi's ``CompressedMatrix`` with ``compression_method`` 1
(``kAutomaticMethod``), as Lhotse's writer does; ``None`` stores float32 ``FM`` matrices (lossless).
Relative ark paths in a ``.scp`` file are relative to the working directory, as in Kaldi. The
``.scp`` file and the ark files may be URLs (read with ranged requests, see :mod:`lhotse_lite.remote`),
and the path map rebinds the ark paths; writing is local only.

Reading accepts what Kaldi stores for feature matrices (``FM``, ``DM``, ``CM``, ``CM2``, ``CM3``); an
entry holding anything else (kaldiio's pickled or ``.npy`` entries, audio, text matrices) or a command
(``... |``) is refused, never unpickled or run. Dimensions are checked against the file size before
anything is allocated. ``kaldiio`` is the optional extra ``lhotse_lite[kaldi]``; without it, using
this storage raises :class:`~lhotse_lite.errors.ConfigError` naming the extra.

Example:
    >>> import numpy as np, tempfile, os
    >>> folder = os.path.join(tempfile.mkdtemp(), "feats")
    >>> with KaldiWriter(folder, compression_method=None) as writer:
    ...     key = writer.write("utt1", np.arange(6, dtype=np.float32).reshape(3, 2))
    >>> key, os.path.basename(writer.storage_path)
    ('utt1', 'feats.scp')
    >>> KaldiReader(writer.storage_path).read("utt1", 1).tolist()
    [[2.0, 3.0], [4.0, 5.0]]
"""

from __future__ import annotations

import io
import os
import re
import struct
import threading
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, BinaryIO, Dict, Iterable, Literal, NamedTuple, Optional, TextIO, Tuple, Union

import numpy as np

from lhotse_lite import remote
from lhotse_lite.errors import ConfigError, ShapeError, StorageError, StorageFormatError
from lhotse_lite.features.storage.base import (
    FeaturesReader,
    FeaturesWriter,
    check_float_matrix,
    fill_out,
    register_reader,
    register_writer,
    storage_error,
)
from lhotse_lite.safe_writes import naming_write_errors

__all__ = [
    "KaldiWriter",
    "KaldiReader",
    "MatrixShape",
    "read_matrix_shape",
    "read_scp",
    "kaldiio_available",
    "check_kaldiio_installed",
]

INSTALL_HINT = "pip install 'lhotse_lite[kaldi]'"

# Bytes per stored value, and bytes of the header after the type token, of each matrix type.
_VALUE_BYTES = {"FM": 4, "DM": 8, "CM": 1, "CM2": 2, "CM3": 1}
_RANGE = re.compile(r"\[(\d+):(\d+)\]$")


def kaldiio_available() -> bool:
    """Whether the optional package ``kaldiio`` can be imported.

    Example:
        >>> isinstance(kaldiio_available(), bool)
        True
    """
    try:
        import kaldiio  # noqa: F401
    except ImportError:
        return False
    return True


def check_kaldiio_installed() -> None:
    """Raises unless ``kaldiio`` is installed.

    Raises:
        ConfigError: ``kaldiio`` is missing; the message names the extra to install (a ``ValueError``,
            the type Lhotse raises there).
    """
    if not kaldiio_available():
        raise ConfigError(
            f"the 'kaldiio' feature storage (Kaldi ark/scp files) needs the package kaldiio, which is not "
            f"installed; install the optional extra: {INSTALL_HINT} (or pip install kaldiio)"
        )


class MatrixShape(NamedTuple):
    """Rows and columns of a stored Kaldi matrix (Lhotse reads them with ``kaldi_native_io.MatrixShape``)."""

    num_rows: int
    num_cols: int


# ---- reading -----------------------------------------------------------------------------------


def read_scp(path: Union[str, Path]) -> Dict[str, str]:
    """Reads a ``.scp`` file: key -> rxfilename (``<file>:<offset>``), in file order.

    Raises:
        StorageNotFoundError: The file does not exist.
        StorageFormatError: A line without a value, or a key that appears twice (``file:line``).

    Example:
        >>> import tempfile, os
        >>> scp = os.path.join(tempfile.mkdtemp(), "feats.scp")
        >>> _ = open(scp, "w").write("utt1 /data/feats.ark:5\\nutt2 /data/feats.ark:1234\\n")
        >>> read_scp(scp)
        {'utt1': '/data/feats.ark:5', 'utt2': '/data/feats.ark:1234'}
    """
    return dict(_scp_entries(str(path)))


def _scp_entries(path: str) -> Dict[str, str]:
    """The cached entries of a ``.scp`` file (re-read when it changes); callers must not modify them."""
    if remote.is_url(path):  # read once per process: a URL's objects are replaced whole, not edited
        return _cached_scp(path, 0, 0)
    try:
        stat = os.stat(path)
    except OSError as err:
        raise storage_error(path, "", err) from err
    return _cached_scp(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _cached_scp(path: str, mtime_ns: int, size: int) -> Dict[str, str]:
    entries: Dict[str, str] = {}
    try:
        with io.TextIOWrapper(remote.open_read(path, 1 << 22, 1 << 22), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                parts = line.strip().split(maxsplit=1)
                if not parts:
                    continue
                if len(parts) != 2:
                    raise StorageFormatError(f"{path}:{lineno}: expected '<key> <rxfilename>', got {line.strip()!r}")
                if parts[0] in entries:
                    raise StorageFormatError(f"{path}:{lineno}: key {parts[0]!r} appears twice; keys must be unique")
                entries[parts[0]] = parts[1]
    except UnicodeDecodeError as err:
        raise StorageFormatError(f"{path}: not a UTF-8 text file ({err}); expected a Kaldi .scp file") from err
    except OSError as err:
        raise storage_error(path, "", err) from err
    return entries


def _parse_rxfilename(rxfilename: str) -> Tuple[str, int, Optional[slice]]:
    """``"<file>:<offset>[first:last]"`` -> (file, offset, rows); commands are refused."""
    spec = rxfilename.strip()
    if spec.endswith("|") or spec.startswith("|") or spec == "-":
        raise StorageError(
            f"the Kaldi rxfilename {rxfilename!r} is a command or standard input; lhotse_lite reads "
            f"features from files only and never runs commands from a .scp file. Write the matrices to "
            f"an ark file first (e.g. copy-feats '{rxfilename}' ark,scp:feats.ark,feats.scp)"
        )
    rows = None
    match = _RANGE.search(spec)
    if match:
        first, last = int(match.group(1)), int(match.group(2))
        rows = slice(first, last + 1)
        spec = spec[: match.start()]
    path, sep, offset = spec.rpartition(":")
    if sep and offset.isdigit():
        return remote.map_path(path), int(offset), rows
    return remote.map_path(spec), 0, rows


def _read_header(file: BinaryIO, where: str) -> Tuple[str, int, int, int]:
    """Reads ``\\0B<type> `` and the dimensions at the file's position; returns (type, rows, cols,
    data bytes), leaving the position at the entry's start."""
    start = file.tell()
    head = file.read(2)
    if head != b"\0B":
        raise StorageFormatError(
            f"{where}: expected a binary Kaldi matrix (bytes \\0B), got {head!r}; text matrices and "
            f"other entries are not read"
        )
    token = file.read(4)
    kind = token[:3].rstrip(b" ").decode("latin-1")
    if kind not in _VALUE_BYTES or token[len(kind) : len(kind) + 1] != b" ":
        raise StorageFormatError(
            f"{where}: expected a Kaldi feature matrix (FM, DM, CM, CM2, CM3), got the type {token!r}"
        )
    file.seek(start + 3 + len(kind))
    if kind.startswith("CM"):
        fields = file.read(16)
        if len(fields) < 16:
            raise StorageFormatError(f"{where}: the compressed-matrix header is cut off")
        rows, cols = struct.unpack("<ii", fields[8:16])
        data = rows * cols * _VALUE_BYTES[kind] + (8 * cols if kind == "CM" else 0)
    else:
        fields = file.read(10)
        if len(fields) < 10 or fields[0] != 4 or fields[5] != 4:
            raise StorageFormatError(f"{where}: the matrix header is cut off or malformed")
        rows, cols = struct.unpack("<i", fields[1:5])[0], struct.unpack("<i", fields[6:10])[0]
        data = rows * cols * _VALUE_BYTES[kind]
    if rows < 0 or cols < 0:
        raise StorageFormatError(f"{where}: a matrix of {rows} x {cols} values; dimensions must not be negative")
    size = file.size if isinstance(file, remote.RemoteFile) else os.fstat(file.fileno()).st_size
    available = None if size is None else size - file.tell()  # None: a server that does not say the size
    if available is not None and data > available:
        raise StorageFormatError(
            f"{where}: the header announces a {rows} x {cols} {kind} matrix ({data} bytes) but only "
            f"{max(available, 0)} bytes follow; the file is cut off or the offset is wrong"
        )
    file.seek(start)
    return kind, rows, cols, data


def read_matrix_shape(rxfilename: str) -> MatrixShape:
    """Rows and columns of the matrix at a Kaldi rxfilename (``<file>:<offset>``), reading only its header.

    Raises:
        StorageNotFoundError: The file does not exist.
        StorageFormatError: No Kaldi feature matrix there.
        StorageError: The rxfilename is a command.

    Example:
        >>> import numpy as np, tempfile, os
        >>> folder = tempfile.mkdtemp()
        >>> with KaldiWriter(folder) as writer:
        ...     _ = writer.write("utt1", np.zeros((7, 3), dtype=np.float32))
        >>> read_matrix_shape(read_scp(writer.storage_path)["utt1"])
        MatrixShape(num_rows=7, num_cols=3)
    """
    path, offset, rows = _parse_rxfilename(rxfilename)
    try:
        with remote.open_read(path) as file:
            file.seek(offset)
            _, num_rows, num_cols, _ = _read_header(file, rxfilename)
    except StorageError:
        raise
    except (OSError, EOFError) as err:
        raise storage_error(path, rxfilename, err) from err
    if rows is not None:
        num_rows = len(range(num_rows)[rows])
    return MatrixShape(num_rows, num_cols)


def _read_matrix(rxfilename: str) -> np.ndarray:
    check_kaldiio_installed()
    from kaldiio.matio import read_matrix_or_vector

    path, offset, rows = _parse_rxfilename(rxfilename)
    try:
        with remote.open_read(path) as file:
            file.seek(offset)
            _read_header(file, rxfilename)
            array = read_matrix_or_vector(file)
    except StorageError:
        raise
    except (OSError, EOFError) as err:
        raise storage_error(path, rxfilename, err) from err
    except (AssertionError, ValueError, struct.error) as err:  # kaldiio checks markers with assert
        raise StorageFormatError(f"{rxfilename}: not a readable Kaldi matrix ({err!r})") from err
    array = np.asarray(array, dtype=np.float32)
    return array[rows] if rows is not None else array


@register_reader
class KaldiReader(FeaturesReader[str]):
    """Reads matrices from Kaldi ark files through a ``feats.scp`` file, or one rxfilename.

    Args:
        storage_path: A ``.scp`` file (the key is looked up in it) or one Kaldi rxfilename
            ``<file>:<offset>`` (the key is ignored), as Lhotse's ``KaldiReader``.

    Example:
        >>> import numpy as np, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> with KaldiWriter(folder, compression_method=None) as writer:
        ...     _ = writer.write("a", np.ones((2, 2), dtype=np.float32))
        >>> entry = read_scp(writer.storage_path)["a"]
        >>> KaldiReader(entry).read("ignored").tolist()
        [[1.0, 1.0], [1.0, 1.0]]
    """

    name = "kaldiio"

    def __init__(self, storage_path: Union[str, Path], *args: Any, **kwargs: Any) -> None:
        super().__init__(storage_path)
        check_kaldiio_installed()

    def read(
        self,
        key: str,
        left_offset_frames: int = 0,
        right_offset_frames: Optional[int] = None,
        out: Optional[np.ndarray] = None,
    ) -> np.ndarray:
        path = str(self.storage_path)
        if path.endswith(".scp"):
            entries = _scp_entries(path)
            if key not in entries:
                raise StorageFormatError(
                    f"{path}: no entry for the key {key!r} ({len(entries)} keys); the manifest and the "
                    f".scp file do not belong together"
                )
            rxfilename = entries[key]
        else:
            rxfilename = path
        return fill_out(out, _read_matrix(rxfilename)[left_offset_frames:right_offset_frames], path, key)


# ---- writing -----------------------------------------------------------------------------------


@register_writer
class KaldiWriter(FeaturesWriter):
    """Writes matrices to ``<storage_path>/feats.ark`` and indexes them in ``<storage_path>/feats.scp``.

    Args:
        storage_path: The folder (created when needed).
        compression_method: Kaldi's compression method (Lhotse's default 1, ``kAutomaticMethod``;
            2 ``kSpeechFeature``, 3 ``kTwoByteAuto``, 4 ``kTwoByteSignedInteger``, 5 ``kOneByteAuto``,
            6 ``kOneByteUnsignedInteger``, 7 ``kOneByteZeroOne``), or ``None`` for uncompressed
            float32 matrices (lossless; Lhotse always compresses).
        mode: ``"w"``/``"wb"`` starts new files, ``"a"``/``"ab"`` appends to existing ones (a resumed
            extraction sets it).

    Raises:
        ConfigError: ``kaldiio`` is not installed, or an unknown ``compression_method`` or ``mode``.

    Example:
        >>> import numpy as np, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> feats = np.random.default_rng(0).standard_normal((100, 4)).astype(np.float32)
        >>> with KaldiWriter(folder) as writer:
        ...     key = writer.write("utt1", feats)
        >>> bool(np.abs(KaldiReader(writer.storage_path).read(key) - feats).max() < 0.1)
        True
    """

    name = "kaldiio"

    def __init__(
        self,
        storage_path: Union[str, Path],
        compression_method: Optional[int] = 1,
        mode: str = "wb",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        check_kaldiio_installed()
        if compression_method is not None and compression_method not in range(1, 8):
            raise ConfigError(
                f"compression_method must be one of Kaldi's methods 1-7 or None (uncompressed), "
                f"got {compression_method!r}"
            )
        mode = mode if "b" in mode else mode + "b"
        if mode not in ("wb", "ab"):
            raise ConfigError(f"KaldiWriter mode must be 'w' or 'a' (binary implied), got {mode!r}")
        self.storage_dir = Path(storage_path)
        self.storage_dir.mkdir(parents=True, exist_ok=True)
        self.storage_path_ = str(self.storage_dir / "feats.scp")
        self.ark_path = f"{self.storage_dir}/feats.ark"
        self.compression_method = compression_method
        self.mode = mode
        self._ark: Optional[IO[bytes]] = None
        self._scp: Optional[TextIO] = None
        self._lock = threading.Lock()

    @property
    def storage_path(self) -> str:
        """``<folder>/feats.scp``, what the manifest records (Lhotse's value)."""
        return self.storage_path_

    def encode(self, value: np.ndarray) -> bytes:
        check_float_matrix(value, self.name)
        if value.ndim != 2:
            raise ShapeError(f"{self.name} stores 2-D matrices (time, feature), got shape {value.shape}")
        from kaldiio.matio import write_array

        buffer = io.BytesIO()
        if self.compression_method is None:
            write_array(buffer, np.ascontiguousarray(value, dtype=np.float32))
        else:
            write_array(buffer, np.asarray(value, dtype=np.float32), compression_method=self.compression_method)
        return buffer.getvalue()

    def write_encoded(self, key: str, payload: bytes) -> str:
        if not key or any(char.isspace() for char in key):
            raise ConfigError(
                f"the Kaldi key {key!r} is empty or holds whitespace; ark and scp entries are split at "
                f"whitespace, so it could not be read back"
            )
        with self._lock:
            ark, scp = self._open()
            with naming_write_errors(self.ark_path):
                ark.write(f"{key} ".encode("utf-8"))
                offset = ark.tell()
                ark.write(payload)
                ark.flush()
            with naming_write_errors(self.storage_path_):
                scp.write(f"{key} {self.ark_path}:{offset}\n")
                scp.flush()
        return key

    def flush(self) -> None:
        with self._lock:
            for file, path in ((self._ark, self.ark_path), (self._scp, self.storage_path_)):
                if file is not None:
                    with naming_write_errors(path):
                        file.flush()
                        os.fsync(file.fileno())

    def truncate_after(self, keys: Iterable[str]) -> int:
        """Drops what an interrupted run wrote after the last of ``keys``; call it before writing.

        The matrices are written to the ark before their ``.scp`` line, and both before the
        manifest line that references them, so everything after the last kept key is unreferenced:
        both files are cut after it (a resumed run then appends).

        Returns:
            The number of ark bytes removed.

        Raises:
            StorageError: The writer has already written, or a kept key is not in ``feats.scp``
                (the files were replaced; the manifest does not belong to them).
        """
        if self._ark is not None:
            raise StorageError(f"{self.storage_path_}: truncate_after must be called before the writer writes")
        self.lock_output()
        kept = set(keys)
        if not os.path.exists(self.storage_path_):
            if kept:
                raise StorageError(f"{self.storage_path_} is missing but kept manifest lines reference it")
            return 0
        with open(self.storage_path_, "rb") as f:
            lines = f.read().split(b"\n")
        complete = lines[:-1]  # the last piece has no newline: empty, or a line cut off by a crash
        keys_in_order = [line.split(b" ", 1)[0].decode("utf-8") for line in complete]
        missing = kept - set(keys_in_order)
        if missing:
            raise StorageError(
                f"{self.storage_path_} has no entry for {len(missing)} kept key(s), e.g. {sorted(missing)[0]!r}; "
                f"the files were replaced, so the manifest no longer matches them. Start a fresh run"
            )
        last = max((i for i, key in enumerate(keys_in_order) if key in kept), default=-1)
        if last < 0:
            ark_end = 0
        else:
            rxfilename = complete[last].split(b" ", 1)[1].decode("utf-8")
            path, offset, _ = _parse_rxfilename(rxfilename)
            ark_end = _entry_end(path, offset)
        size = os.path.getsize(self.ark_path) if os.path.exists(self.ark_path) else 0
        with open(self.storage_path_, "r+b") as f:
            f.truncate(sum(len(line) + 1 for line in complete[: last + 1]))
        if size > ark_end:
            os.truncate(self.ark_path, ark_end)
        return max(size - ark_end, 0)

    def close(self) -> None:
        with self._lock:
            for file in (self._ark, self._scp):
                if file is not None:
                    file.close()
            self._ark = self._scp = None
            self.mode = "ab"  # reopening after close must not truncate what was written
        self.release_output_lock()

    def _open(self) -> Tuple[IO[bytes], TextIO]:
        if self._ark is None or self._scp is None:
            self.lock_output()  # before anything is truncated or appended
            self.storage_dir.mkdir(parents=True, exist_ok=True)
            text_mode: Literal["a", "w"] = "a" if self.mode == "ab" else "w"
            with naming_write_errors(self.ark_path):
                self._ark = open(self.ark_path, self.mode)  # noqa: SIM115  (the writer owns it until close())
                self._ark.seek(0, os.SEEK_END)
            with naming_write_errors(self.storage_path_):
                self._scp = open(self.storage_path_, text_mode, encoding="utf-8")  # noqa: SIM115
        return self._ark, self._scp

    def __getstate__(self) -> Dict[str, Any]:
        # Picklable for worker processes, which only call encode(); the open files stay here.
        state = super().__getstate__()
        state["_ark"] = state["_scp"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


def _entry_end(path: str, offset: int) -> int:
    """The byte just after the matrix stored at ``offset`` of ``path``."""
    with open(path, "rb") as file:
        file.seek(offset)
        kind, _, _, data = _read_header(file, f"{path}:{offset}")
    header = 3 + len(kind) + (16 if kind.startswith("CM") else 10)
    return offset + header + data
