"""Checking the keys of a manifest item's dict before building the item from it.

Every ``from_dict`` that reads a manifest line goes through :func:`check_dict_fields` (except
``SupervisionSegment.from_dict``, whose hot path checks the same keys inline for speed), so a typo
or a field we do not support is reported the same way everywhere: what is missing, what is unknown,
and the full list of expected fields, prefixed by where the dict came from.

Example:
    >>> check_dict_fields({"id": "a", "x": 1}, ["id"], ["y"], "item 'a'")
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.FieldNameError: item 'a': unknown field(s) x; expected the fields id, y
"""

from __future__ import annotations

from typing import Any, Sequence

from lhotse_lite.errors import FieldNameError, ManifestFieldError

__all__ = ["check_dict_fields"]


def check_dict_fields(data: Any, required: Sequence[str], optional: Sequence[str], where: str) -> None:
    """Checks that ``data`` is a dict with every ``required`` key and no key outside ``required + optional``.

    Args:
        data: The parsed manifest item.
        required: Keys that must be present.
        optional: Keys that may be present.
        where: How the message names the item, e.g. ``"recording 'r1'"``.

    Raises:
        ManifestFieldError: Not a dict; the message starts with ``where``.
        FieldNameError: Missing or unknown keys (a ``ManifestFieldError``, and a ``TypeError`` and
            ``KeyError`` as Lhotse raises there); the message starts with ``where``.

    Example:
        >>> expected = ["type", "channels", "source"]
        >>> source = {"type": "file", "chanels": [0]}
        >>> check_dict_fields(source, expected, (), "AudioSource")  # doctest: +NORMALIZE_WHITESPACE
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.FieldNameError: AudioSource: missing field(s) channels, source; unknown field(s)
        chanels; expected the fields type, channels, source
    """
    if not isinstance(data, dict):
        raise ManifestFieldError(f"{where}: expected a dict, got {type(data).__name__}")
    missing = [k for k in required if k not in data]
    unknown = sorted(set(data) - set(required) - set(optional))
    if missing or unknown:
        problems = [f"missing field(s) {', '.join(missing)}"] if missing else []
        problems += [f"unknown field(s) {', '.join(unknown)}"] if unknown else []
        raise FieldNameError(f"{where}: {'; '.join(problems)}; expected the fields {', '.join([*required, *optional])}")
