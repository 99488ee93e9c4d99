"""Safe filter expressions over manifest items: ``FIELD OP VALUE``, parsed without ``eval``.

A condition compares one field of an item's dict form (``to_dict``) with a literal:

* ``FIELD`` is a field name, or a dotted path into nested mappings (``custom.emotion``);
* ``OP`` is one of ``=`` (or ``==``), ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``~`` (the value is a
  regular expression searched in the field) and ``!~`` (no match);
* ``VALUE`` is the rest of the expression, taken literally (no quotes needed).

Comparisons are numeric when the field holds a number (not text); the value must then read as a
number (``duration>=abc`` raises :class:`~lhotse_lite.errors.ManifestFieldError` naming the item,
rather than comparing as text and matching nothing), and ``nan`` is refused because nothing
compares with it. A text field is compared as text with the value (``~`` always searches text).
A list field (e.g. ``channel: [0, 1]``) matches ``=``, ``~`` and the ordering operators when any
element matches, and ``!=``/``!~`` when no element matches. An item without the field matches only ``!=`` and ``!~``.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment
    >>> seg = SupervisionSegment("s1", "r1", 0.0, 2.5, speaker="spk-a", custom={"snr": 12.5})
    >>> keep = make_predicate(["speaker=spk-a", "duration>=2", "custom.snr<20"])
    >>> keep(seg)
    True
    >>> parse_condition("text ~ ^HELLO").op
    '~'
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, List, Optional, Sequence, Union

from lhotse_lite.errors import ManifestFieldError

__all__ = ["Condition", "parse_condition", "make_predicate", "manifest_fields", "OPERATORS"]

OPERATORS = ("==", "!=", "<=", ">=", "!~", "=", "<", ">", "~")
"""Supported operators, longest first (the order in which an expression is scanned)."""

_FIELD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*(==|!=|<=|>=|!~|=|<|>|~)\s?(.*)$", re.S)
_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_MISSING = object()


@dataclass(frozen=True)
class Condition:
    """One parsed ``FIELD OP VALUE`` condition (see the module docs).

    Attributes:
        field: Dotted path into the item's dict form.
        op: One of :data:`OPERATORS` (``==`` is stored as ``=``).
        value: The literal, as written.

    Example:
        >>> Condition("duration", ">", "1.5").matches({"duration": 2.0})
        True
    """

    field: str
    op: str
    value: str

    def matches(self, item: Any) -> bool:
        """Whether ``item`` (a manifest item or its dict form) satisfies the condition."""
        data = item if isinstance(item, dict) else item.to_dict()
        found = _lookup(data, self.field.split("."))
        negated = self.op in ("!=", "!~")
        if found is _MISSING:
            return negated
        values = found if isinstance(found, list) else [found]
        positive = "=" if self.op == "!=" else "~" if self.op == "!~" else self.op
        hit = any(self._test(positive, v, data) for v in values)
        return not hit if negated else hit

    def _literal_number(self, value: Any, data: Any) -> float:
        literal = _number(self.value)
        if literal is not None and not math.isnan(literal):
            return literal
        item_id = data.get("id", data.get("recording_id")) if isinstance(data, dict) else None
        where = f"item {item_id!r}" if item_id is not None else "an item"
        raise ManifestFieldError(
            f"filter {self.field}{self.op}{self.value}: {where} has the number {value!r} in {self.field!r} but "
            f"{self.value!r} is not a number it can be compared with; write a number (e.g. "
            f"'{self.field}{self.op}1.5'), or use '~' to match the field's text"
        )

    def _test(self, op: str, value: Any, data: Any = None) -> bool:
        if op == "~":
            return re.search(self.value, _text(value)) is not None
        number = None if isinstance(value, (bool, str)) else _number(value)
        left: Union[float, str]
        right: Union[float, str]
        if number is not None:
            left, right = number, self._literal_number(value, data)
        else:
            left, right = _text(value), self.value
        if op == "=":
            return left == right
        return _ORDER[op](left, right)


def parse_condition(expression: str) -> Condition:
    """Parses ``FIELD OP VALUE`` (e.g. ``speaker=spk1``, ``duration >= 1.5``, ``text~^HELLO``).

    Raises:
        ManifestFieldError: The expression has no known operator, no field name, or a ``~``
            value that is not a valid regular expression.

    Example:
        >>> parse_condition("custom.emotion != angry")
        Condition(field='custom.emotion', op='!=', value='angry')
    """
    match = _FIELD.match(expression)
    if match is None:
        raise ManifestFieldError(
            f"cannot parse the filter {expression!r}: expected FIELD OP VALUE with OP one of "
            f"{' '.join(OPERATORS)} (e.g. 'speaker=spk1', 'duration>=1.5', 'custom.snr<10')"
        )
    field, op, value = match.groups()
    op = "=" if op == "==" else op
    if op in ("~", "!~"):
        try:
            re.compile(value)
        except re.error as err:
            raise ManifestFieldError(f"filter {expression!r}: invalid regular expression {value!r} ({err})") from err
    return Condition(field, op, value.strip() if op not in ("~", "!~") else value)


def make_predicate(
    conditions: Iterable[str] = (),
    speakers: Optional[Sequence[str]] = None,
    recording_ids: Optional[Sequence[str]] = None,
    min_duration: Optional[float] = None,
    max_duration: Optional[float] = None,
    known_fields: Optional[Collection[str]] = None,
) -> Callable[[Any], bool]:
    """A predicate that keeps items satisfying every given condition (logical AND).

    Args:
        conditions: ``FIELD OP VALUE`` expressions (see :func:`parse_condition`).
        speakers: Keep items whose ``speaker`` is one of these.
        recording_ids: Keep items whose ``recording_id`` (or, for recordings, ``id``) is one of these.
        min_duration: Keep items lasting at least this many seconds.
        max_duration: Keep items lasting at most this many seconds.
        known_fields: The fields the items can have (e.g. :func:`manifest_fields`); a condition on
            another (top-level) field is an error instead of silently matching nothing. ``None``
            accepts any field.

    Returns:
        ``item -> bool``; items are manifest items (with ``to_dict``) or dicts.

    Raises:
        ManifestFieldError: A malformed condition, or a field not in ``known_fields`` (the message
            lists them and the closest one).

    Example:
        >>> keep = make_predicate(speakers=["a", "b"], max_duration=3.0)
        >>> keep({"speaker": "b", "duration": 2.0}), keep({"speaker": "c", "duration": 2.0})
        (True, False)
    """
    parsed: List[Condition] = [parse_condition(c) for c in conditions]
    if known_fields is not None:
        for condition in parsed:
            _check_field(condition, known_fields)
    wanted_speakers = set(speakers) if speakers else None
    wanted_recordings = set(recording_ids) if recording_ids else None

    def keep(item: Any) -> bool:
        data = item if isinstance(item, dict) else item.to_dict()
        if wanted_speakers is not None and data.get("speaker") not in wanted_speakers:
            return False
        if wanted_recordings is not None:
            rid = data.get("recording_id", data.get("id") if "sources" in data else None)
            if rid not in wanted_recordings:
                return False
        duration = data.get("duration")
        if min_duration is not None and (duration is None or duration < min_duration):
            return False
        if max_duration is not None and (duration is None or duration > max_duration):
            return False
        return all(c.matches(data) for c in parsed)

    return keep


def manifest_fields(manifest: Any) -> List[str]:
    """The top-level fields a manifest's items can have: those of its item type, then any other key
    of its first item (read once; a lazy manifest stays lazy).

    Example:
        >>> from lhotse_lite.supervision import SupervisionSet
        >>> manifest_fields(SupervisionSet([]))[:4]
        ['id', 'recording_id', 'start', 'duration']
    """
    element = getattr(manifest, "element_type", None)
    names = [f.name for f in dataclasses.fields(element)] if dataclasses.is_dataclass(element) else []
    first = next(iter(manifest), None)
    if first is not None:
        data = first if isinstance(first, dict) else first.to_dict()
        names += [key for key in data if key not in names]
    return names


def _check_field(condition: Condition, known: Collection[str]) -> None:
    top = condition.field.split(".", 1)[0]
    if top in known:
        return
    close = difflib.get_close_matches(top, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    raise ManifestFieldError(
        f"filter {condition.field}{condition.op}{condition.value}: the items have no field {top!r}{hint} "
        f"Their fields: {', '.join(known)}"
    )


def _lookup(data: Any, path: List[str]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return _MISSING
        data = data[key]
    return data


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
