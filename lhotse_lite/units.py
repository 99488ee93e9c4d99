"""Seconds, samples and frames: the one place where lhotse_lite converts between them.

Rounding policy:

* A duration in seconds becomes a sample count by rounding half away from zero (``0.5`` sample
  rounds up, ``-0.5`` down: negative durations appear in ``add_durations`` offsets), after
  first rounding the product to 8 decimals so that float noise such as ``0.1 * 16000 ==
  1600.0000000000002`` cannot move a boundary. This is the policy of Lhotse 1.x, so sample counts
  agree with manifests written there.
* A sample count becomes seconds by plain division (``num_samples / sampling_rate``); nothing else is
  rounded, so ``seconds -> samples -> seconds`` round-trips exactly for sample-aligned times.
* Frame counts of Kaldi-style features follow Kaldi's ``snip_edges`` rule (:func:`kaldi_num_frames`);
  frame counts of stored feature manifests follow Lhotse's :func:`compute_num_frames`.

The frame-count functions are plain integer arithmetic with type hints, so TorchScript can call them.

Example:
    >>> from lhotse_lite.units import compute_num_samples, kaldi_num_frames
    >>> compute_num_samples(0.1, 16000)
    1600
    >>> kaldi_num_frames(16000, 400, 160, snip_edges=False)
    100
    >>> kaldi_num_frames(16000, 400, 160, snip_edges=True)
    98
"""

from __future__ import annotations

import math

__all__ = [
    "Seconds",
    "compute_num_samples",
    "samples_to_seconds",
    "compute_num_frames",
    "time_diff_to_num_frames",
    "kaldi_num_frames",
    "seconds_to_frame_index",
    "perturb_num_samples",
    "to_hours",
    "add_durations",
    "round_seconds",
    "window_samples",
]

#: A time or duration in seconds (Lhotse's alias).
Seconds = float

_DECIMALS = 8


def _round_half_up(value: float) -> int:
    # Half away from zero (Decimal's ROUND_HALF_UP, as Lhotse): -2.5 samples is -3, not -2.
    rounded = round(value, _DECIMALS)
    if rounded < 0:
        return -int(math.floor(-rounded + 0.5))
    return int(math.floor(rounded + 0.5))


def compute_num_samples(duration: float, sampling_rate: int) -> int:
    """The number of samples covering ``duration`` seconds, rounded half up.

    Args:
        duration: Time in seconds (may be 0; negative values give negative counts).
        sampling_rate: Samples per second.

    Returns:
        The sample count.

    Example:
        >>> compute_num_samples(1.5, 8000)
        12000
        >>> compute_num_samples(0.00003125, 16000)  # exactly half a sample rounds up
        1
        >>> compute_num_samples(-0.05, 22050)  # -1102.5 samples: half away from zero
        -1103
    """
    return _round_half_up(duration * sampling_rate)


def samples_to_seconds(num_samples: int, sampling_rate: int) -> float:
    """The duration in seconds of ``num_samples`` samples.

    Example:
        >>> samples_to_seconds(24000, 16000)
        1.5
    """
    return num_samples / sampling_rate


