"""The path map: path prefixes rebound when audio and features are read (``src`` prefix -> ``dst`` prefix).

A manifest written against a bucket reads from a local mirror and vice versa, without being
rewritten: :func:`set_path_map`, or ``LHOTSE_LITE_PATH_MAP="s3://bucket/corpus=/mnt/corpus"`` (several
pairs separated by ``;``), or ``lite --path-map``. :mod:`lhotse_lite.remote` re-exports these names,
and the readers of audio and features call :func:`map_path` on every path they open.

Example:
    >>> set_path_map({"s3://bucket/corpus": "/mnt/corpus"})
    >>> map_path("s3://bucket/corpus/a.flac"), map_path("s3://bucket/corpus2/a.flac")
    ('/mnt/corpus/a.flac', 's3://bucket/corpus2/a.flac')
    >>> set_path_map(None)
"""

from __future__ import annotations

import os
from typing import List, Mapping, Optional, Tuple, Union

from lhotse_lite.errors import ConfigError

__all__ = ["PATH_MAP_ENV_VAR", "set_path_map", "path_map", "map_path"]

PATH_MAP_ENV_VAR = "LHOTSE_LITE_PATH_MAP"
"""Read when :func:`set_path_map` was not called: ``src=dst`` pairs separated by ``;``."""

_path_map: Optional[List[Tuple[str, str]]] = None


def _parse_path_map(text: str, where: str) -> List[Tuple[str, str]]:
    pairs = []
    for part in text.split(";"):
        if not part.strip():
            continue
        src, sep, dst = part.partition("=")
        if not sep or not src.strip() or not dst.strip():
            raise ConfigError(f"{where}: expected SRC=DST pairs separated by ';', got {part.strip()!r}")
        pairs.append((src.strip(), dst.strip()))
    return pairs


def set_path_map(mapping: Union[str, Mapping[str, str], None]) -> None:
    """Rebinds path prefixes when audio and features are read (``src`` prefix -> ``dst`` prefix).

    Args:
        mapping: ``{src: dst}``, or the text form ``"src=dst;src2=dst2"``; ``None`` goes back to
            :data:`PATH_MAP_ENV_VAR` (no mapping when it is not set). The longest matching ``src``
            wins; a prefix matches whole path components only.

    Raises:
        ConfigError: A pair is malformed.

    Example:
        >>> set_path_map("/data/corpus=s3://bucket/corpus"); map_path("/data/corpus/a/b.flac")
        's3://bucket/corpus/a/b.flac'
        >>> set_path_map(None)
    """
    global _path_map
    if mapping is None:
        _path_map = None
    elif isinstance(mapping, str):
        _path_map = _parse_path_map(mapping, "set_path_map")
    else:
        _path_map = [(str(src), str(dst)) for src, dst in mapping.items()]
    for src, dst in _path_map or ():
        if not src or not dst:
            raise ConfigError(f"set_path_map: expected non-empty prefixes, got {src!r} -> {dst!r}")


def path_map() -> List[Tuple[str, str]]:
    """The ``(src, dst)`` prefix pairs in force, longest ``src`` first.

    Raises:
        ConfigError: :data:`PATH_MAP_ENV_VAR` is malformed.
    """
    pairs = _path_map
    if pairs is None:
        pairs = _parse_path_map(os.environ.get(PATH_MAP_ENV_VAR, ""), f"environment variable {PATH_MAP_ENV_VAR}")
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def map_path(path: str) -> str:
    """``path`` with its prefix rebound by the path map (unchanged when no prefix matches).

    Example:
        >>> map_path("/data/a.flac")
        '/data/a.flac'
    """
    if not isinstance(path, str):
        return path
    for src, dst in path_map():
        stem = src.rstrip("/")
        if path == stem or path.startswith(stem + "/"):
            return dst.rstrip("/") + path[len(stem) :]
    return path
