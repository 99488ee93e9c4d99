"""Audio transforms recorded in a Recording and applied when its audio is loaded.

A transform is a small frozen dataclass that knows three things: how to change samples
(``__call__``), how to map a requested span back to the span of the input it needs
(``reverse_timestamps``, so only that span is read from disk), and its serialized form, which is
Lhotse 1.33's: ``{"name": "Speed", "kwargs": {"factor": 1.1}}``. Transforms are registered by that
name in :data:`TRANSFORMS`, so a manifest is enough to rebuild them.

* :class:`Resample`: soxr (libsoxr, the SoX resampler), "HQ" quality.
* :class:`Speed`: SoX/Kaldi ``speed``: the signal is resampled from ``round(rate * factor)`` to
  ``rate`` with soxr, so pitch and tempo change together.
* :class:`Tempo`: tempo change that keeps pitch (WSOLA, :mod:`lhotse_lite.audio.wsola`).
* :class:`Volume`: a gain, like SoX ``vol`` (no limiter).

No transform imports torch.

Example:
    >>> t = transform_from_dict({"name": "Speed", "kwargs": {"factor": 0.9}})
    >>> t
    Speed(factor=0.9)
    >>> t.to_dict()
    {'name': 'Speed', 'kwargs': {'factor': 0.9}}
"""

from __future__ import annotations

from dataclasses import Field, asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Dict, Optional, Tuple

import numpy as np
import soxr

from lhotse_lite.audio.wsola import time_stretch
from lhotse_lite.checks import check_int, check_number
from lhotse_lite.errors import ConfigError, ManifestFieldError
from lhotse_lite.registry import Registry
from lhotse_lite.units import compute_num_samples, perturb_num_samples

__all__ = [
    "AudioTransform",
    "Resample",
    "Speed",
    "Tempo",
    "Volume",
    "TRANSFORMS",
    "transform_from_dict",
    "resample_samples",
]

TRANSFORMS: Registry[type] = Registry("audio transform")
"""Transform classes by their serialized name (``"Speed"``, ``"Tempo"``, ``"Volume"``, ``"Resample"``)."""

SOXR_QUALITY = "HQ"
"""libsoxr quality preset used for resampling and speed perturbation."""


