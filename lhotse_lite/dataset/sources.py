"""Where a supervision's feature frames come from: stored features, or audio plus an extractor.

Both sources are resolved per supervision once, when the dataset is built (so a missing recording or
feature matrix fails early, naming the supervision), and hand the ``DataLoader`` workers plain
picklable objects: a ``Features`` item or a ``Recording`` per supervision.

* :class:`PrecomputedFeatures` cuts the supervision's frames out of storage
  (``FeatureSet.find`` then ``Features.load``; chunked backends read only those frames).
* :class:`OnTheFlyFeatures` reads the supervision's audio and runs a feature extractor, optionally
  after a speed perturbation drawn at random per item (``speed_factors``), as Kaldi's ``sp`` does.
  With ``device=`` it extracts a whole batch at once on that device (:meth:`OnTheFlyFeatures.extract_batch`).

Example:
    >>> import numpy as np
    >>> from lhotse_lite.features.io import MemoryNpyWriter
    >>> from lhotse_lite.features.manifest import Features, FeatureSet
    >>> from lhotse_lite.supervision import SupervisionSegment
    >>> item = Features.from_array(np.arange(200.0).reshape(100, 2), MemoryNpyWriter(), frame_shift=0.01,
    ...                            sampling_rate=16000, recording_id="r", channels=0)
    >>> source = PrecomputedFeatures(FeatureSet([item]))
    >>> handle = source.resolve(SupervisionSegment("s", "r", start=0.2, duration=0.3))
    >>> source.load(handle).shape
    (30, 2)
"""

from __future__ import annotations

import copy
import logging
import random
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from lhotse_lite.errors import ConfigError, ShapeError, UnknownIdError
from lhotse_lite.supervision import SupervisionSegment

