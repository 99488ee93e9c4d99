"""RTTM files: speaker turns, one per line, ten space-separated fields.

``SPEAKER <recording> <channel> <onset> <duration> <NA> <NA> <speaker> <NA> <NA>``

Reading follows Lhotse's ``SupervisionSet.from_rttm``: the segment id is
``f"{recording_id}-{line_index:06d}"`` (0-based line index in its file), the channel field is kept
as written, and turns of zero duration are skipped (their number is logged). Blank lines are
ignored; any other line with a field count other than ten, non-numeric channel/onset/duration, a
time that is not finite (``nan``, ``inf``, ``1e309``) or bytes that are not UTF-8 raises
:class:`~lhotse_lite.errors.ManifestFormatError` naming ``file:line``.

Example:
    >>> import os, tempfile
    >>> from lhotse_lite.supervision.rttm import read_rttm
    >>> path = os.path.join(tempfile.mkdtemp(), "a.rttm")
    >>> _ = open(path, "w").write("SPEAKER rec1 1 130.43 2.35 <NA> <NA> juliet <NA> <NA>\\n")
    >>> [(s.id, s.start, s.duration, s.speaker) for s in read_rttm([path])]
    [('rec1-000000', 130.43, 2.35, 'juliet')]
"""

from __future__ import annotations

import logging
import math
import os
from typing import Iterable, Iterator, List, Union

from lhotse_lite.errors import ManifestFieldError, ManifestFormatError
from lhotse_lite.manifest.lines import iter_text_lines
from lhotse_lite.manifest.writable import find_unwritable, unwritable_error
from lhotse_lite.safe_writes import atomic_open
from lhotse_lite.supervision.segment import SupervisionSegment
from lhotse_lite.types import Pathlike

__all__ = ["read_rttm", "write_rttm"]

logger = logging.getLogger(__name__)


def _paths(path: Union[Pathlike, Iterable[Pathlike]]) -> List[Pathlike]:
    return [path] if isinstance(path, (str, os.PathLike)) else list(path)


def read_rttm(path: Union[Pathlike, Iterable[Pathlike]]) -> Iterator[SupervisionSegment]:
    """Segments of one RTTM file or of several.

    Args:
        path: A file, or an iterable of files.

    Yields:
        One :class:`SupervisionSegment` per speaker turn of non-zero duration.

    Raises:
        FileNotFoundError: A file does not exist (a :class:`~lhotse_lite.errors.ManifestNotFoundError`).
        ManifestFormatError: A line does not have ten fields, has non-numeric or non-finite times, or is not
            UTF-8 (``file:line``).
        ManifestFieldError: A turn has a negative duration (``file:line``).
    """
    for file in _paths(path):
        skipped = 0
        for lineno, line in iter_text_lines(file, "RTTM"):
            idx = lineno - 1
            parts = line.split()
            if not parts:
                continue
            where = f"{file}:{lineno}"
            if len(parts) != 10:
                raise ManifestFormatError(
                    f"{where}: an RTTM line has 10 fields (SPEAKER file channel onset duration "
                    f"<NA> <NA> speaker <NA> <NA>), got {len(parts)}: {line.strip()!r}"
                )
            try:
                channel, start, duration = int(parts[2]), float(parts[3]), float(parts[4])
            except ValueError as err:
                raise ManifestFormatError(
                    f"{where}: RTTM channel must be an integer and onset/duration numbers, "
                    f"got {parts[2]!r} {parts[3]!r} {parts[4]!r}"
                ) from err
            if not (math.isfinite(start) and math.isfinite(duration)):
                raise ManifestFormatError(
                    f"{where}: RTTM onset and duration must be finite numbers of seconds, got {parts[3]!r} "
                    f"{parts[4]!r} (NaN, infinity and numbers beyond 1.8e308 are not times)"
                )
            if duration == 0:
                skipped += 1
                continue
            try:
                yield SupervisionSegment(
                    id=f"{parts[1]}-{idx:06d}",
                    recording_id=parts[1],
                    start=start,
                    duration=duration,
                    channel=channel,
                    speaker=parts[7],
                )
            except ManifestFieldError as err:
                raise ManifestFieldError(f"{where}: {err}") from err
        if skipped:
            logger.info("%s: skipped %d zero-duration turns (as Lhotse does)", file, skipped)


def _fmt(seconds: float) -> str:
    return repr(float(seconds))


def write_rttm(segments: Iterable[SupervisionSegment], path: Pathlike) -> None:
    """Write segments as RTTM speaker turns, atomically.

    Times are written with full precision (``repr``), so reading the file back gives the same
    floats; a missing speaker is written as ``<NA>``; a segment spanning several channels is
    written on its first channel.

    Args:
        segments: The segments.
        path: Destination file.

    Raises:
        ManifestFieldError: A segment's start or duration is not finite, or its recording id or speaker is
            not Unicode text (naming the segment and the field); the file is left as it was.
    """
    with atomic_open(path) as f:
        for s in segments:
            channel = s.channel[0] if isinstance(s.channel, list) else s.channel
            speaker = s.speaker if s.speaker is not None else "<NA>"
            start, duration = float(s.start), float(s.duration)
            fields = {"recording_id": s.recording_id, "start": start, "duration": duration, "speaker": speaker}
            line = (
                f"SPEAKER {s.recording_id} {channel} {_fmt(s.start)} {_fmt(s.duration)} <NA> <NA> {speaker} <NA> <NA>\n"
            )
            try:
                data = line.encode("utf-8")
            except UnicodeEncodeError:
                data = b""
            if not data or not (math.isfinite(start) and math.isfinite(duration)):
                raise unwritable_error(f"supervision {s.id!r}", *(find_unwritable(fields) or ("", line)))
            f.write(data)
