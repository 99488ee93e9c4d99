"""The supervision set: :class:`ManifestSet` of :class:`SupervisionSegment` plus search and RTTM/CTM.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> sups = SupervisionSet.from_segments([
    ...     SupervisionSegment("r1-0", "r1", 0.0, 2.0, text="a b"),
    ...     SupervisionSegment("r1-1", "r1", 2.0, 3.0, channel=1),
    ...     SupervisionSegment("r2-0", "r2", 1.0, 1.0)])
    >>> [s.id for s in sups.find("r1", start_after=0.0, end_before=5.0)]
    ['r1-0', 'r1-1']
    >>> [s.start for s in sups.find("r1", channel=1, start_after=1.5, adjust_offset=True)]
    [0.5]
"""

from __future__ import annotations

import logging
from typing import Callable, Dict, Hashable, Iterable, Iterator, List, Mapping, Optional, Union

from tqdm import tqdm

from lhotse_lite.manifest.formats import Pathlike
from lhotse_lite.manifest.set import ManifestSet
from lhotse_lite.supervision import ctm, rttm
from lhotse_lite.supervision.index import RecordingIndex, build_index
from lhotse_lite.supervision.segment import SupervisionSegment

__all__ = ["SupervisionSet"]

logger = logging.getLogger(__name__)


