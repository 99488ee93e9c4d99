"""Supervisions: labelled time spans of recordings, their set, search, RTTM and CTM.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> sups = SupervisionSet.from_segments([SupervisionSegment("s1", "r1", 0.0, 1.0)])
    >>> sups["s1"].recording_id
    'r1'
"""

from lhotse_lite.supervision.alignment import AlignmentItem
from lhotse_lite.supervision.segment import SupervisionSegment
from lhotse_lite.supervision.set import SupervisionSet

__all__ = ["AlignmentItem", "SupervisionSegment", "SupervisionSet"]
