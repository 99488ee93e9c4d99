"""File formats of manifests: extension detection, reading, and atomic writing.

Supported extensions (``to_file``/``from_file`` and ``load_manifest`` choose the format by them, with
Lhotse's rule: the first of ``.jsonl``, ``.json``, ``.yaml`` found among the name's suffixes, so
``cuts.jsonl.gz`` and ``data.v2.json`` work; the ``to_jsonl``/``from_json``/... methods name the format
themselves and take any path). A name ending in ``.gz`` is gzip-compressed, whatever the format.

========================  ==============================================  ==========
extension                 layout                                          streamable
========================  ==============================================  ==========
``.jsonl``                one JSON object per line                        yes
``.jsonl.gz``             the same, gzip-compressed                       yes
``.json``                 one JSON list of objects (``indent=2``)         no
``.json.gz``              the same, gzip-compressed                       no
``.yaml``                 one YAML list of mappings (safe loader, no      no
                          aliases)
========================  ==============================================  ==========

JSON is parsed with ``orjson`` and JSONL lines are written with ``orjson``: the keys keep the
order of ``to_dict`` (Lhotse's field order), ``None`` fields are absent (``to_dict`` drops them)
and floats use the shortest text that reads back to the same value, as Python's ``repr`` does.
Only insignificant whitespace differs from Lhotse's ``json.dumps`` output (``{"a":1}`` instead of
``{"a": 1}``); every JSON reader, Lhotse's included, sees the same values. ``.json`` files (two-space
indentation) and ``.yaml`` files (sorted keys) are written byte-for-byte like Lhotse's.

Reading is linear in the file size and bounded (:mod:`lhotse_lite.manifest.lines`): a JSONL line
longer than 256 MiB (``LHOTSE_LITE_MAX_LINE_BYTES``) is refused with ``file:line``, blank lines cost
no parse, bytes that are not UTF-8 are an error naming ``file:line`` and the encoding expected, and a
YAML alias (``*name``) is refused with ``file:line``. Writing refuses NaN, infinity and strings that
are not Unicode text (:mod:`lhotse_lite.manifest.writable`): JSON cannot hold them and they would not
read back.

Every path may be a URL (``s3://``, ``http(s)://`` for reading, any fsspec protocol; see
:mod:`lhotse_lite.remote`): a URL is read with large ranged requests, and written to a local temporary
file that is uploaded when complete.

Every write is atomic: the data goes to a temporary file in the destination directory, is flushed
and ``fsync``-ed, and only then renamed over the destination with :func:`os.replace`. A write that
fails or is interrupted leaves the previous file untouched; the temporary file of a killed write is
removed by the next process that writes into the same folder (:mod:`lhotse_lite.safe_writes`), and a
full disk is an error naming the file.

Example:
    >>> from lhotse_lite.manifest.formats import detect_format
    >>> detect_format("data/sups.jsonl.gz")
    'jsonl'
    >>> detect_format("sups.txt")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.UnknownFormatError: unknown manifest extension of 'sups.txt': expected one of .jsonl,
    .jsonl.gz, .json, .json.gz, .yaml
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import struct
from pathlib import Path
from typing import Any, BinaryIO, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Type

import orjson
import yaml

from lhotse_lite import remote
from lhotse_lite.errors import (
    ManifestFieldError,
    ManifestFormatError,
    ManifestNotFoundError,
    StaleIndexError,
    UnknownFormatError,
)
from lhotse_lite.manifest.lines import DEFLATE_ERRORS, iter_line_batches
from lhotse_lite.manifest.writable import (
    has_non_finite,
    refuse_non_finite,
    refuse_unwritable,
    refuse_unwritable_document,
)
from lhotse_lite.safe_writes import (
    GZIP_LEVEL as GZIP_LEVEL,  # the manifest writers' level, named here too
    atomic_open,
)
from lhotse_lite.types import Pathlike

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "detect_format",
    "is_gzip",
    "iter_jsonl_values",
    "iter_jsonl_dicts",
    "iter_jsonl_batches",
    "iter_manifest_line_batches",
    "read_value_file",
    "read_list_file",
    "dumps_line",
    "dumps_json",
    "write_dicts",
    "dumps_yaml",
]

logger = logging.getLogger(__name__)


SUPPORTED_EXTENSIONS: Tuple[str, ...] = (".jsonl", ".jsonl.gz", ".json", ".json.gz", ".yaml")

#: gzip level of written files. Lhotse writes level 9, which is several times slower to write and
#: only a few percent smaller on manifests; any gzip reader reads either.

_FORMATS = {".jsonl": "jsonl", ".jsonl.gz": "jsonl", ".json": "json", ".json.gz": "json", ".yaml": "yaml"}
#: The suffix that names each format, in the order Lhotse looks for them.
_FORMAT_SUFFIXES = ((".jsonl", "jsonl"), (".json", "json"), (".yaml", "yaml"))

# The C versions of PyYAML's *safe* loader/dumper when compiled in (same output, faster).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Errors a truncated or corrupt gzip stream raises while being read.
_GZIP_ERRORS: Tuple[Type[Exception], ...] = (EOFError, gzip.BadGzipFile, *DEFLATE_ERRORS)


def detect_format(path: Pathlike) -> str:
    """The format of a manifest file from its name's suffixes (Lhotse's ``extension_contains`` rule).

    Args:
        path: The file name (need not exist).

    Returns:
        ``"jsonl"``, ``"json"`` or ``"yaml"``: the first of ``.jsonl``, ``.json``, ``.yaml`` that is one
        of the suffixes of the name.

    Raises:
        UnknownFormatError: No suffix names a format.

    Example:
        >>> detect_format("sups.v2.jsonl.gz"), detect_format("recs.json.gz"), detect_format("a.yaml")
        ('jsonl', 'json', 'yaml')
    """
    suffixes = Path(path).suffixes
    for suffix, fmt in _FORMAT_SUFFIXES:
        if suffix in suffixes:
            return fmt
    name = str(path)
    raise UnknownFormatError(
        f"unknown manifest extension of {name!r}: expected one of {', '.join(SUPPORTED_EXTENSIONS)}"
    )


def gzi_path(data_path: Pathlike) -> Path:
    """``<data_path>.gzi``, the block index of a block-compressed file (:mod:`lhotse_lite.manifest.blocked_gzip`)."""
    return Path(str(data_path) + ".gzi")


def has_block_index(data_path: Pathlike) -> bool:
    """Whether ``data_path`` has a block index file (not checked against the data here)."""
    return gzi_path(data_path).is_file()


#: The header of a block index (:mod:`lhotse_lite.manifest.blocked_gzip` documents the layout): magic,
#: version, 0, data file size, number of blocks, number of lines.
GZI_HEADER = struct.Struct("<8sIIQQQ")
GZI_MAGIC = b"LITEGZI\0"


def read_block_index_header(
    data_path: Pathlike, index_path: Optional[Pathlike] = None, data_size: Optional[int] = None
) -> Tuple[int, int]:
    """``(blocks, lines)`` of the block index of ``data_path``, checked against the data file (O(1)).

    Reads the index's header only (no numpy), so a lazy pass can refuse a stale index before it starts.

    Args:
        data_path: The block-compressed ``.jsonl.gz``.
        index_path: The block index, when it is not ``<data_path>.gzi``.
        data_size: The data's size when it is not a local file (a URL).

    Raises:
        ManifestNotFoundError: The block index is missing.
        StaleIndexError: The index is not a version-1 block index of a file of the data's size.
    """
    index = gzi_path(data_path) if index_path is None else Path(index_path)
    try:
        index_size = index.stat().st_size
        with open(index, "rb") as f:
            header = f.read(GZI_HEADER.size)
    except (FileNotFoundError, NotADirectoryError):
        raise ManifestNotFoundError(
            f"block index not found: {str(index)!r}; index the file with `lite index {data_path}`"
        ) from None
    if len(header) < GZI_HEADER.size:
        raise StaleIndexError(f"{index}: truncated block index; rebuild it with `lite index {data_path}`")
    magic, version, _, size, blocks, lines = GZI_HEADER.unpack(header)
    if magic != GZI_MAGIC or version != 1 or index_size != GZI_HEADER.size + 20 * blocks + 16 + 4 * lines:
        raise StaleIndexError(
            f"{index}: not a version-1 block index of {data_path}; rebuild it with `lite index {data_path}`"
        )
    actual = os.path.getsize(data_path) if data_size is None else data_size
    if size != actual:
        raise StaleIndexError(
            f"block index {str(index)!r} does not match {str(data_path)!r}: it records a data file "
            f"of {size} bytes, the file has {actual}; rebuild it with `lite index {data_path}`"
        )
    return blocks, lines


def is_gzip(path: Pathlike) -> bool:
    """Whether ``path`` names a gzip-compressed file (``.gz`` extension)."""
    return str(path).endswith(".gz")


def _open_read(path: Pathlike) -> BinaryIO:
    if not remote.is_url(path) and not os.path.exists(path):
        raise ManifestNotFoundError(f"manifest file not found: {str(path)!r}")
    if is_gzip(path):
        return gzip.open(remote.open_read(path, 1 << 22, 1 << 22), "rb")
    return remote.open_read(path, 1 << 22, 1 << 22)


def iter_jsonl_values(path: Pathlike, parse: bool = True) -> Iterator[Tuple[int, Any]]:
    """Stream the JSON values of a JSONL(.gz) file (one per non-blank line) with 1-based line numbers.

    Args:
        path: A JSONL file; gzip-compressed when its name ends in ``.gz``.
        parse: Parse each line (``False`` yields the raw lines, e.g. to count items cheaply).

    Yields:
        ``(line_number, value)`` pairs, in file order (blank lines carry no value and are skipped).

    Raises:
        ManifestNotFoundError: The file does not exist (a ``FileNotFoundError``).
        ManifestFormatError: A line is not valid JSON, or the gzip stream is truncated or corrupt;
            the message names ``file:line``.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = open(path, "w").write('[1, 2]\\n\\n"x"\\n')
        >>> list(iter_jsonl_values(path))
        [(1, [1, 2]), (3, 'x')]
    """
    return _iter_jsonl(path, require_dict=False, parse=parse)


def iter_jsonl_dicts(
    path: Pathlike, on_bad_line: Optional[Callable[[ManifestFormatError], None]] = None
) -> Iterator[Tuple[int, Dict[str, Any]]]:
    """Stream the objects of a JSONL(.gz) file with their 1-based line numbers.

    Blank lines are skipped (they carry no item); everything else must be one JSON object.

    Args:
        path: A JSONL file; gzip-compressed when its name ends in ``.gz``.
        on_bad_line: Called with the error of each line that is not a JSON object, and reading
            goes on (a validator reports them all); ``None`` raises at the first one.

    Yields:
        ``(line_number, dict)`` pairs, in file order.

    Raises:
        ManifestNotFoundError: The file does not exist (a ``FileNotFoundError``).
        ManifestFormatError: A line is not a JSON object, or the gzip stream is truncated or corrupt;
            the message names ``file:line``.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "a.jsonl")
        >>> _ = open(path, "w").write('{"id": "a"}\\n{"id": "b"}\\n')
        >>> list(iter_jsonl_dicts(path))
        [(1, {'id': 'a'}), (2, {'id': 'b'})]
    """
    return _iter_jsonl(path, require_dict=True, on_bad_line=on_bad_line)


def _iter_jsonl(
    path: Pathlike,
    require_dict: bool,
    parse: bool = True,
    on_bad_line: Optional[Callable[[ManifestFormatError], None]] = None,
) -> Iterator[Tuple[int, Any]]:
    return iter_jsonl_batches(iter_line_batches(path, "manifest file"), str(path), require_dict, parse, on_bad_line)


def iter_manifest_line_batches(path: Pathlike) -> Iterator[Tuple[int, List[bytes]]]:
    """The numbered line batches of a manifest file (:func:`~lhotse_lite.manifest.lines.iter_line_batches`),
    with a damaged gzip stream reported as :func:`iter_jsonl_batches` reports it.

    For loaders that parse a batch at a time and hand a batch with a bad line to :func:`iter_jsonl_batches`.

    Raises:
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: The gzip stream is truncated or corrupt (``file:line`` of the first line not read).
    """
    lineno = 0  # the last line handed out
    try:
        for first, lines in iter_line_batches(path, "manifest file"):
            yield first, lines
            lineno = first + len(lines) - 1
    except _GZIP_ERRORS as err:
        raise ManifestFormatError(
            f"{path}:{lineno + 1}: the gzip stream is truncated or corrupt ({err}); "
            f"the file was probably not written completely. Rewrite it."
        ) from err


def iter_jsonl_batches(
    batches: Iterable[Tuple[int, List[bytes]]],
    name: str,
    require_dict: bool = True,
    parse: bool = True,
    on_bad_line: Optional[Callable[[ManifestFormatError], None]] = None,
) -> Iterator[Tuple[int, Any]]:
    """The JSON values of numbered line batches (:mod:`lhotse_lite.manifest.lines`), blank lines skipped.

    One loop for every JSONL reader (files, ``<stdin>``): this is the hot path of every JSONL load.
    An empty line costs one truth test, a line of spaces one failed parse; neither is an item.

    Args:
        batches: ``(first_line_number, lines)`` pairs.
        name: The file name for messages (``<stdin>`` for a stream).
        require_dict: Every value must be a JSON object.
        parse: Parse the lines (``False`` yields the raw non-blank lines).
        on_bad_line: As in :func:`iter_jsonl_dicts`.

    Raises:
        ManifestFormatError: See :func:`iter_jsonl_dicts`.
    """
    loads = orjson.loads
    lineno = 0
    try:
        for first, lines in batches:
            for lineno, line in enumerate(lines, first):
                if not line:
                    continue
                if not parse:
                    if not line.isspace():
                        yield lineno, line
                    continue
                try:
                    obj = loads(line)
                except orjson.JSONDecodeError as err:
                    if line.isspace():
                        continue
                    bad = ManifestFormatError(
                        f"{name}:{lineno}: malformed JSON line ({err}{_UTF8_HINT if 'UTF-8' in str(err) else ''}); "
                        f"the line starts with {line[:60]!r}. Fix or remove this line."
                    )
                    if on_bad_line is None:
                        raise bad from err
                    on_bad_line(bad)
                    continue
                if require_dict and obj.__class__ is not dict:
                    bad = ManifestFormatError(
                        f"{name}:{lineno}: expected one JSON object per line, got {type(obj).__name__}"
                    )
                    if on_bad_line is None:
                        raise bad
                    on_bad_line(bad)
                    continue
                yield lineno, obj
    except _GZIP_ERRORS as err:
        raise ManifestFormatError(
            f"{name}:{lineno + 1}: the gzip stream is truncated or corrupt ({err}); "
            f"the file was probably not written completely. Rewrite it."
        ) from err


#: Added to a JSON error about bytes that are not UTF-8.
_UTF8_HINT = "; manifests are UTF-8 text: convert the file (e.g. iconv -f LATIN1 -t UTF-8)"


def read_value_file(path: Pathlike, fmt: str) -> Any:
    """The whole JSON or YAML value of a file (``None`` for an empty YAML file).

    Args:
        path: The file (gzip-compressed when its name ends in ``.gz``).
        fmt: ``"json"`` or ``"yaml"``.

    Raises:
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: The content is not valid JSON/YAML, or the gzip stream is truncated.
    """
    with _open_read(path) as f:
        try:
            raw = f.read()
        except _GZIP_ERRORS as err:
            raise ManifestFormatError(f"{path}: the gzip stream is truncated or corrupt ({err})") from err
    try:
        if fmt == "yaml":
            return _load_yaml(raw.decode("utf-8"), path)
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        if "UTF-8" in str(err):  # orjson checks the encoding first and reports line 1: find the byte
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as decode_err:
                raise _not_utf8(raw, decode_err, path, fmt) from err
        raise ManifestFormatError(f"{path}:{err.lineno}: malformed JSON ({err})") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ManifestFormatError(f"{where}: malformed YAML ({err})") from err
    except UnicodeDecodeError as err:
        raise _not_utf8(raw, err, path, fmt) from err
    except RecursionError as err:
        raise ManifestFormatError(f"{path}: malformed {fmt.upper()} (nested too deeply for a manifest)") from err


def _not_utf8(raw: bytes, err: UnicodeDecodeError, path: Pathlike, fmt: str) -> ManifestFormatError:
    line = raw.count(b"\n", 0, err.start) + 1
    return ManifestFormatError(
        f"{path}:{line}: byte 0x{raw[err.start]:02x} is not UTF-8; {fmt.upper()} manifests are UTF-8 text. "
        f"Convert the file (e.g. iconv -f LATIN1 -t UTF-8)"
    )


def _load_yaml(text: str, path: Pathlike) -> Any:
    """The YAML value of ``text`` (safe loader), refusing aliases (``*name``) with ``file:line``.

    An alias makes one node appear in several places; a few lines of them expand to gigabytes when the
    value is used or written (a "billion laughs" document). Manifests never need them, so a node that the
    composed graph reaches twice is refused before anything is built from it.
    """
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_aliases(node, path)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _refuse_aliases(root: Any, path: Pathlike) -> None:
    seen = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise ManifestFormatError(
                f"{path}:{node.start_mark.line + 1}: the YAML node anchored here (&name) is used again through an "
                f"alias (*name); manifests do not use YAML anchors and aliases (a few of them can expand to "
                f"gigabytes). Write the value out in full"
            )
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)


def read_list_file(path: Pathlike, fmt: Optional[str] = None) -> List[Any]:
    """Read a whole JSON, YAML or JSONL manifest (a list of objects).

    Args:
        path: The file (gzip-compressed when its name ends in ``.gz``).
        fmt: ``"json"``, ``"yaml"`` or ``"jsonl"``; ``None`` detects it from the name.

    Returns:
        The list of items (dicts) in the file.

    Raises:
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: The content is not valid JSON/YAML, not a list, or the gzip stream is
            truncated.
        UnknownFormatError: ``fmt`` is ``None`` and the name has no format suffix.
    """
    fmt = fmt or detect_format(path)
    if fmt == "jsonl":
        return [d for _, d in iter_jsonl_dicts(path)]
    data = read_value_file(path, fmt)
    if data is None:
        return []
    if not isinstance(data, list):
        raise ManifestFormatError(
            f"{path}: expected a list of manifest items at the top level, got {type(data).__name__}"
        )
    return data


def dumps_line(item: Dict[str, Any]) -> bytes:
    """One JSONL line (with the trailing newline) for a manifest dict.

    Uses ``orjson``; falls back to the standard ``json`` module for values ``orjson`` rejects (e.g.
    non-string dict keys, integers beyond 64 bits). A number that is not finite (NaN, infinity) or a
    string that is not Unicode text (a lone surrogate) is refused: JSON cannot hold the first (``orjson``
    would write ``null``) and UTF-8 cannot hold the second.

    Raises:
        ManifestFieldError: The item holds NaN, infinity or a lone surrogate (the message names the item
            and the field).

    Example:
        >>> dumps_line({"id": "a", "start": 0.1, "text": "héllo"})
        b'{"id":"a","start":0.1,"text":"h\\xc3\\xa9llo"}\\n'
        >>> dumps_line({"id": "a", "start": float("nan")})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ManifestFieldError: cannot write item 'a': field 'start' is nan, not a finite number; ...
    """
    line = _dumps_line_unchecked(item)
    if _find_null(line) and _may_hide_non_finite(line, item):
        refuse_non_finite((item,), _CHECKED_KEYS)
    return line


def _may_hide_non_finite(line: bytes, item: Dict[str, Any]) -> bool:
    """Whether a line holding ``null`` may stand for NaN or infinity (``orjson`` writes both as ``null``).

    A null inside a trailing ``alignment`` (``to_dict`` puts it last) is an absent score: alignment items
    check their times and scores when built and cannot change. The key ``"alignment":{`` cannot occur
    inside that value (its keys are followed by lists, and a quote inside a string is escaped), so its
    last occurrence starts the value when ``alignment`` is the dict's last key.
    """
    end = line.rfind(b'"alignment":{') if next(reversed(item)) == "alignment" else -1
    if end >= 0 and not _find_null(line, 0, end):
        return False
    return has_non_finite(item, _CHECKED_KEYS)


# ``re`` finds a literal several times faster than ``bytes.__contains__`` on manifest lines.
_find_null = re.compile(rb"null").search

# Values that checked themselves when built and cannot change (AlignmentItem tuples; an absent score is
# a real null): not walked when a line holds a null (see lhotse_lite.manifest.writable).
_CHECKED_KEYS = ("alignment",)

#: Lines :func:`write_dicts` joins into one ``write`` call.
_WRITE_BATCH = 512


def _dumps_line_unchecked(item: Dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError as err:
        refuse_unwritable((item,))
        try:
            return (json.dumps(item, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
        except ValueError:  # out-of-range float or surrogate inside something refuse_unwritable cannot walk
            raise err from None


def _write_lines(dicts: Iterable[Dict[str, Any]], write: Callable[[bytes], Any]) -> None:
    """``dumps_line`` of every dict, written in batches of encoded lines (one ``write`` call per batch).

    Only bytes are held between writes: holding the dicts would let the garbage collector see them
    survive and rescan every loaded item again and again.
    """
    encode, find_null = _dumps_line_unchecked, _find_null
    batch: List[bytes] = []
    for d in dicts:
        line = encode(d)
        if find_null(line) and _may_hide_non_finite(line, d):
            refuse_non_finite((d,), _CHECKED_KEYS)
        batch.append(line)
        if len(batch) == _WRITE_BATCH:
            write(b"".join(batch))
            batch = []
    if batch:
        write(b"".join(batch))


def dumps_json(data: Any) -> bytes:
    """UTF-8 JSON of ``data`` in Lhotse's layout (two-space indent, non-ASCII kept), NaN/infinity refused.

    Raises:
        ManifestFieldError: ``data`` holds NaN, infinity or a lone surrogate (naming the item and field).

    Example:
        >>> dumps_json([{"id": "é"}])
        b'[\\n  {\\n    "id": "\\xc3\\xa9"\\n  }\\n]'
    """
    try:
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError as err:  # UnicodeEncodeError is a ValueError too
        refuse_unwritable_document(data)
        raise ManifestFieldError(f"cannot write the value as JSON ({err})") from err


def write_dicts(dicts: Iterable[Dict[str, Any]], path: Pathlike, fmt: Optional[str] = None) -> None:
    """Write manifest dicts to ``path`` atomically (gzip-compressed when its name ends in ``.gz``).

    Args:
        dicts: The items, already converted with ``to_dict``.
        path: Destination.
        fmt: ``"jsonl"``, ``"json"`` or ``"yaml"``; ``None`` detects it from the name.

    Raises:
        UnknownFormatError: ``fmt`` is ``None`` and the name has no format suffix.
        ManifestFieldError: An item holds NaN, infinity or a lone surrogate (nothing is written).
    """
    fmt = fmt or detect_format(path)
    if fmt != "jsonl":  # a whole document: encoded (and checked) before the file is touched
        data = dumps_json(list(dicts)) if fmt == "json" else dumps_yaml(list(dicts)).encode("utf-8")
        with atomic_open(path) as f:
            f.write(data)
        return
    with atomic_open(path) as f:
        _write_lines(dicts, f.write)


def dumps_yaml(data: Any) -> str:
    """YAML text of ``data`` with PyYAML's safe dumper (Lhotse's layout: sorted keys).

    Raises:
        ManifestFieldError: ``data`` holds NaN, infinity or a lone surrogate (naming the item and field).

    Example:
        >>> dumps_yaml([{"id": "a", "duration": 1.5}])
        '- duration: 1.5\\n  id: a\\n'
    """
    refuse_unwritable_document(data)
    return yaml.dump(data, Dumper=_YAML_DUMPER)
