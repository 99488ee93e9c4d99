"""Files of a :class:`~lhotse_lite.manifest.set.ManifestSet`: format checks, eager loading, lazy opening.

The functions behind ``ManifestSet.from_file`` / ``from_jsonl_lazy`` and the format check of the
``to_jsonl``/``from_json``/... methods (which delegate here; call the methods). File formats themselves
(extensions, parsing, atomic writing) live in :mod:`lhotse_lite.manifest.formats`; this module only
turns a file into a set of a given class. It does not import :mod:`lhotse_lite.manifest.set` (``set``
imports it).

Example:
    >>> import tempfile, os
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> sups = SupervisionSet.from_segments([SupervisionSegment("a", "r", 0.0, 1.0)])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "sups.jsonl.gz")
    ...     sups.to_file(path)
    ...     load_set(SupervisionSet, path).ids, list(open_set_lazy(SupervisionSet, path).ids)
    (['a'], ['a'])
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Type, TypeVar

from lhotse_lite.errors import UnknownFormatError
from lhotse_lite.manifest import formats, lazy
from lhotse_lite.manifest.building import gc_paused, load_numbered

if TYPE_CHECKING:
    from lhotse_lite.manifest.set import ManifestSet

__all__ = ["check_format", "load_set", "open_set_lazy"]

S = TypeVar("S", bound="ManifestSet")


def check_format(path: formats.Pathlike, fmt: str) -> None:
    """Check that ``path``'s extension is of format ``fmt`` (``"jsonl"``, ``"json"`` or ``"yaml"``).

    Args:
        path: A manifest path (only its name is looked at).
        fmt: The format the calling method reads or writes.

    Raises:
        UnknownFormatError: The extension is of another format (the message lists the expected ones),
            or of none.

    Example:
        >>> check_format("sups.jsonl.gz", "jsonl")
        >>> check_format("sups.json", "jsonl")
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.UnknownFormatError: 'sups.json' is a json file; this method expects .jsonl or .jsonl.gz
    """
    actual = formats.detect_format(path)
    if actual != fmt:
        exts = [e for e in formats.SUPPORTED_EXTENSIONS if formats._FORMATS[e] == fmt]
        raise UnknownFormatError(f"{str(path)!r} is a {actual} file; this method expects {' or '.join(exts)}")


def load_set(cls: Type[S], path: formats.Pathlike) -> S:
    """An eager ``cls`` loaded from ``path``, the format chosen by its extension (``ManifestSet.from_file``).

    Args:
        cls: The set class (its ``element_type.from_dict`` parses each item, its ``_key`` keys it).
        path: A ``.jsonl[.gz]``, ``.json[.gz]`` or ``.yaml`` file.

    Returns:
        The set, in file order.

    Raises:
        FileNotFoundError, UnknownFormatError, ManifestFormatError, ManifestFieldError,
        DuplicateIdError: see :mod:`lhotse_lite.manifest.formats`; messages name ``file:line``.

    Example:
        See the module docstring.
    """
    fmt = formats.detect_format(path)
    from_dict = cls.element_type.from_dict
    if fmt == "jsonl":
        numbered = formats.iter_jsonl_dicts(path)
        where = f"{path}:{{}}".format
    else:
        numbered = enumerate(formats.read_list_file(path))
        where = f"{path}[item {{}}]".format
    with gc_paused():
        return cls._from_dict_unchecked(load_numbered(numbered, from_dict, cls._key, where))


def open_set_lazy(cls: Type[S], path: formats.Pathlike) -> S:
    """A lazy ``cls`` streaming the JSONL file ``path`` on each iteration (``ManifestSet.from_jsonl_lazy``).

    Args:
        cls: The set class.
        path: A ``.jsonl`` or ``.jsonl.gz`` file.

    Returns:
        A lazy set over a :class:`~lhotse_lite.manifest.lazy.LazyJsonlReader`.

    Raises:
        UnknownFormatError: The file is not JSONL.
        FileNotFoundError: The file does not exist (checked now, not at first iteration).

    Example:
        >>> from lhotse_lite.supervision import SupervisionSet
        >>> open_set_lazy(SupervisionSet, "missing.jsonl")
        Traceback (most recent call last):
        ...
        FileNotFoundError: manifest file not found: 'missing.jsonl'
    """
    check_format(path, "jsonl")
    if not Path(path).exists():
        raise FileNotFoundError(f"manifest file not found: {str(path)!r}")
    return cls._lazy(lazy.LazyJsonlReader(path, cls.element_type.from_dict))
