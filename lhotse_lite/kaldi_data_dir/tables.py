"""Kaldi's plain-text tables: one ``<key> <value ...>`` entry per line, read in order, written sorted.

Part of :mod:`lhotse_lite.kaldi_data_dir` (the overview of the files and what they become is there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, Tuple, Union

from lhotse_lite.errors import DuplicateIdError, ManifestFormatError
from lhotse_lite.manifest.formats import atomic_open

__all__ = ["read_kaldi_table"]

Pathlike = Union[str, Path]


def read_kaldi_table(path: Pathlike, allow_empty: bool = False) -> Dict[str, str]:
    """Reads a Kaldi ``<key> <value ...>`` table into a dict (order kept).

    Args:
        path: The file (e.g. ``utt2spk``).
        allow_empty: Accept lines with a key and no value (Kaldi ``text`` allows empty transcripts).

    Returns:
        key -> the rest of the line, stripped.

    Raises:
        FileNotFoundError: The file does not exist.
        ManifestFormatError: A line without a value (``file:line``).
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
    with open(path, "r", encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.strip().split(maxsplit=1)
            if not parts:
                continue
            if len(parts) == 1 and not allow_empty:
                raise ManifestFormatError(
                    f"{path}:{lineno}: expected '<key> <value>', got {line.strip()!r}; every line of a "
                    f"Kaldi table needs a key and a value")
            yield lineno, parts[0], parts[1].strip() if len(parts) == 2 else ""


def _optional_table(path: Path, allow_empty: bool = False) -> Dict[str, str]:
    return read_kaldi_table(path, allow_empty) if path.is_file() else {}


def _numbers(path: Path, kind: type) -> Dict[str, float]:
    out: Dict[str, float] = {}
    for lineno, key, value in _entries(path):
        try:
            out[key] = kind(value)
        except ValueError as err:
            raise ManifestFormatError(
                f"{path}:{lineno}: expected a {kind.__name__} for {key!r}, got {value!r}") from err
    return out


def _write_table(path: Path, table: Dict[str, str]) -> None:
    with atomic_open(path) as f:  # a killed export leaves each table whole or as it was
        for key in sorted(table):
            value = table[key]
            f.write((f"{key} {value}\n" if value != "" else f"{key}\n").encode("utf-8"))