class SupervisionSet(ManifestSet[SupervisionSegment]):
    """Supervision segments by id (eager) or streamed (lazy); see :class:`ManifestSet` for the rest.

    Args:
        segments: The segments (an iterable, a dict id -> segment as in Lhotse, or a lazy node of
            :mod:`lhotse_lite.manifest.lazy` for a lazy set).

    Raises:
        DuplicateIdError: Two segments share an id.

    Example:
        >>> sups = SupervisionSet.from_segments([
        ...     SupervisionSegment("a", "rec1", 0.0, 2.0, speaker="S1"),
        ...     SupervisionSegment("b", "rec1", 3.0, 1.0, speaker="S2"),
        ...     SupervisionSegment("c", "rec2", 0.0, 4.0, speaker="S1")])
        >>> len(sups), sups["b"].speaker
        (3, 'S2')
        >>> [s.id for s in sups.find("rec1", start_after=1.0)]
        ['b']
        >>> [s.id for s in sups.filter(lambda s: s.speaker == "S1")]
        ['a', 'c']
    """

    element_type = SupervisionSegment

    def __init__(self, segments: Optional[Iterable[SupervisionSegment]] = None) -> None:
        super().__init__(segments)

    def _post_init(self) -> None:
        self._index: Optional[Dict[str, RecordingIndex]] = None

    @classmethod
    def from_segments(cls, segments: Iterable[SupervisionSegment]) -> "SupervisionSet":
        """An eager set of ``segments`` (same as :meth:`from_items`)."""
        return cls(segments)

    @property
    def segments(self) -> Union[Mapping[Hashable, SupervisionSegment], Iterable[SupervisionSegment]]:
        """Lhotse's name for :attr:`data`."""
        return self.data

    # ---- search -------------------------------------------------------------------------------

    def find(
        self,
        recording_id: str,
        channel: Optional[Union[int, List[int]]] = None,
        start_after: float = 0,
        end_before: Optional[float] = None,
        adjust_offset: bool = False,
        tolerance: float = 0.001,
    ) -> Iterator[SupervisionSegment]:
        """Segments of ``recording_id`` lying inside ``[start_after, end_before]``.

        The first call builds a per-recording index (:mod:`lhotse_lite.supervision.index`);
        later calls answer in ``O(log n + k)``. A query checks the segments it returns against the times
        and recording id they were indexed with, and rebuilds the index when one was changed in place
        (``seg.start = ...``); a segment changed so that it enters a window it was outside of is found
        after :meth:`reindex` (see
        :mod:`lhotse_lite.supervision.index`). On a lazy set the first call reads the whole stream once and
        keeps the index (all segments) in memory, as Lhotse does.

        Args:
            recording_id: The recording.
            channel: Keep segments on this channel (or spanning it); ``None`` keeps all channels.
            start_after: Keep segments with ``start >= start_after - tolerance`` (seconds).
            end_before: Keep segments with ``end <= end_before + tolerance``; ``None``: no limit.
            adjust_offset: Return the segments shifted by ``-start_after`` (times relative to a
                cut starting at ``start_after``).
            tolerance: Margin in seconds for float rounding of the boundaries.

        Returns:
            An iterator over the matching segments, in the set's order.
        """
        if self._index is None:
            self._index = build_index(self)
        index = self._index.get(recording_id)
        if index is None:
            return iter(())
        found = index.query(start_after, end_before, tolerance, channel)
        if found is None:  # a segment was changed in place: rebuild and ask again
            self._index = build_index(self)
            index = self._index.get(recording_id)
            found = [] if index is None else index.query(start_after, end_before, tolerance, channel) or []
        if adjust_offset:
            return (s.with_offset(-start_after) for s in found)
        return iter(found)

    # ---- text transforms ----------------------------------------------------------------------

    def transform_text(self, transform_fn: Callable[[str], str]) -> "SupervisionSet":
        """Every segment's text mapped by ``transform_fn`` (lazy stays lazy)."""
        return self.map(lambda s: s.transform_text(transform_fn))

    def transform_alignment(self, transform_fn: Callable[[str], str], type: str = "word") -> "SupervisionSet":
        """Every segment's ``type`` alignment symbols mapped by ``transform_fn`` (lazy stays lazy)."""
        return self.map(lambda s: s.transform_alignment(transform_fn, type=type))

    # ---- RTTM and CTM -------------------------------------------------------------------------

    @classmethod
    def from_rttm(cls, path: Union[Pathlike, Iterable[Pathlike]]) -> "SupervisionSet":
        """Segments of one RTTM file or several (see :mod:`lhotse_lite.supervision.rttm`).

        Raises:
            ManifestFormatError: A malformed line (``file:line``).
            DuplicateIdError: Two files produce the same segment id.
        """
        return cls(rttm.read_rttm(path))

    def write_rttm(self, path: Pathlike) -> None:
        """Write the segments as RTTM speaker turns (Lhotse has no writer; format in :mod:`.rttm`)."""
        rttm.write_rttm(self, path)

    def with_alignment_from_ctm(
        self, ctm_file: Pathlike, type: str = "word", match_channel: bool = False, verbose: bool = False
    ) -> "SupervisionSet":
        """A copy whose segments carry the CTM words lying inside them as their ``type`` alignment.

        A word belongs to a segment of its recording when it lies within the segment's span (1 ms
        margin) and, with ``match_channel``, is on the same channel. Segments of recordings absent
        from the CTM get an empty alignment. Unlike Lhotse, the result keeps the set's order and the
        segments' other alignment kinds, and a lazy set stays lazy (the CTM is read now, the
        segments stream).

        Args:
            ctm_file: The CTM file.
            type: Alignment kind to set (e.g. ``"word"``, ``"phone"``).
            match_channel: Also require the CTM channel to equal the segment's channel.
            verbose: Show progress bars.

        Raises:
            ManifestFormatError: A malformed CTM line (``file:line``).
        """
        words: Iterable[ctm.CtmWord] = ctm.read_ctm(ctm_file)
        if verbose:
            words = tqdm(words, desc="Reading words from CTM file")
        groups = ctm.group_words(words)
        starts = {rec: [w.item.start for w in group] for rec, group in groups.items()}

        def attach(seg: SupervisionSegment) -> SupervisionSegment:
            group = groups.get(seg.recording_id)
            items = [] if group is None else ctm.align_words(seg, group, starts[seg.recording_id], match_channel)
            return seg.with_alignment(type, items)

        if self.is_lazy:  # stays lazy: the words are held, the segments still stream
            return self.map(attach)
        out = [attach(seg) for seg in (tqdm(self, desc="Adding alignments") if verbose else self)]
        num_added = sum(len((seg.alignment or {}).get(type, ())) for seg in out)  # with_alignment sets it
        logger.info(
            "%d of %d CTM alignment items were added to segments", num_added, sum(len(g) for g in groups.values())
        )
        return self.__class__(out)

    def write_alignment_to_ctm(self, ctm_file: Pathlike, type: str = "word") -> None:
        """Write the ``type`` alignments as CTM (Lhotse's layout, see :mod:`.ctm`)."""
        ctm.write_ctm(self, ctm_file, type=type)