__all__ = ["FeatureSource", "PrecomputedFeatures", "RawAudio", "OnTheFlyFeatures"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Handle:
    """What a worker needs for one supervision: the segment and its ``Features`` or ``Recording``."""

    segment: Any
    item: Any


class FeatureSource:
    """Interface: ``resolve`` a supervision once (in the main process), ``load`` its frames (anywhere).

    Subclass it to feed :class:`~lhotse_lite.dataset.SupervisionDataset` from elsewhere; see
    :class:`PrecomputedFeatures` (the module example) and :class:`OnTheFlyFeatures`.
    """

    def resolve(self, segment: Any) -> _Handle:
        """Looks up what ``segment`` needs; raises ``UnknownIdError`` when it is missing."""
        raise NotImplementedError

    def load(self, handle: _Handle, rng: Optional[random.Random] = None) -> np.ndarray:
        """The ``(frames, dim)`` float32 features of the resolved supervision."""
        raise NotImplementedError


class PrecomputedFeatures(FeatureSource):
    """Frames cut out of stored features.

    Args:
        features: A ``FeatureSet`` (eager or lazy: it is indexed by recording once) covering every
            supervision.
        leeway: Seconds of tolerance when matching a supervision to a stored matrix.

    Example:
        See the module docstring.
    """

    def __init__(self, features: Any, leeway: float = 0.05) -> None:
        self.features = features
        self.leeway = leeway

    def resolve(self, segment: Any) -> _Handle:
        """The ``Features`` item covering ``segment``.

        Raises:
            UnknownIdError: No stored matrix covers it (the message names the supervision).
        """
        try:
            item = self.features.find(
                segment.recording_id,
                channel_id=segment.channel,
                start=segment.start,
                duration=segment.duration,
                leeway=self.leeway,
            )
        except UnknownIdError as err:
            raise UnknownIdError(f"supervision {segment.id!r}: {err.args[0]}") from err
        return _Handle(segment, item)

    def load(self, handle: _Handle, rng: Optional[random.Random] = None) -> np.ndarray:
        """Frames of ``[segment.start, segment.end)``, float32 ``(frames, dim)``."""
        seg = handle.segment
        feats = handle.item.load(start=seg.start, duration=seg.duration)
        return np.asarray(feats, dtype=np.float32)


class RawAudio(FeatureSource):
    """A supervision's audio samples, with optional speed and volume perturbation drawn per item.

    Args:
        recordings: A ``RecordingSet`` (eager or lazy; iterated once to index it by id).
        speed_factors: Factors to draw from uniformly per item (e.g. ``(0.9, 1.0, 1.1)``); ``None``
            or ``(1.0,)`` turns speed perturbation off.
        volume_factors: Gains to draw from uniformly per item (e.g. ``(0.5, 1.0, 2.0)``); ``None``
            turns volume perturbation off.

    Raises:
        ConfigError: A factor that is not positive.

    Example:
        >>> from lhotse_lite.audio import Recording
        >>> from lhotse_lite.supervision import SupervisionSegment
        >>> from lhotse_lite.testing.dummies import tone_wav_bytes
        >>> rec = Recording.from_bytes(tone_wav_bytes(frequency=440), "tone")
        >>> source = RawAudio([rec], volume_factors=(2.0,))
        >>> source.load(source.resolve(SupervisionSegment("s", "tone", 0.0, 0.5))).shape
        (8000,)
    """

    def __init__(
        self,
        recordings: Any,
        speed_factors: Optional[Sequence[float]] = None,
        volume_factors: Optional[Sequence[float]] = None,
    ) -> None:
        self.speed_factors = _factors(speed_factors, "speed_factors")
        self.volume_factors = _factors(volume_factors, "volume_factors")
        self.recordings: Dict[str, Any] = {r.id: r for r in recordings}

    def resolve(self, segment: Any) -> _Handle:
        """The ``Recording`` of ``segment`` (a ``Recording`` item stands for all of itself).

        Raises:
            UnknownIdError: The recording is not in the set.
            ShapeError: The supervision covers several channels (extract single channels).
        """
        if not hasattr(segment, "recording_id"):  # a whole Recording: its first channel, start to end
            return _Handle(
                SupervisionSegment(segment.id, segment.id, 0.0, segment.duration, channel=segment.channel_ids[0]),
                segment,
            )
        recording = self.recordings.get(segment.recording_id)
        if recording is None:
            raise UnknownIdError(
                f"supervision {segment.id!r}: recording {segment.recording_id!r} is not in the recordings "
                f"({len(self.recordings)} recordings); pass the RecordingSet the supervisions were made for"
            )
        if isinstance(segment.channel, list) and len(segment.channel) != 1:
            raise ShapeError(
                f"supervision {segment.id!r} covers channels {segment.channel}; on-the-fly "
                "features need one channel per supervision"
            )
        return _Handle(segment, recording)

    def load_samples(self, handle: _Handle, rng: Optional[random.Random] = None) -> "tuple[np.ndarray, int]":
        """``(samples (num_samples,) float32, sampling_rate)`` of the supervision, perturbed if configured."""
        seg, recording = handle.segment, handle.item
        source = rng or random
        factor = source.choice(self.speed_factors) if len(self.speed_factors) > 1 else self.speed_factors[0]
        gain = source.choice(self.volume_factors) if len(self.volume_factors) > 1 else self.volume_factors[0]
        if factor != 1.0:
            recording = recording.perturb_speed(factor)
            seg = seg.perturb_speed(factor, recording.sampling_rate)
        duration = min(seg.duration, recording.duration - seg.start)
        audio = recording.load_audio(channels=seg.channel, offset=seg.start, duration=duration)
        samples = np.asarray(audio[0], dtype=np.float32)
        if gain != 1.0:
            samples = samples * np.float32(gain)
        return samples, recording.sampling_rate

    def load(self, handle: _Handle, rng: Optional[random.Random] = None) -> np.ndarray:
        """The supervision's samples, ``(num_samples,)`` float32."""
        return self.load_samples(handle, rng)[0]


def _factors(values: Optional[Sequence[float]], name: str) -> tuple:
    factors = tuple(float(f) for f in (values or (1.0,)))
    if not all(f > 0 for f in factors):
        raise ConfigError(f"{name} must be positive, got {list(factors)}; e.g. (0.9, 1.0, 1.1)")
    return factors


class OnTheFlyFeatures(RawAudio):
    """Features computed from the audio when an item is loaded, with optional speed/volume perturbation.

    Args:
        recordings: A ``RecordingSet`` (eager or lazy; iterated once to index it).
        extractor: A ``FeatureExtractor`` (e.g. ``Mfcc(MfccConfig(num_filters=64, num_ceps=64))``).
        speed_factors: Factors to draw from uniformly per item (e.g. ``(0.9, 1.0, 1.1)``); ``None``
            or ``(1.0,)`` turns perturbation off.
        volume_factors: Gains to draw from uniformly per item; ``None`` turns it off.
        device: ``None`` (default): each item is extracted on its own, as the extractor is
            configured (e.g. in ``DataLoader`` workers). A device (``"cpu"``, ``"cuda"``,
            ``"cuda:1"``): the datasets extract each batch at once on that device with
            :meth:`extract_batch` and return the batch's tensors there.

    Raises:
        ConfigError: A factor that is not positive, or a non-CPU ``device`` for an extractor
            without ``.to(device)``.

    Example:
        >>> import numpy as np
        >>> from lhotse_lite.audio import Recording
        >>> from lhotse_lite.features.kaldi.extractors import Fbank, FbankConfig
        >>> from lhotse_lite.supervision import SupervisionSegment
        >>> from lhotse_lite.testing.dummies import tone_wav_bytes
        >>> rec = Recording.from_bytes(tone_wav_bytes(frequency=440), "tone")
        >>> source = OnTheFlyFeatures([rec], Fbank(FbankConfig(num_filters=10)), speed_factors=(0.5,))
        >>> source.load(source.resolve(SupervisionSegment("s", "tone", 0.0, 0.5))).shape  # 2x slower
        (100, 10)
    """

    def __init__(
        self,
        recordings: Any,
        extractor: Any,
        speed_factors: Optional[Sequence[float]] = None,
        volume_factors: Optional[Sequence[float]] = None,
        device: Optional[str] = None,
    ) -> None:
        super().__init__(recordings, speed_factors, volume_factors)
        self.extractor = extractor
        self.device = None if device is None else str(device)
        self._batch_extractor: Any = None
        if self.device is not None and self.device != "cpu" and not hasattr(extractor, "to"):
            raise ConfigError(
                f"device={self.device!r} needs an extractor with .to(device) (the Kaldi extractors "
                f"have it), got {type(extractor).__name__}; leave device=None to extract per item"
            )

    @property
    def batched(self) -> bool:
        """Whether batches are extracted at once (``device`` given) instead of item by item."""
        return self.device is not None

    def __getstate__(self) -> Dict[str, Any]:
        state = dict(self.__dict__)
        state["_batch_extractor"] = None  # rebuilt where it is used (a worker, the main process)
        return state

    def load(self, handle: _Handle, rng: Optional[random.Random] = None) -> np.ndarray:
        """Extracts the features of the supervision's audio (perturbed if configured).

        Args:
            handle: From :meth:`resolve`.
            rng: Source of the perturbation choices (default: the ``random`` module, which PyTorch
                seeds differently in every worker).
        """
        samples, sampling_rate = self.load_samples(handle, rng)
        return np.asarray(self.extractor.extract(samples, sampling_rate), dtype=np.float32)

    def extract_batch(self, signals: Sequence[np.ndarray], sampling_rate: int) -> List[np.ndarray]:
        """Features of a batch's signals in one ``extract_batch`` call on :attr:`device`.

        The extractor is copied and moved to ``device`` once (the one passed in is left as it is);
        the Kaldi extractors pad the signals into one ``(batch, samples)`` tensor, run their layers
        once, and cut each item's frames, equal to extracting the items one by one within float
        rounding.

        Args:
            signals: ``(num_samples_i,)`` float32 signals (already perturbed).
            sampling_rate: Their sampling rate (Hz).

        Returns:
            ``(frames_i, dim)`` float32 arrays, in the order of ``signals``.
        """
        if self._batch_extractor is None:
            extractor = self.extractor
            if hasattr(extractor, "to") and str(getattr(extractor, "device", "cpu")) != self.device:
                extractor = copy.copy(extractor).to(self.device)
            self._batch_extractor = extractor
        feats = self._batch_extractor.extract_batch(list(signals), sampling_rate)
        if not isinstance(feats, list):  # stacked: every item gave the same number of frames
            feats = list(feats)
        return [np.asarray(f, dtype=np.float32) for f in feats]
