"""Reading and writing the manifest arguments of ``lite`` commands, ``-`` meaning stdin/stdout.

Files are read and written in the format their extension names (see
:mod:`lhotse_lite.manifest.formats`); the manifest type (recordings, supervisions, features) is
detected from the first item. Streams always carry JSONL, one item per line.

Example:
    >>> import io
    >>> stream = io.BytesIO(b'{"id": "s1", "recording_id": "r1", "start": 0.0, "duration": 1.5}\\n')
    >>> sups = read_manifest("-", stdin=stream)
    >>> type(sups).__name__, len(sups)
    ('SupervisionSet', 1)
    >>> out = io.BytesIO()
    >>> write_manifest(sups, "-", stdout=out)
    >>> out.getvalue()
    b'{"id":"s1","recording_id":"r1","start":0.0,"duration":1.5,"channel":0}\\n'
"""

from __future__ import annotations

import sys
from typing import Any, BinaryIO, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from lhotse_lite.errors import ManifestError, ManifestFieldError, ManifestFormatError
from lhotse_lite.manifest import formats, load_manifest, load_manifest_lazy, resolve_manifest_type
from lhotse_lite.manifest.detect import manifest_type_kind
from lhotse_lite.manifest.lines import iter_stream_batches

__all__ = [
    "STREAM",
    "read_manifest",
    "write_manifest",
    "manifest_kind",
    "split_output_name",
    "group_by_kind",
    "require_one_kind",
    "expect_kind",
]

STREAM = "-"
"""The path that means stdin (for inputs) or stdout (for outputs)."""

STREAM_NAME = "<stdin>"


def read_manifest(path: str, lazy: bool = False, stdin: Optional[BinaryIO] = None) -> Any:
    """Loads a manifest file (type detected from its first item), or JSONL from stdin for ``-``.

    Args:
        path: A manifest file, or ``-`` for JSONL on stdin (always read eagerly).
        lazy: Open ``.jsonl``/``.jsonl.gz`` files lazily (other formats are read eagerly).
        stdin: The binary stream standing for ``-``; default ``sys.stdin.buffer``.

    Returns:
        A ``RecordingSet``, ``SupervisionSet`` or ``FeatureSet``.

    Raises:
        ManifestFormatError: Malformed or empty input (an empty file too), or an unknown manifest type.
        FileNotFoundError: The file does not exist.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "sups.jsonl"
        >>> _ = path.write_text('{"id": "s1", "recording_id": "r1", "start": 0.0, "duration": 1.0}\\n')
        >>> type(read_manifest(str(path), lazy=True)).__name__, len(read_manifest(str(path)))
        ('SupervisionSet', 1)
    """
    if path != STREAM:
        if lazy and formats.detect_format(path) == "jsonl":
            manifest = load_manifest_lazy(path)
        else:
            manifest = load_manifest(path)
        if manifest is None:  # an empty file: Lhotse's loaders return None there
            raise ManifestFormatError(
                f"{path}: the manifest is empty; its type (recordings, supervisions, features) cannot be detected"
            )
        return manifest
    stream = stdin if stdin is not None else sys.stdin.buffer
    dicts = list(_iter_stream_dicts(stream))
    if not dicts:
        raise ManifestFormatError("<stdin>: no manifest items were read; pipe a JSONL manifest in")
    cls = resolve_manifest_type(dicts[0][1], "<stdin>:1")
    from_dict = cls.element_type.from_dict
    items = []
    for lineno, d in dicts:
        try:
            items.append(from_dict(d))
        except ManifestFieldError as err:
            raise ManifestFieldError(f"<stdin>:{lineno}: {err}") from err
        except (TypeError, ValueError, AttributeError) as err:
            raise ManifestFieldError(f"<stdin>:{lineno}: invalid item {str(d)[:80]} ({err})") from err
    return cls.from_items(items)


def _iter_stream_dicts(stream: BinaryIO) -> Iterator[Tuple[int, Dict[str, Any]]]:
    # The same bounded, linear line reader as files (a line longer than the bound is refused).
    return formats.iter_jsonl_batches(iter_stream_batches(stream, STREAM_NAME), STREAM_NAME)


