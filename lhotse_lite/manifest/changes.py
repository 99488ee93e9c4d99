"""In-place changes of indexed fields, so that the indexes a set caches know when they are stale.

Manifest items are mutable, as Lhotse's dataclasses are, while a set caches indexes built from some of
their fields: an eager set maps each item's key (its ``id``) to the item, ``SupervisionSet.find`` sorts
each recording's segments by start time, ``FeatureSet.find`` groups features by recording. When a field
one of these indexes uses is assigned (``seg.start = 1.5``), the item's ``__setattr__`` reports it here
(:func:`note_change`, before the value changes), and an index asks, when it is next used, whether a change
it depends on happened after it was built:

* a **key** field (``id``; the recording, channels, times and storage of a ``Features``): a set rebuilds
  its key dict when a lookup misses, or hits an item whose key is no longer the one looked up, after
  such a change (:func:`keys_changed_since`), so lookups that hit stay O(1) while items are renamed;
* the **recording** of an item (``recording_id``): indexes by recording are rebuilt whole
  (:func:`groups_changed_since`);
* the **times** of a segment (``start``, ``duration``): only the part of a ``find`` index that holds the
  segment's recording is rebuilt (:func:`group_changed_since`).

Each change is stamped with a global, increasing clock; an index remembers the clock (:func:`now`) at
which it was built. Only assignments are seen: changing a list field in place (``feats.channels.append(1)``)
is not, so assign a new value instead. Changes are global, not per set: renaming an item of one set
makes other sets check (and, if stale, rebuild) their key dict at their next miss.

Example:
    >>> built = now()
    >>> keys_changed_since(built)
    False
    >>> note_change(KEY, None)
    >>> keys_changed_since(built)
    True
"""

from __future__ import annotations

import itertools
from typing import Dict, Hashable

__all__ = [
    "KEY",
    "GROUP",
    "TIME",
    "note_change",
    "now",
    "keys_changed_since",
    "groups_changed_since",
    "group_changed_since",
]

#: Kinds of indexed fields (bit flags; a field may be several, e.g. the ``recording_id`` of ``Features``).
KEY, GROUP, TIME = 1, 2, 4

# Recordings whose segments' times changed are remembered one by one up to this many; beyond it, the
# record is cleared and counted as a change of every recording (indexes by recording rebuild whole).
_MAX_TIME_GROUPS = 100_000

_clock = itertools.count(1)


class _Stamps:
    """The clock value of the last change of each kind (0: never)."""

    __slots__ = ("last", "keys", "groups", "times")

    def __init__(self) -> None:
        self.last = self.keys = self.groups = 0
        self.times: Dict[Hashable, int] = {}


_stamps = _Stamps()


def note_change(kinds: int, group: Hashable) -> None:
    """Record that an indexed field of an item is about to be assigned.

    Args:
        kinds: The bit flags (:data:`KEY`, :data:`GROUP`, :data:`TIME`) of the field.
        group: The item's recording id before the change (used for :data:`TIME`).

    Example:
        >>> before = now()
        >>> note_change(TIME, "rec1")
        >>> group_changed_since("rec1", before), group_changed_since("rec2", before)
        (True, False)
    """
    tick = next(_clock)
    _stamps.last = tick
    if kinds & KEY:
        _stamps.keys = tick
    if kinds & GROUP:
        _stamps.groups = tick
    if kinds & TIME:
        times = _stamps.times
        if len(times) >= _MAX_TIME_GROUPS:
            times.clear()
            _stamps.groups = tick
        times[group] = tick


def now() -> int:
    """The clock value of the latest change; an index built now is fresh until a later change.

    Example:
        >>> now() >= 0
        True
    """
    return _stamps.last


def keys_changed_since(when: int) -> bool:
    """Whether a key field of some item was assigned after clock value ``when``.

    Example:
        >>> keys_changed_since(now())
        False
    """
    return _stamps.keys > when


def groups_changed_since(when: int) -> bool:
    """Whether the recording of some item was assigned after ``when`` (whole indexes by recording are stale).

    Example:
        >>> groups_changed_since(now())
        False
    """
    return _stamps.groups > when


def group_changed_since(group: Hashable, when: int) -> bool:
    """Whether the times of a segment of recording ``group`` (or any recording) changed after ``when``.

    Example:
        >>> group_changed_since("rec9", now())
        False
    """
    return _stamps.groups > when or _stamps.times.get(group, 0) > when
