"""CTM files: time-aligned symbols, one per line.

``<recording> <channel> <start> <duration> <symbol> [<score>]``

Reading raises :class:`~lhotse_lite.errors.ManifestFormatError` naming ``file:line`` for a line
with fewer than five or more than six fields, non-numeric or non-finite channel/start/duration/score
(``nan``, ``inf``, ``1e309``) or bytes that are not UTF-8; blank lines are ignored. Writing refuses
non-finite times and strings that are not Unicode text, naming the segment and the field; it
follows Lhotse's ``write_alignment_to_ctm`` layout (times and score with two decimals).

Example:
    >>> import os, tempfile
    >>> from lhotse_lite.supervision.ctm import read_ctm
    >>> path = os.path.join(tempfile.mkdtemp(), "a.ctm")
    >>> _ = open(path, "w").write("rec1 1 0.10 0.40 hello 0.9\\nrec1 1 0.50 0.40 world\\n")
    >>> [w.item.symbol for w in read_ctm(path)]
    ['hello', 'world']
"""

from __future__ import annotations

import bisect
import math
from typing import Dict, Iterable, Iterator, List, NamedTuple

from lhotse_lite.errors import ManifestFormatError
from lhotse_lite.manifest.lines import iter_text_lines
from lhotse_lite.manifest.writable import find_unwritable, unwritable_error
from lhotse_lite.safe_writes import atomic_open
from lhotse_lite.supervision.alignment import AlignmentItem
from lhotse_lite.supervision.segment import SupervisionSegment
from lhotse_lite.types import Pathlike

__all__ = ["CtmWord", "read_ctm", "write_ctm", "align_words", "group_words"]

#: Margin (seconds) when deciding whether a word lies inside a segment (Lhotse's ``overspans``).
OVERSPAN_TOLERANCE = 1e-3


class CtmWord(NamedTuple):
    """One CTM line: the recording, channel and the aligned item."""

    recording_id: str
    channel: int
    item: AlignmentItem


def read_ctm(path: Pathlike) -> Iterator[CtmWord]:
    """The lines of a CTM file.

    Raises:
        FileNotFoundError: The file does not exist (a :class:`~lhotse_lite.errors.ManifestNotFoundError`).
        ManifestFormatError: A line has the wrong number of fields, non-numeric or non-finite values, or is
            not UTF-8 (``file:line``).
    """
    for lineno, line in iter_text_lines(path, "CTM"):
        parts = line.split()
        if not parts:
            continue
        if not 5 <= len(parts) <= 6:
            raise ManifestFormatError(
                f"{path}:{lineno}: a CTM line has 5 or 6 fields (recording channel start duration "
                f"symbol [score]), got {len(parts)}: {line.strip()!r}"
            )
        try:
            channel = int(parts[1])
            start, duration = float(parts[2]), float(parts[3])
            score = float(parts[5]) if len(parts) == 6 else None
        except ValueError as err:
            raise ManifestFormatError(
                f"{path}:{lineno}: CTM channel must be an integer and start/duration/score numbers, "
                f"got {line.strip()!r}"
            ) from err
        if not (math.isfinite(start) and math.isfinite(duration) and (score is None or math.isfinite(score))):
            raise ManifestFormatError(
                f"{path}:{lineno}: CTM start, duration and score must be finite numbers, got {line.strip()!r} "
                f"(NaN, infinity and numbers beyond 1.8e308 are not times)"
            )
        if duration < 0:
            raise ManifestFormatError(f"{path}:{lineno}: negative CTM duration {duration}")
        yield CtmWord(parts[0], channel, AlignmentItem(parts[4], start, duration, score))


def align_words(
    segment: SupervisionSegment, words: List[CtmWord], starts: List[float], match_channel: bool = False
) -> List[AlignmentItem]:
    """The words (sorted by start, with their ``starts``) that lie inside ``segment``.

    A word belongs to a segment when ``seg.start - tol <= word.start <= word.end <= seg.end + tol``
    (``tol`` = :data:`OVERSPAN_TOLERANCE`), and, with ``match_channel``, the channels are equal.
    """
    lo = bisect.bisect_left(starts, segment.start - OVERSPAN_TOLERANCE)
    hi = bisect.bisect_right(starts, segment.end + OVERSPAN_TOLERANCE)
    limit = segment.end + OVERSPAN_TOLERANCE
    out = []
    for w in words[lo:hi]:
        item = w.item
        if item.start + item.duration <= limit and (not match_channel or segment.channel == w.channel):
            out.append(item)
    return out


def group_words(words: Iterable[CtmWord]) -> Dict[str, List[CtmWord]]:
    """Words grouped by recording id, each group sorted by start time (stable)."""
    groups: Dict[str, List[CtmWord]] = {}
    for w in words:
        groups.setdefault(w.recording_id, []).append(w)
    for group in groups.values():
        group.sort(key=lambda w: w.item.start)
    return groups


def write_ctm(segments: Iterable[SupervisionSegment], path: Pathlike, type: str = "word") -> None:
    """Write the ``type`` alignments of ``segments`` as CTM lines, atomically (Lhotse's layout).

    Segments without that alignment kind are skipped; a segment on several channels is written
    on its first channel.

    Raises:
        ManifestFieldError: An alignment time or score is not finite, or a recording id or symbol is not
            Unicode text (naming the segment and the field); the file is left as it was.
    """
    with atomic_open(path) as f:
        for s in segments:
            if not s.alignment or type not in s.alignment:
                continue
            c = s.channel[0] if isinstance(s.channel, list) else s.channel
            for n, ali in enumerate(s.alignment[type]):
                line = f"{s.recording_id} {c} {ali.start:.02f} {ali.duration:.02f} {ali.symbol}"
                if ali.score is not None:
                    line += f" {ali.score:.02f}"
                try:
                    data = (line + "\n").encode("utf-8")
                except UnicodeEncodeError:
                    data = b""
                if not data or not (
                    math.isfinite(ali.start)
                    and math.isfinite(ali.duration)
                    and (ali.score is None or math.isfinite(ali.score))
                ):
                    fields = {
                        "recording_id": s.recording_id,
                        f"alignment.{type}[{n}]": [
                            ali.symbol,
                            float(ali.start),
                            float(ali.duration),
                            None if ali.score is None else float(ali.score),
                        ],
                    }
                    raise unwritable_error(f"supervision {s.id!r}", *(find_unwritable(fields) or ("", line)))
                f.write(data)
