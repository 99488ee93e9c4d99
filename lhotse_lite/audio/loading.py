"""Reading a span of a Recording: channel selection, span checks, sources, transforms, length.

:func:`load_span` is the body of :meth:`Recording.load_audio
<lhotse_lite.audio.recording.Recording.load_audio>`:

1. check the requested channels and span against the manifest;
2. map the span back through the transforms (last to first) to the span of the source audio;
3. read that span from each source holding a requested channel (:meth:`AudioSource.read
   <lhotse_lite.audio.source.AudioSource.read>`, which decodes with
   :func:`~lhotse_lite.audio.backend.decode_span`) and stack the channels;
4. apply the transforms (first to last);
5. pad or trim to the declared length within the mismatch tolerance, or raise.

Example:
    >>> import io, numpy as np, soundfile as sf
    >>> from lhotse_lite.audio import AudioSource, Recording
    >>> buf = io.BytesIO()
    >>> sf.write(buf, np.zeros((16000, 2), np.float32), 16000, format="WAV")
    >>> rec = Recording("r", [AudioSource("memory", [0, 1], buf.getvalue())], 16000, 16000, 1.0)
    >>> load_span(rec, channels=[1], offset=0.5, duration=0.25).shape
    (1, 4000)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, FrozenSet, List, Optional, Sequence, Union

import numpy as np

from lhotse_lite.audio.tolerance import fit_num_samples, get_audio_duration_mismatch_tolerance
from lhotse_lite.checks import check_sampling_rate, check_seconds
from lhotse_lite.errors import AudioError, AudioLoadingError, AudioSpanError, AudioSpanPastEndError
from lhotse_lite.units import compute_num_samples

if TYPE_CHECKING:
    from lhotse_lite.audio.recording import Recording

__all__ = ["Channels", "load_span"]

Channels = Union[int, Sequence[int]]
"""A channel id or a sequence of them."""


def load_span(
    recording: "Recording",
    channels: Optional[Channels] = None,
    offset: float = 0.0,
    duration: Optional[float] = None,
) -> np.ndarray:
    """Reads ``duration`` seconds from ``offset`` of ``recording`` with its transforms applied.

    Args:
        recording: The recording to read.
        channels: A channel id or a list of them; ``None`` for all.
        offset: Start in seconds, in the recording's (transformed) time line.
        duration: Length in seconds; ``None`` reads to the end.

    Returns:
        float32 array ``(channels, samples)`` with the declared number of samples for the span.

    Raises:
        AudioSpanError, AudioNotFoundError, AudioLoadingError, DurationMismatchError: see
            :meth:`Recording.load_audio <lhotse_lite.audio.recording.Recording.load_audio>`.
    """
    wanted = _channel_selection(recording, channels)
    duration = _check_span(recording, offset, duration)
    rid = recording.id
    if offset == 0 and duration is None:
        expected = recording.num_samples
    else:
        span = duration if duration is not None else recording.duration - offset
        expected = compute_num_samples(span, recording.sampling_rate)

    transforms = recording.transforms or []
    src_offset, src_duration, rate = float(offset), duration, recording.sampling_rate
    for tfm in reversed(transforms):
        src_offset, src_duration = tfm.reverse_timestamps(src_offset, src_duration, rate)
        rate = tfm.input_sampling_rate(rate)

    parts = []
    for source in recording.sources:
        rows = [i for i, c in enumerate(source.channels) if c in wanted]
        if not rows:
            continue
        try:
            samples, file_rate = source.read(src_offset, src_duration)
        except AudioError as err:
            raise type(err)(f"recording {rid!r}: {err}") from err
        check_sampling_rate(
            f"recording {rid!r}: {source!r}",
            file_rate,
            rate,
            expected_by="the manifest",
            fix="recreate the manifest with Recording.from_file or add a resample()",
            error=AudioLoadingError,
        )
        parts.append(samples if len(rows) == samples.shape[0] else samples[rows])
    audio = _stack(parts, rate, rid)

    for tfm in transforms:
        audio = tfm(audio, rate)
        rate = tfm.output_sampling_rate(rate)
    what = f"offset={offset} s, duration={duration} s" if (offset or duration is not None) else "the whole recording"
    return fit_num_samples(audio, expected, recording.sampling_rate, rid, what=what)


def _channel_selection(recording: "Recording", channels: Optional[Channels]) -> FrozenSet[int]:
    available = recording.channel_ids or []
    if channels is None:
        return frozenset(available)
    requested = [channels] if isinstance(channels, int) else list(channels)
    if not requested or any(c not in available for c in requested):
        raise AudioSpanError(
            f"recording {recording.id!r}: requested channel(s) {requested} but it has channels {available}"
        )
    return frozenset(requested)


def _check_span(recording: "Recording", offset: float, duration: Optional[float]) -> Optional[float]:
    rid, total = recording.id, recording.duration
    check_seconds(f"recording {rid!r}", "offset", offset, error=AudioSpanError)
    if offset > total:
        raise AudioSpanError(f"recording {rid!r}: offset {offset} s is past the end of the recording ({total} s)")
    if duration is None:
        return None
    check_seconds(f"recording {rid!r}", "duration", duration, hint="pass None to read to the end", error=AudioSpanError)
    overshoot = offset + duration - total
    if overshoot > get_audio_duration_mismatch_tolerance():
        raise AudioSpanPastEndError(
            f"recording {rid!r}: the span offset={offset} s, duration={duration} s ends {overshoot:.6g} s "
            f"past the end of the recording ({total} s); shorten it or pass duration=None"
        )
    if offset == 0 and math.isclose(duration, total, abs_tol=1e-9):
        return None  # the whole recording: read everything; the declared length is enforced at the end
    return float(duration)


def _stack(parts: List[np.ndarray], rate: int, rid: str) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    longest = max(p.shape[1] for p in parts)
    fitted = [fit_num_samples(p, longest, rate, rid, what="each source (the longest one)") for p in parts]
    return np.concatenate(fitted, axis=0)