def resample_samples(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Resamples audio with soxr (bandlimited, arbitrary ratios).

    Args:
        samples: Audio, shape ``(channels, samples)``.
        source_rate: Input samples per second.
        target_rate: Output samples per second.

    Returns:
        float32 array of shape ``(channels, round(samples * target_rate / source_rate))``.

    Example:
        >>> import numpy as np
        >>> resample_samples(np.zeros((2, 16000), np.float32), 16000, 22050).shape
        (2, 22050)
    """
    if source_rate == target_rate or samples.shape[1] == 0:
        return samples.astype(np.float32, copy=False)
    frames = np.ascontiguousarray(samples.T, dtype=np.float32)
    out = soxr.resample(frames, source_rate, target_rate, quality=SOXR_QUALITY)
    return np.ascontiguousarray(out.T)


class AudioTransform:
    """Base class: a transform applied to ``(channels, samples)`` float32 audio on load.

    Example:
        Reading 2 s from 1 s into a 1.1x speed-perturbed recording needs 2.2 s from 1.1 s of its
        source:

        >>> speed = Speed(1.1)
        >>> isinstance(speed, AudioTransform), speed.reverse_timestamps(1.0, 2.0, 16000)
        (True, (1.1, 2.2))
    """

    if TYPE_CHECKING:  # every subclass is a dataclass
        __dataclass_fields__: ClassVar[Dict[str, Field[Any]]]

    def __call__(self, samples: np.ndarray, sampling_rate: int) -> np.ndarray:
        """Applies the transform to ``samples`` of shape ``(channels, samples)`` at ``sampling_rate``."""
        raise NotImplementedError

    def reverse_timestamps(
        self, offset: float, duration: Optional[float], sampling_rate: int
    ) -> Tuple[float, Optional[float]]:
        """Maps a span of the output (seconds) to the span of the input needed to produce it.

        Args:
            offset: Start of the requested output span, seconds.
            duration: Its length in seconds, or ``None`` for "to the end".
            sampling_rate: The sampling rate of the transform's output.
        """
        raise NotImplementedError

    def input_sampling_rate(self, output_sampling_rate: int) -> int:
        """The sampling rate the transform expects, given the one it produces (unchanged by default)."""
        return output_sampling_rate

    def output_sampling_rate(self, input_sampling_rate: int) -> int:
        """The sampling rate the transform produces, given its input's (unchanged by default)."""
        return input_sampling_rate

    def to_dict(self) -> Dict[str, Any]:
        """Lhotse's serialized form: ``{"name": <class name>, "kwargs": {<fields>}}``."""
        return {"name": type(self).__name__, "kwargs": asdict(self)}


def transform_from_dict(data: Dict[str, Any]) -> AudioTransform:
    """Rebuilds a transform from its serialized form.

    Raises:
        ManifestFieldError: not a ``{"name", "kwargs"}`` dict, an unknown name (Lhotse transforms
            that lhotse_lite does not implement, e.g. ``"Narrowband"``, are listed as unknown), or
            invalid kwargs.

    Example:
        >>> transform_from_dict({"name": "Volume", "kwargs": {"factor": 2.0}})
        Volume(factor=2.0)
    """
    if not isinstance(data, dict) or set(data) != {"name", "kwargs"} or not isinstance(data["kwargs"], dict):
        raise ManifestFieldError(f'expected a transform as {{"name": ..., "kwargs": {{...}}}}, got {data!r}')
    name = data["name"]
    if name not in TRANSFORMS:
        raise ManifestFieldError(
            f"unknown audio transform {name!r}; lhotse_lite implements {', '.join(TRANSFORMS.names())}"
        )
    try:
        return TRANSFORMS.get(name)(**data["kwargs"])
    except TypeError as err:
        raise ManifestFieldError(f"invalid kwargs for audio transform {name!r}: {data['kwargs']!r} ({err})") from err
    except ConfigError as err:
        raise ManifestFieldError(str(err)) from err


def _check_factor(name: str, factor: float) -> None:
    check_number(name, "factor", factor, 0.0, minimum_open=True)


@dataclass(frozen=True)
class _ByFactor(AudioTransform):
    """Shared part of :class:`Speed` and :class:`Tempo`: a positive factor that scales time."""

    factor: float

    def __post_init__(self) -> None:
        _check_factor(type(self).__name__, self.factor)

    def reverse_timestamps(
        self, offset: float, duration: Optional[float], sampling_rate: int
    ) -> Tuple[float, Optional[float]]:
        # Output sample n comes from input sample n * factor (rounded like SoX's length rule).
        start = perturb_num_samples(compute_num_samples(offset, sampling_rate), 1 / self.factor)
        if duration is None:
            return start / sampling_rate, None
        length = perturb_num_samples(compute_num_samples(duration, sampling_rate), 1 / self.factor)
        return start / sampling_rate, length / sampling_rate


@TRANSFORMS.decorator("Resample")
@dataclass(frozen=True)
class Resample(AudioTransform):
    """Changes the sampling rate (soxr).

    Args:
        source_sampling_rate: Input rate, Hz.
        target_sampling_rate: Output rate, Hz.

    Example:
        >>> import numpy as np
        >>> Resample(16000, 8000)(np.zeros((1, 1600), np.float32), 16000).shape
        (1, 800)
    """

    source_sampling_rate: int
    target_sampling_rate: int

    def __post_init__(self) -> None:
        for field in ("source_sampling_rate", "target_sampling_rate"):
            value = check_int("Resample", field, getattr(self, field), minimum=1, allow_integral_float=True)
            object.__setattr__(self, field, value)

    def __call__(self, samples: np.ndarray, sampling_rate: int) -> np.ndarray:
        return resample_samples(samples, self.source_sampling_rate, self.target_sampling_rate)

    def reverse_timestamps(
        self, offset: float, duration: Optional[float], sampling_rate: int
    ) -> Tuple[float, Optional[float]]:
        rate = self.source_sampling_rate
        old_offset = compute_num_samples(offset, rate) / rate
        if duration is None:
            return old_offset, None
        return old_offset, compute_num_samples(duration, rate) / rate

    def input_sampling_rate(self, output_sampling_rate: int) -> int:
        return self.source_sampling_rate

    def output_sampling_rate(self, input_sampling_rate: int) -> int:
        return self.target_sampling_rate


@TRANSFORMS.decorator("Speed")
@dataclass(frozen=True)
class Speed(_ByFactor):
    """Speed perturbation like SoX ``speed`` (Kaldi's ``sp``): tempo and pitch change together.

    The input is treated as if recorded at ``round(rate * factor)`` Hz and resampled to ``rate``,
    so ``factor=1.1`` gives ``perturb_num_samples(n, 1.1)`` samples (up to resampler rounding).

    Example:
        >>> import numpy as np
        >>> Speed(1.1)(np.zeros((1, 16000), np.float32), 16000).shape
        (1, 14545)
    """

    def __call__(self, samples: np.ndarray, sampling_rate: int) -> np.ndarray:
        return resample_samples(samples, round(sampling_rate * self.factor), sampling_rate)


@TRANSFORMS.decorator("Tempo")
@dataclass(frozen=True)
class Tempo(_ByFactor):
    """Tempo perturbation like SoX ``tempo``: faster or slower, same pitch (WSOLA).

    Example:
        >>> import numpy as np
        >>> Tempo(0.9)(np.zeros((1, 16000), np.float32), 16000).shape
        (1, 17778)
    """

    def __call__(self, samples: np.ndarray, sampling_rate: int) -> np.ndarray:
        return time_stretch(samples, self.factor, sampling_rate)


@TRANSFORMS.decorator("Volume")
@dataclass(frozen=True)
class Volume(AudioTransform):
    """Multiplies the samples by ``factor`` (SoX ``vol`` as a plain gain; no clipping or limiter).

    Example:
        >>> import numpy as np
        >>> Volume(0.5)(np.ones((1, 2), np.float32), 16000)
        array([[0.5, 0.5]], dtype=float32)
    """

    factor: float

    def __post_init__(self) -> None:
        check_number("Volume", "factor", self.factor)

    def __call__(self, samples: np.ndarray, sampling_rate: int) -> np.ndarray:
        return (samples * np.float32(self.factor)).astype(np.float32, copy=False)

    def reverse_timestamps(
        self, offset: float, duration: Optional[float], sampling_rate: int
    ) -> Tuple[float, Optional[float]]:
        return offset, duration
