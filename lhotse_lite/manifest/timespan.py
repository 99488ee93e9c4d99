"""Time spans and how two of them relate: Lhotse's ``TimeSpan``, ``overlaps`` and ``overspans``.

Anything with ``start`` and ``end`` attributes in seconds is a span here: a :class:`TimeSpan`, a
``SupervisionSegment``, a ``Features`` item, a word ``AlignmentItem``.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment
    >>> sup = SupervisionSegment("s1", "r1", start=1.0, duration=2.0)
    >>> overlaps(sup, TimeSpan(2.5, 4.0)), overlaps(sup, TimeSpan(3.0, 4.0))
    (True, False)
    >>> overspans(sup, TimeSpan(1.5, 2.9995)), overspans(sup, TimeSpan(0.5, 2.0))
    (True, False)
"""

from __future__ import annotations

import dataclasses
from math import isclose
from typing import Any

__all__ = ["TimeSpan", "overlaps", "overspans"]


@dataclasses.dataclass
class TimeSpan:
    """A time span ``[start, end]`` in seconds.

    Example:
        >>> TimeSpan(start=1.5, end=4.0).duration
        2.5
    """

    start: float
    end: float

    @property
    def duration(self) -> float:
        """``end - start`` in seconds."""
        return self.end - self.start


def overlaps(lhs: Any, rhs: Any) -> bool:
    """Whether two spans share some time; spans that only touch (within float tolerance) do not.

    Example:
        >>> overlaps(TimeSpan(0.0, 1.0), TimeSpan(0.5, 2.0)), overlaps(TimeSpan(0.0, 1.0), TimeSpan(1.0, 2.0))
        (True, False)
    """
    return (
        lhs.start < rhs.end
        and rhs.start < lhs.end
        and not isclose(lhs.start, rhs.end)
        and not isclose(rhs.start, lhs.end)
    )


def overspans(spanning: Any, spanned: Any, tolerance: float = 1e-3) -> bool:
    """Whether ``spanning`` covers all of ``spanned``, with ``tolerance`` seconds of slack at each end.

    Example:
        >>> overspans(TimeSpan(0.0, 2.0), TimeSpan(0.5, 2.0005)), overspans(TimeSpan(0.0, 2.0), TimeSpan(0.5, 2.1))
        (True, False)
    """
    return spanning.start - tolerance <= spanned.start <= spanned.end <= spanning.end + tolerance