def write_manifest(manifest: Iterable[Any], path: str, stdout: Optional[BinaryIO] = None) -> None:
    """Writes a manifest to a file (format by extension, atomically) or as JSONL to stdout for ``-``.

    Args:
        manifest: A manifest set, or any iterable of manifest items (each with ``to_dict``).
        path: Destination file, or ``-`` for stdout.
        stdout: The binary stream standing for ``-``; default ``sys.stdout.buffer``.

    Raises:
        UnknownFormatError: The extension is not a manifest extension.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lhotse_lite.supervision import SupervisionSegment
        >>> path = str(Path(tempfile.mkdtemp()) / "sups.json")
        >>> write_manifest([SupervisionSegment("s1", "r1", 0.0, 1.0)], path)
        >>> [s.id for s in read_manifest(path)]
        ['s1']
    """
    dicts = (item.to_dict() for item in manifest)
    if path != STREAM:
        formats.write_dicts(dicts, path)
        return
    stream = stdout if stdout is not None else sys.stdout.buffer
    for d in dicts:
        stream.write(formats.dumps_line(d))
    stream.flush()


def manifest_kind(manifest: Any) -> str:
    """``"recordings"``, ``"supervisions"`` or ``"features"`` for a manifest set.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSet
        >>> manifest_kind(SupervisionSet([]))
        'supervisions'
    """
    kind = manifest_type_kind(type(manifest))
    if kind is not None:
        return kind
    raise ManifestFormatError(f"not a recordings, supervisions or features manifest: {type(manifest).__name__}")


def split_output_name(path: str) -> Tuple[str, str]:
    """A manifest file name split into its base and its manifest extension.

    Example:
        >>> split_output_name("data/sups.jsonl.gz")
        ('sups', '.jsonl.gz')
        >>> split_output_name("-")
        ('stdin', '.jsonl.gz')
    """
    if path == STREAM:
        return "stdin", ".jsonl.gz"
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    formats.detect_format(name)
    for ext in sorted(formats.SUPPORTED_EXTENSIONS, key=len, reverse=True):
        if name.endswith(ext):
            return name[: -len(ext)], ext
    return name, ""  # unreachable: detect_format raised


def group_by_kind(manifests: List[Any]) -> Dict[str, Any]:
    """Manifests grouped by kind, several of one kind combined in order.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> a = SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)])
        >>> b = SupervisionSet([SupervisionSegment("b", "r", 1.0, 1.0)])
        >>> len(group_by_kind([a, b])["supervisions"])
        2
    """
    from lhotse_lite.manifest import combine

    grouped: Dict[str, List[Any]] = {}
    for manifest in manifests:
        grouped.setdefault(manifest_kind(manifest), []).append(manifest)
    return {kind: sets[0] if len(sets) == 1 else combine(sets) for kind, sets in grouped.items()}


def require_one_kind(manifests: List[Any], paths: Sequence[str]) -> List[Any]:
    """Returns ``manifests`` when they are all of one kind.

    Raises:
        ManifestError: Two kinds are mixed (the message names the files).

    Example:
        >>> from lhotse_lite.supervision import SupervisionSet
        >>> len(require_one_kind([SupervisionSet([]), SupervisionSet([])], ["a", "b"]))
        2
    """
    kinds = [manifest_kind(m) for m in manifests]
    if len(set(kinds)) > 1:
        listing = ", ".join(f"{path} ({kind})" for path, kind in zip(paths, kinds))
        raise ManifestError(f"expected manifests of one type, got {listing}")
    return manifests


def expect_kind(manifest: Any, kind: str, path: str) -> Any:
    """Returns ``manifest`` when it is of ``kind`` (``"recordings"``, ``"supervisions"``, ``"features"``).

    Raises:
        ManifestError: It is of another kind (the message names ``path``).

    Example:
        >>> from lhotse_lite.supervision import SupervisionSet
        >>> expect_kind(SupervisionSet([]), "recordings", "sups.jsonl")
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ManifestError: sups.jsonl: expected a recordings manifest, got supervisions
    """
    actual = manifest_kind(manifest)
    if actual != kind:
        raise ManifestError(f"{path}: expected a {kind} manifest, got {actual}")
    return manifest
