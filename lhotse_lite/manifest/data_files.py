"""Plain data in JSON, JSONL and YAML files: Lhotse's ``load_*``/``save_to_*`` helpers and ``extension_contains``.

These read and write any data (not only manifests) in the format the function names, whatever the
file is called; a name ending in ``.gz`` is gzip-compressed. Writes are atomic (temporary file and
rename, see :func:`~lhotse_lite.safe_writes.atomic_open`) and refuse NaN, infinity and strings
that are not Unicode text (:mod:`lhotse_lite.manifest.writable`), which would not read back.
``.json`` and ``.yaml`` files are byte-for-byte what Lhotse writes; JSONL lines hold the same JSON
without the blanks after ``:`` and ``,``.

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "config.json.gz")
    >>> save_to_json({"a": [1, 2]}, path)
    >>> load_json(path)
    {'a': [1, 2]}
    >>> extension_contains(".json", path), extension_contains(".jsonl", path)
    (True, False)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

from lhotse_lite.manifest import formats
from lhotse_lite.safe_writes import atomic_open

__all__ = [
    "extension_contains",
    "load_json",
    "load_jsonl",
    "load_yaml",
    "save_to_json",
    "save_to_jsonl",
    "save_to_yaml",
]


def extension_contains(ext: str, path: formats.Pathlike) -> bool:
    """Whether ``ext`` (e.g. ``".jsonl"``) is one of the suffixes of ``path``'s name.

    Example:
        >>> extension_contains(".jsonl", "data/cuts.jsonl.gz"), extension_contains(".gz", "data.gz/cuts")
        (True, False)
    """
    return ext in Path(path).suffixes


def save_to_json(data: Any, path: formats.Pathlike) -> None:
    """Write ``data`` as indented JSON (Lhotse's layout: two spaces, non-ASCII kept).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "x.json")
        >>> save_to_json([{"id": "é"}], path)
        >>> open(path, encoding="utf-8").read()
        '[\\n  {\\n    "id": "é"\\n  }\\n]'
    """
    text = formats.dumps_json(data)
    with atomic_open(path) as f:
        f.write(text)


def load_json(path: formats.Pathlike) -> Any:
    """The JSON value in ``path``.

    Raises:
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: It is not valid JSON, or the gzip stream is truncated.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "x.txt")
        >>> save_to_json({"k": 1}, path)
        >>> load_json(path)
        {'k': 1}
    """
    return formats.read_value_file(path, "json")


def save_to_jsonl(data: Iterable[Any], path: formats.Pathlike) -> None:
    """Write each element of ``data`` as one JSON line.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "x.jsonl.gz")
        >>> save_to_jsonl([{"id": "a"}, {"id": "b"}], path)
        >>> list(load_jsonl(path))
        [{'id': 'a'}, {'id': 'b'}]
    """
    with atomic_open(path) as f:
        write = f.write
        for item in data:
            write(formats.dumps_line(item))


def load_jsonl(path: formats.Pathlike) -> Iterator[Any]:
    """The JSON values of ``path``, one per non-blank line, read lazily.

    Raises (while iterating):
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: A line is not valid JSON (``file:line``), or the gzip stream is truncated.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "x.jsonl")
        >>> save_to_jsonl([1, [2]], path)
        >>> list(load_jsonl(path))
        [1, [2]]
    """
    return (value for _lineno, value in formats.iter_jsonl_values(path))


def save_to_yaml(data: Any, path: formats.Pathlike) -> None:
    """Write ``data`` as YAML with PyYAML's safe dumper (Lhotse's layout: sorted keys).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "x.yaml")
        >>> save_to_yaml({"b": 1, "a": 2}, path)
        >>> open(path).read()
        'a: 2\\nb: 1\\n'
    """
    text = formats.dumps_yaml(data).encode("utf-8")
    with atomic_open(path) as f:
        f.write(text)


def load_yaml(path: formats.Pathlike) -> Any:
    """The YAML value in ``path`` (safe loader only).

    Raises:
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: It is not valid YAML, or the gzip stream is truncated.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "x.yaml")
        >>> save_to_yaml([1, {"a": None}], path)
        >>> load_yaml(path)
        [1, {'a': None}]
    """
    return formats.read_value_file(path, "yaml")
