"""What a manifest writer refuses: numbers that are not finite and strings that are not Unicode text.

JSON has no NaN or infinity: ``orjson`` writes them as ``null`` and Python's ``json`` as ``NaN`` /
``Infinity``, and neither reads back as the number (our readers refuse both, Lhotse's JSONL reader
loads ``null`` as ``None``). A string with a lone surrogate (``"\\udcff"``, what
``os.fsdecode`` makes of a file name that is not UTF-8) cannot be encoded as UTF-8 at all. Every
writer (JSONL, JSON, YAML, RTTM, CTM, Kaldi tables) therefore refuses both, with a
:class:`~lhotse_lite.errors.ManifestFieldError` naming the item and the field, before anything
unreadable reaches the file.

The checks run only where they cost little on the hot path: a JSONL line is inspected only when
``orjson`` failed or wrote a ``null`` (then without its ``alignment``, whose
:class:`~lhotse_lite.supervision.AlignmentItem` entries check their times when built and cannot be
changed, and whose absent scores are the usual ``null``); a JSON document only when the standard
library refused it; a YAML document always (it is slow anyway).

Example:
    >>> find_unwritable({"id": "s1", "custom": {"scores": [0.5, float("nan")]}})
    ('custom.scores[1]', nan)
    >>> raise unwritable_error("supervision 's1'", "custom.scores[1]", float("nan"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.ManifestFieldError: cannot write supervision 's1': field 'custom.scores[1]' is nan, ...
"""

from __future__ import annotations

import math
from typing import Any, Iterable, List, Optional, Tuple

from lhotse_lite.errors import ManifestFieldError

__all__ = [
    "find_unwritable",
    "has_non_finite",
    "unwritable_error",
    "describe_owner",
    "refuse_unwritable",
    "refuse_non_finite",
    "refuse_unwritable_document",
]

_INF = float("inf")
_NEG_INF = -_INF
_CONTAINERS = (dict, list, tuple)


def find_unwritable(value: Any, skip: Tuple[str, ...] = ()) -> Optional[Tuple[str, Any]]:
    """The first non-finite float or non-Unicode string in ``value`` (dicts and lists walked), or ``None``.

    Args:
        value: The data.
        skip: Keys of a top-level dict not to walk.

    Returns:
        ``(path, bad_value)``: ``path`` names the field (``"start"``, ``"custom.scores[1]"``, ``"[3].id"``
        for a list of items; a dict key that is itself bad is named by its own path).
    """
    if skip and isinstance(value, dict):
        value = {key: item for key, item in value.items() if key not in skip}
    stack: List[Tuple[str, Any]] = [("", value)]
    while stack:
        path, v = stack.pop()
        if isinstance(v, float):
            if not math.isfinite(v):
                return path, v
        elif isinstance(v, str):
            if not _encodable(v):
                return path, v
        elif isinstance(v, dict):
            items = list(v.items())
            for key, item in reversed(items):
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and not _encodable(key):
                    return name, key
                stack.append((name, item))
        elif isinstance(v, (list, tuple)):
            stack.extend((f"{path}[{i}]", item) for i, item in reversed(list(enumerate(v))))
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unwritable_error(owner: str, field: str, value: Any) -> ManifestFieldError:
    """The error for a value that cannot be written (see the module docstring).

    Args:
        owner: The item (``"supervision 's1'"``, ``"item 3"``).
        field: The field path.
        value: The bad value (a float that is not finite, or a string that is not Unicode).
    """
    if isinstance(value, str):
        reason = (
            f"a string with a lone surrogate ({_surrogate(value)!r}), which is not Unicode text and cannot "
            f"be written as UTF-8; it usually comes from a file name or text decoded with "
            f"errors='surrogateescape'. Decode it with its real encoding or replace the character"
        )
        shown = repr(value)[:80]
    else:
        reason = (
            "not a finite number; JSON has no NaN or infinity (it would be written as null or NaN, which "
            "does not read back). Set a finite value or drop the field"
        )
        shown = repr(value)
    where = f"field {field!r}" if field else "the value"
    return ManifestFieldError(f"cannot write {owner}: {where} is {shown}, {reason}")