def compute_num_frames(duration: float, frame_shift: float, sampling_rate: int) -> int:
    """The number of feature frames Lhotse stores for ``duration`` seconds of audio (Lhotse's formula).

    This is the ``snip_edges=False`` rule expressed in samples: ``(num_samples + hop // 2) // hop``,
    where ``num_samples`` and ``hop`` are ``duration * sampling_rate`` and ``frame_shift *
    sampling_rate`` rounded with Python's ``round`` (half to even), exactly as Lhotse 1.33 computes
    them. (Not :func:`compute_num_samples`: rounding half up would make a 10 ms hop at 22.05 kHz 221
    samples instead of the 220 that Kaldi's frames and Lhotse use.)

    Args:
        duration: Audio duration in seconds.
        frame_shift: Frame shift in seconds.
        sampling_rate: Samples per second.

    Example:
        >>> compute_num_frames(1.0, 0.01, 16000)
        100
        >>> compute_num_frames(1.005, 0.01, 16000)
        101
        >>> compute_num_frames(35.6, 0.01, 22050)  # hop of 220 samples
        3568
    """
    num_samples = round(duration * sampling_rate)
    hop = round(frame_shift * sampling_rate)
    return int((num_samples + hop // 2) // hop)


def time_diff_to_num_frames(time_diff: float, frame_length: float, frame_shift: float) -> int:
    """The number of whole frames of ``frame_length`` every ``frame_shift`` seconds in ``time_diff`` seconds.

    Lhotse's formula: ``ceil((time_diff - frame_length) / frame_shift)``, and 0 for a zero time (within
    float tolerance).

    Example:
        >>> time_diff_to_num_frames(1.0, 0.025, 0.01), time_diff_to_num_frames(0.0, 0.025, 0.01)
        (98, 0)
    """
    if math.isclose(time_diff, 0.0):
        return 0
    return int(math.ceil((time_diff - frame_length) / frame_shift))


def kaldi_num_frames(num_samples: int, window_length: int, window_shift: int, snip_edges: bool) -> int:
    """The number of frames Kaldi's feature extractors produce for ``num_samples`` samples.

    With ``snip_edges=True`` only frames that fit entirely in the signal are kept:
    ``1 + (num_samples - window_length) // window_shift`` (0 when the signal is shorter than one
    window). With ``snip_edges=False`` the signal is reflected at the edges and frames are centred
    every ``window_shift`` samples: ``(num_samples + window_shift // 2) // window_shift``.

    Args:
        num_samples: Signal length in samples.
        window_length: Window length in samples.
        window_shift: Hop in samples.
        snip_edges: Kaldi's ``--snip-edges`` option.

    Example:
        >>> kaldi_num_frames(399, 400, 160, True), kaldi_num_frames(399, 400, 160, False)
        (0, 2)
    """
    if snip_edges:
        if num_samples < window_length:
            return 0
        return 1 + (num_samples - window_length) // window_shift
    return (num_samples + window_shift // 2) // window_shift


def seconds_to_frame_index(seconds: float, frame_shift: float) -> int:
    """The index of the frame that starts at (or just before) ``seconds``, rounded half up.

    Example:
        >>> seconds_to_frame_index(0.255, 0.01)
        26
    """
    return _round_half_up(seconds / frame_shift)


def perturb_num_samples(num_samples: int, factor: float) -> int:
    """The length in samples after speed perturbation by ``factor`` (``factor > 1`` is faster).

    This is the length Lhotse records for SoX's ``speed`` effect: ``num_samples / factor`` rounded
    to the nearest integer, with an exact half rounded up when speeding up (``factor >= 1``) and
    down when slowing down (``factor < 1``).

    Example:
        >>> perturb_num_samples(16000, 1.1)
        14545
        >>> perturb_num_samples(16000, 0.9)
        17778
        >>> perturb_num_samples(3, 0.4)  # 7.5 samples: a tie, rounded down when slowing down
        7
    """
    if factor >= 1.0:
        return _round_half_up(num_samples / factor)
    return int(math.ceil(round(num_samples / factor, _DECIMALS) - 0.5))


def to_hours(seconds: float) -> float:
    """Seconds to hours, for progress reports.

    Example:
        >>> to_hours(5400.0)
        1.5
    """
    return seconds / 3600.0


def add_durations(*durations: float, sampling_rate: int) -> float:
    """The sum of ``durations`` (seconds) computed in whole samples, free of float drift.

    Each duration becomes a sample count (:func:`compute_num_samples`), the counts are added and the
    total is divided by ``sampling_rate``; Lhotse uses 48 kHz for supervision arithmetic.

    Example:
        >>> add_durations(0.1, 0.2, sampling_rate=48000)
        0.3
    """
    return sum(compute_num_samples(d, sampling_rate) for d in durations) / sampling_rate


def round_seconds(seconds: float) -> float:
    """Round a time in seconds to 8 decimals (Lhotse's rule for segment ends and offsets).

    Example:
        >>> round_seconds(0.1 + 0.2)
        0.3
    """
    return round(seconds, _DECIMALS)


def window_samples(seconds: float, sampling_rate: float) -> int:
    """The number of samples in a Kaldi frame of ``seconds`` (frame length or shift), rounded down.

    Kaldi truncates ``sampling_rate * seconds`` (25 ms at 44.1 kHz is 1102 samples, not 1103); the
    product is first rounded to 8 decimals so float noise (``0.035 * 16000``) cannot drop a sample.

    Example:
        >>> window_samples(0.025, 44100), window_samples(0.01, 22050), window_samples(0.025, 16000)
        (1102, 220, 400)
    """
    return int(math.floor(round(seconds * sampling_rate, _DECIMALS)))
