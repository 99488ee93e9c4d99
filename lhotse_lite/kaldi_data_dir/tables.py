"""Kaldi's plain-text tables: one ``<key> <value ...>`` entry per line, read in order, written sorted.

Tables are read as UTF-8 text, line by line in bounded memory (:mod:`lhotse_lite.manifest.lines`):
bytes that are not UTF-8, a line longer than the line bound, a missing value, a duplicate key or a
duration that is not a finite number are each a :class:`~lhotse_lite.errors.ManifestFormatError` (or
:class:`~lhotse_lite.errors.DuplicateIdError`) naming ``file:line``. Writing refuses keys and values
that are not Unicode text.

Part of :mod:`lhotse_lite.kaldi_data_dir` (the overview of the files and what they become is there).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Dict, Iterable, Iterator, Tuple

from lhotse_lite.errors import DuplicateIdError, ManifestFormatError
from lhotse_lite.manifest.lines import iter_text_lines
from lhotse_lite.manifest.writable import find_unwritable, unwritable_error
from lhotse_lite.safe_writes import atomic_open
from lhotse_lite.types import Pathlike

__all__ = ["read_kaldi_table"]


def read_kaldi_table(path: Pathlike, allow_empty: bool = False) -> Dict[str, str]:
    """Reads a Kaldi ``<key> <value ...>`` table into a dict (order kept).

    Args:
        path: The file (e.g. ``utt2spk``).
        allow_empty: Accept lines with a key and no value (Kaldi ``text`` allows empty transcripts).

    Returns:
        key -> the rest of the line, stripped.

    Raises:
        FileNotFoundError: The file does not exist (a :class:`~lhotse_lite.errors.ManifestNotFoundError`).
        ManifestFormatError: A line without a value, or not UTF-8 (``file:line``).
        DuplicateIdError: A key appears twice (``file:line``).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "text")
        >>> _ = open(path, "w").write("utt1 HELLO  WORLD\\nutt2\\n")
        >>> read_kaldi_table(path, allow_empty=True)
        {'utt1': 'HELLO  WORLD', 'utt2': ''}
    """
    table: Dict[str, str] = {}
    for lineno, key, value in _entries(path, allow_empty):
        if key in table:
            raise DuplicateIdError(f"{path}:{lineno}: key {key!r} appears twice; keys must be unique")
        table[key] = value
    return table


def _entries(path: Pathlike, allow_empty: bool = False) -> Iterable[Tuple[int, str, str]]:
    for lineno, line in iter_text_lines(path, "Kaldi table"):
        parts = line.strip().split(maxsplit=1)
        if not parts:
            continue
        if len(parts) == 1 and not allow_empty:
            raise ManifestFormatError(
                f"{path}:{lineno}: expected '<key> <value>', got {line.strip()!r}; every line of a "
                f"Kaldi table needs a key and a value"
            )
        yield lineno, parts[0], parts[1].strip() if len(parts) == 2 else ""


def text_lines(path: Pathlike) -> Iterator[Tuple[int, str]]:
    """The non-blank lines of a Kaldi file (``segments``, ...) with their numbers, decoded as UTF-8.

    Raises:
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: A line is not UTF-8 or longer than the line bound (``file:line``).
    """
    return iter_text_lines(path, "Kaldi table")


def parse_seconds(text: str, where: str, field: str) -> float:
    """A finite number of seconds from a Kaldi table field, or an error naming ``where`` and ``field``.

    Raises:
        ManifestFormatError: ``text`` is not a number, or not a finite one (``nan``, ``inf``, ``1e309``).

    Example:
        >>> parse_seconds("1.25", "segments:3", "end")
        1.25
        >>> parse_seconds("1e309", "segments:3", "end")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ManifestFormatError: segments:3: end must be a finite number of seconds, got '1e309' ...
    """
    try:
        value = float(text)
    except ValueError as err:
        raise ManifestFormatError(f"{where}: {field} must be a number of seconds, got {text!r}") from err
    if not math.isfinite(value):
        raise ManifestFormatError(
            f"{where}: {field} must be a finite number of seconds, got {text!r} (NaN, infinity and numbers "
            f"beyond 1.8e308 are not times)"
        )
    return value


def _optional_table(path: Path, allow_empty: bool = False) -> Dict[str, str]:
    return read_kaldi_table(path, allow_empty) if path.is_file() else {}


def _numbers(path: Path, kind: type) -> Dict[str, float]:
    out: Dict[str, float] = {}
    for lineno, key, value in _entries(path):
        if kind is float:
            out[key] = parse_seconds(value, f"{path}:{lineno}", f"the duration of {key!r}")
            continue
        try:
            out[key] = kind(value)
        except ValueError as err:
            raise ManifestFormatError(
                f"{path}:{lineno}: expected a {kind.__name__} for {key!r}, got {value!r}"
            ) from err
    return out


def _write_table(path: Path, table: Dict[str, str]) -> None:
    with atomic_open(path) as f:  # a killed export leaves each table whole or as it was
        for key in sorted(table):
            value = table[key]
            try:
                f.write((f"{key} {value}\n" if value != "" else f"{key}\n").encode("utf-8"))
            except UnicodeEncodeError:
                field, bad = find_unwritable({"key": key, "value": value}) or ("", value)
                raise unwritable_error(f"the {path.name} entry {key!r}", field, bad) from None
