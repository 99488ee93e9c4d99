"""Time-aligned symbols (words, phones, ...) inside a supervision segment.

Example:
    >>> from lhotse_lite.supervision import AlignmentItem
    >>> item = AlignmentItem("hello", 0.1, 0.4, 0.9)
    >>> item.end, item.serialize()
    (0.5, ['hello', 0.1, 0.4, 0.9])
    >>> AlignmentItem.deserialize(["world", 0.5, 0.4]) == AlignmentItem("world", 0.5, 0.4)
    True
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Union

from lhotse_lite.errors import FieldNameError, ManifestArgumentError, ManifestFieldError
from lhotse_lite.units import add_durations, compute_num_samples, perturb_num_samples, round_seconds

__all__ = ["AlignmentItem"]

_NUMBER = (int, float)
_INF = float("inf")
_NEG_INF = -_INF
_tuple_new = tuple.__new__


class _AlignmentFields(NamedTuple):
    symbol: str
    start: float
    duration: float
    score: Optional[float] = None


class AlignmentItem(_AlignmentFields):
    """One aligned symbol: ``symbol`` spans ``start .. start + duration`` seconds of the recording.

    Serialized as Lhotse's list form ``[symbol, start, duration, score]`` (``score`` may be null).
    A ``NamedTuple``, as Lhotse's; building one (``_replace`` included) checks that the times and score
    are finite numbers, so a written alignment never holds NaN or infinity.

    Args:
        symbol: The word, phone, or other unit.
        start: Start in seconds, relative to the recording.
        duration: Duration in seconds.
        score: Optional aligner confidence.

    Raises:
        ManifestFieldError: ``start``, ``duration`` or ``score`` is not a finite number (NaN, infinity,
            not a number).

    Example:
        >>> item = AlignmentItem("hello", start=1.0, duration=0.5)
        >>> item.end, item.with_offset(2.0).start
        (1.5, 3.0)
        >>> item.serialize()
        ['hello', 1.0, 0.5, None]
        >>> AlignmentItem.deserialize(["hi", 0.2, 0.1, 0.9]).score
        0.9
    """

    __slots__ = ()

    def __new__(cls, symbol: str, start: float, duration: float, score: Optional[float] = None) -> "AlignmentItem":
        try:
            finite = (
                _NEG_INF < start < _INF and _NEG_INF < duration < _INF and (score is None or _NEG_INF < score < _INF)
            )
        except TypeError:  # not numbers
            finite = False
        if not finite or start.__class__ is bool or duration.__class__ is bool:
            raise ManifestFieldError(
                f"alignment item {symbol!r}: start, duration and score must be finite numbers, got "
                f"start={start!r}, duration={duration!r}, score={score!r}; NaN and infinity are not times"
            )
        return _tuple_new(cls, (symbol, start, duration, score))

    @classmethod
    def _make(cls, iterable: Iterable[Any]) -> "AlignmentItem":  # type: ignore[override]  # mypy types _make with a private bound
        # namedtuple's _make (and so _replace) builds the tuple directly: check it as __new__ does
        return cls(*iterable)

    @staticmethod
    def deserialize(data: Union[List[Any], Dict[str, Any]]) -> "AlignmentItem":
        """Build an item from its list form (or the dict form of Lhotse < 1.8).

        Raises:
            FieldNameError: Wrong number of fields (also a ``TypeError``, as Lhotse's ``AlignmentItem(*data)``).
            ManifestFieldError: Non-numeric or non-finite times or score.

        Example:
            >>> AlignmentItem.deserialize({"symbol": "a", "start": 0.0, "duration": 1.0})
            AlignmentItem(symbol='a', start=0.0, duration=1.0, score=None)
        """
        values = list(data.values()) if isinstance(data, dict) else data
        if not isinstance(values, (list, tuple)) or not 3 <= len(values) <= 4:
            raise FieldNameError(f"alignment item must be [symbol, start, duration(, score)], got {data!r}")
        symbol, start, duration = values[0], values[1], values[2]
        score = values[3] if len(values) == 4 else None
        if (
            type(start) not in _NUMBER
            or type(duration) not in _NUMBER
            or (score is not None and type(score) not in _NUMBER)
        ):
            raise ManifestFieldError(f"alignment item times/score must be numbers, got {data!r}")
        return AlignmentItem(symbol, start, duration, score)

    def serialize(self) -> list:
        """The list form ``[symbol, start, duration, score]``."""
        return list(self)

    @property
    def end(self) -> float:
        """``start + duration``, rounded to 8 decimals."""
        return round_seconds(self.start + self.duration)

    def with_offset(self, offset: float) -> "AlignmentItem":
        """A copy with ``offset`` seconds added to ``start`` (computed at 48 kHz like Lhotse).

        Example:
            >>> AlignmentItem("a", 1.0, 0.5).with_offset(-0.25).start
            0.75
        """
        return self._replace(start=add_durations(self.start, offset, sampling_rate=48000))

    def perturb_speed(self, factor: float, sampling_rate: int) -> "AlignmentItem":
        """A copy whose times match audio sped up by ``factor`` (through sample counts).

        Example:
            >>> AlignmentItem("a", 1.0, 0.5).perturb_speed(2.0, 16000)[1:3]
            (0.5, 0.25)
        """
        start = perturb_num_samples(compute_num_samples(self.start, sampling_rate), factor) / sampling_rate
        duration = perturb_num_samples(compute_num_samples(self.duration, sampling_rate), factor) / sampling_rate
        return self._replace(start=start, duration=duration)

    def trim(self, end: float, start: float = 0) -> "AlignmentItem":
        """A copy clipped to ``[start, end]`` seconds (as ``SupervisionSegment.trim``).

        As in Lhotse, the score is dropped from a trimmed item.

        Raises:
            ManifestArgumentError: ``start`` is negative (also a ``ValueError`` and, as in Lhotse, an
                ``AssertionError``).

        Example:
            >>> AlignmentItem("a", 0.5, 1.0, 0.8).trim(end=1.0)
            AlignmentItem(symbol='a', start=0.5, duration=0.5, score=None)
        """
        if start < 0:
            raise ManifestArgumentError(f"alignment item {self.symbol!r}: trim start must be >= 0 seconds, got {start}")
        start_exceeds_by = abs(min(0, self.start - start))
        end_exceeds_by = max(0, self.end - end)
        return AlignmentItem(
            symbol=self.symbol,
            start=max(start, self.start),
            duration=add_durations(self.duration, -end_exceeds_by, -start_exceeds_by, sampling_rate=48000),
        )

    def transform(self, transform_fn: Callable[[str], str]) -> "AlignmentItem":
        """A copy with ``symbol`` replaced by ``transform_fn(symbol)``.

        Example:
            >>> AlignmentItem("a", 0.0, 1.0).transform(str.upper).symbol
            'A'
        """
        return self._replace(symbol=transform_fn(self.symbol))