def _surrogate(text: str) -> str:
    return next((c for c in text if "\ud800" <= c <= "\udfff"), "")


def describe_owner(item: Any, index: Optional[int] = None) -> str:
    """How an error names a manifest dict: its id (``recording_id`` for features), else its position."""
    if isinstance(item, dict):
        for key in ("id", "recording_id"):
            ident = item.get(key)
            if isinstance(ident, str):  # repr escapes a lone surrogate, so the message stays printable
                return f"item {ident!r}"
    return "the value" if index is None else f"item {index}"


def refuse_unwritable(items: Iterable[Any], skip: Tuple[str, ...] = ()) -> None:
    """Raise :func:`unwritable_error` for the first item of ``items`` holding an unwritable value.

    ``skip`` names top-level keys not to walk (see :func:`find_unwritable`).

    Example:
        >>> refuse_unwritable([{"id": "a", "start": 1.0}, {"id": "b", "start": float("inf")}])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ManifestFieldError: cannot write item 'b': field 'start' is inf, not a finite number; ...
    """
    for index, item in enumerate(items):
        found = find_unwritable(item, skip)
        if found is not None:
            raise unwritable_error(describe_owner(item, index), *found)


def refuse_unwritable_document(data: Any) -> None:
    """As :func:`refuse_unwritable` for a whole document: a list is a list of items, anything else one value.

    Example:
        >>> refuse_unwritable_document({"mean": [0.0, float("-inf")]})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ManifestFieldError: cannot write the value: field 'mean[1]' is -inf, not a finite number; ...
    """
    if isinstance(data, list):
        refuse_unwritable(data)
        return
    found = find_unwritable(data)
    if found is not None:
        raise unwritable_error(describe_owner(data), *found)


def has_non_finite(value: Any, skip: Tuple[str, ...] = ()) -> bool:
    """Whether ``value`` holds a float that is NaN or infinite (dicts, lists and tuples walked).

    The cheap test behind a ``null`` that ``orjson`` wrote: no paths are built and nothing is allocated
    per value, so checking a line costs about as much as encoding it. ``skip`` names top-level keys not
    to walk.

    Example:
        >>> has_non_finite({"id": "a", "custom": {"x": [1.0, float("inf")]}}), has_non_finite([None, 1.5])
        (True, False)
    """
    cls = value.__class__
    if cls is float or (cls is not int and isinstance(value, float)):
        return not _NEG_INF < value < _INF
    if cls is dict or isinstance(value, dict):
        for key, item in value.items():
            c = item.__class__
            if c is float:
                if not _NEG_INF < item < _INF:
                    return True
            elif c is str or c is int or item is None or c is bool:
                continue
            elif (
                (key not in skip or not skip)
                and (c in _CONTAINERS or isinstance(item, (float, *_CONTAINERS)))
                and has_non_finite(item)
            ):
                return True
        return False
    if cls is list or cls is tuple or isinstance(value, (list, tuple)):
        for item in value:
            c = item.__class__
            if c is float:
                if not _NEG_INF < item < _INF:
                    return True
            elif c is str or c is int or item is None or c is bool:
                continue
            elif (c in _CONTAINERS or isinstance(item, (float, *_CONTAINERS))) and has_non_finite(item):
                return True
    return False


def refuse_non_finite(items: Iterable[Any], skip: Tuple[str, ...] = ()) -> None:
    """As :func:`refuse_unwritable`, for NaN and infinity only (the check behind a ``null`` in a JSONL line).

    Example:
        >>> refuse_non_finite([{"id": "a", "score": None}])  # a real null passes
    """
    for index, item in enumerate(items):
        if has_non_finite(item, skip):
            raise unwritable_error(describe_owner(item, index), *(find_unwritable(item, skip) or ("", item)))
