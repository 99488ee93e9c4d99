"""How far the audio actually read may stray from the length a manifest declares.

Manifests round durations, resamplers and time-stretchers add or drop a sample or two, and chains of
transforms make it worse. When the audio read is within the tolerance of the declared length, it is
padded (by reflection, like Lhotse) or trimmed to the declared length; beyond the tolerance
:class:`~lhotse_lite.errors.DurationMismatchError` is raised.

The tolerance is module-level state, as in Lhotse: :func:`set_audio_duration_mismatch_tolerance`
changes it for the whole process. The default is Lhotse 1.33's, 0.5 seconds. Until it is set
explicitly, the environment variable ``LHOTSE_AUDIO_DURATION_MISMATCH_TOLERANCE`` (Lhotse's name) is
honoured, so a job configured for Lhotse behaves the same here.

Example:
    >>> from lhotse_lite.audio import tolerance
    >>> tolerance.get_audio_duration_mismatch_tolerance()
    0.5
    >>> tolerance.set_audio_duration_mismatch_tolerance(0.025)
    >>> tolerance.get_audio_duration_mismatch_tolerance()
    0.025
    >>> tolerance.set_audio_duration_mismatch_tolerance(0.5)
"""

from __future__ import annotations

import logging
import math
import os
from typing import Literal, Optional, SupportsFloat, Union

import numpy as np

from lhotse_lite.errors import ConfigError, DurationMismatchError

__all__ = [
    "DEFAULT_AUDIO_DURATION_MISMATCH_TOLERANCE",
    "get_audio_duration_mismatch_tolerance",
    "set_audio_duration_mismatch_tolerance",
    "fit_num_samples",
]

logger = logging.getLogger(__name__)

DEFAULT_AUDIO_DURATION_MISMATCH_TOLERANCE = 0.5
"""Lhotse 1.33's default tolerance in seconds (``lhotse.audio.utils``)."""

_ENV_VAR = "LHOTSE_AUDIO_DURATION_MISMATCH_TOLERANCE"
_tolerance: Optional[float] = None  # None: not set explicitly, use the environment or the default


def set_audio_duration_mismatch_tolerance(delta: float) -> None:
    """Sets the process-wide tolerance for a mismatch between declared and actual audio length.

    Args:
        delta: The largest difference, in seconds, that is silently padded or trimmed (Lhotse's
            argument name).

    Raises:
        ConfigError: ``seconds`` is negative or not a number.

    Example:
        >>> set_audio_duration_mismatch_tolerance(0.1)
        >>> get_audio_duration_mismatch_tolerance()
        0.1
        >>> set_audio_duration_mismatch_tolerance(DEFAULT_AUDIO_DURATION_MISMATCH_TOLERANCE)
    """
    global _tolerance
    value = _validate(delta, "set_audio_duration_mismatch_tolerance(delta)")
    logger.info("audio duration mismatch tolerance: %s s -> %s s", get_audio_duration_mismatch_tolerance(), value)
    _tolerance = value


def get_audio_duration_mismatch_tolerance() -> float:
    """The current tolerance in seconds (see the module docstring for how it is chosen).

    Raises:
        ConfigError: the environment variable holds something other than a non-negative number.

    Example:
        >>> get_audio_duration_mismatch_tolerance()
        0.5
    """
    if _tolerance is not None:
        return _tolerance
    env = os.environ.get(_ENV_VAR)
    if env is not None:
        return _validate(env, f"environment variable {_ENV_VAR}")
    return DEFAULT_AUDIO_DURATION_MISMATCH_TOLERANCE


def _validate(value: Union[str, SupportsFloat], where: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{where}: expected a number of seconds >= 0, got {value!r}") from err
    if not math.isfinite(seconds) or seconds < 0:
        raise ConfigError(f"{where}: expected a number of seconds >= 0, got {value!r}")
    return seconds


def fit_num_samples(
    audio: np.ndarray,
    expected: int,
    sampling_rate: int,
    recording_id: str,
    what: str = "audio",
) -> np.ndarray:
    """Pads or trims ``audio`` to ``expected`` samples when the difference is within the tolerance.

    Padding reflects the signal at its end (Lhotse's choice, which avoids a step to silence), again
    and again when the gap is longer than the signal, as ``numpy.pad`` and Lhotse do; an empty signal
    is padded with zeros (Lhotse raises ``ValueError`` there).

    Args:
        audio: Samples, shape ``(channels, samples)``.
        expected: The number of samples the manifest declares for the span that was read.
        sampling_rate: Samples per second of ``audio``, to express the tolerance in samples.
        recording_id: Named in the error message.
        what: What was read, for the error message (e.g. ``"offset=0.5 s, duration=1.0 s"``).

    Returns:
        ``audio`` itself when it already has ``expected`` samples, otherwise a padded or trimmed
        array of shape ``(channels, expected)``.

    Raises:
        DurationMismatchError: the difference exceeds ``ceil(tolerance * sampling_rate)`` samples.

    Example:
        >>> import numpy as np
        >>> fit_num_samples(np.ones((1, 16001), np.float32), 16000, 16000, "rec1").shape
        (1, 16000)
        >>> fit_num_samples(np.ones((1, 4000), np.float32), 16000, 16000, "rec1")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.DurationMismatchError: recording 'rec1': expected 16000 samples (1.0 s) for audio, ...
    """
    actual = audio.shape[1]
    diff = expected - actual
    if diff == 0:
        return audio
    tolerance = get_audio_duration_mismatch_tolerance()
    allowed = int(math.ceil(round(tolerance * sampling_rate, 8)))
    if abs(diff) > allowed:
        raise DurationMismatchError(
            f"recording {recording_id!r}: expected {expected} samples ({expected / sampling_rate} s) for {what}, "
            f"read {actual} samples ({actual / sampling_rate} s); the difference exceeds the "
            f"tolerance of {tolerance} s. Fix the manifest (Recording.from_file re-reads the header) or "
            f"raise the tolerance with set_audio_duration_mismatch_tolerance()"
        )
    if diff < 0:
        return audio[:, :expected]
    mode: Literal["reflect", "constant"] = "reflect" if actual > 0 else "constant"
    return np.pad(audio, ((0, 0), (0, diff)), mode=mode)
