"""The feature extractor interface and its registry (``store_feature_array`` is re-exported from
:mod:`~lhotse_lite.features.manifest`).

A :class:`FeatureExtractor` is built from a config dataclass; its ``name`` is written into every
``Features`` manifest and into its YAML config (``feature_type``), so a file alone is enough to rebuild
the extractor (:meth:`FeatureExtractor.from_yaml`). The API is Lhotse's.

Example:
    >>> import numpy as np
    >>> from lhotse_lite.features.extractor import get_extractor_type
    >>> fbank = get_extractor_type("kaldi-fbank")()
    >>> fbank.extract(np.zeros(16000, dtype=np.float32), 16000).shape
    (100, 80)
    >>> get_extractor_type("kaldi-fbnk")  # doctest: +NORMALIZE_WHITESPACE, +ELLIPSIS
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.UnknownNameError: unknown feature extractor 'kaldi-fbnk'; did you mean 'kaldi-fbank'?
    Available: ...kaldi-fbank, kaldi-log-spectrogram, kaldi-mfcc, kaldi-spectrogram
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Callable, ClassVar, Dict, Generic, List, Optional, Sequence, Type, TypeVar, Union, cast

import numpy as np
import yaml

from lhotse_lite.checks import check_sampling_rate
from lhotse_lite.errors import ConfigError
from lhotse_lite.features.batching import collate_results, is_single_signal, split_batch
from lhotse_lite.features.config import ExtractorConfig
from lhotse_lite.features.io import FeaturesWriter
from lhotse_lite.features.manifest import Features, store_feature_array
from lhotse_lite.registry import Registry

__all__ = [
    "FeatureExtractor",
    "register_extractor",
    "get_extractor_type",
    "create_default_feature_extractor",
    "check_extractor_sampling_rate",
    "store_feature_array",
    "EXTRACTORS",
    "AugmentFn",
]

#: The feature extractors by name; the built-in Kaldi ones are imported (with torch) on first lookup.
EXTRACTORS: Registry = Registry(
    "feature extractor",
    {
        name: f"lhotse_lite.features.kaldi.extractors:{attr}"
        for name, attr in (
            ("kaldi-fbank", "Fbank"),
            ("kaldi-mfcc", "Mfcc"),
            ("kaldi-spectrogram", "Spectrogram"),
            ("kaldi-log-spectrogram", "LogSpectrogram"),
        )
    },
)

AugmentFn = Callable[[np.ndarray, int], np.ndarray]
"""``augment_fn(samples (channels, samples) float32, sampling_rate) -> samples``."""

ConfigT = TypeVar("ConfigT", bound=ExtractorConfig)
E = TypeVar("E", bound="type[FeatureExtractor[Any]]")
Channels = Optional[Union[int, List[int]]]


class FeatureExtractor(ABC, Generic[ConfigT]):
    """Computes a feature matrix ``(num_frames, feature_dim)`` from audio samples; generic in its config type.

    Subclasses set the class attributes ``name`` (registry name) and ``config_type`` (a dataclass),
    and implement :meth:`extract`, :attr:`frame_shift` and :meth:`feature_dim`.

    Args:
        config: An instance of ``config_type``; ``None`` uses its defaults.

    Raises:
        ConfigError: ``config`` is not an instance of ``config_type``.

    Example:
        A config file alone is enough to rebuild an extractor (``feature_type`` names it):

        >>> import tempfile
        >>> from pathlib import Path
        >>> from lhotse_lite.features.kaldi.extractors import Mfcc, MfccConfig
        >>> path = Path(tempfile.mkdtemp()) / "feats.yaml"
        >>> Mfcc(MfccConfig(num_ceps=20)).to_yaml(path)
        >>> extractor = FeatureExtractor.from_yaml(path)
        >>> type(extractor).__name__, extractor.feature_dim(16000), extractor.frame_shift
        ('Mfcc', 20, 0.01)
    """

    name: ClassVar[str] = ""
    config_type: ClassVar[Optional[Type[ExtractorConfig]]] = None

    def __init__(self, config: Optional[ConfigT] = None) -> None:
        if self.config_type is None:
            raise ConfigError(f"{type(self).__name__} must set the class attribute config_type (its config dataclass)")
        checked = self.config_type() if config is None else config
        if not isinstance(checked, self.config_type):
            raise ConfigError(
                f"{type(self).__name__} expects a {self.config_type.__name__}, got {type(checked).__name__}"
            )
        # config_type is the class of ConfigT (a ClassVar cannot name the type variable)
        self.config: ConfigT = cast(ConfigT, checked)

    # ---- what subclasses define --------------------------------------------------------------

    @abstractmethod
    def extract(self, samples: Any, sampling_rate: int) -> Any:
        """Features of one signal.

        Args:
            samples: Audio ``(samples,)`` or ``(1, samples)``, float in [-1, 1] (numpy or torch).
            sampling_rate: Hz.

        Returns:
            ``(num_frames, feature_dim)``, numpy for numpy input, torch for torch input.
        """

    @property
    @abstractmethod
    def frame_shift(self) -> float:
        """Seconds between consecutive frames."""

    @abstractmethod
    def feature_dim(self, sampling_rate: int) -> int:
        """Number of feature bins for audio at ``sampling_rate``."""

    @property
    def device(self) -> Any:
        """Where the computation runs (``"cpu"`` unless the extractor supports others)."""
        return "cpu"

    @staticmethod
    def mix(features_a: np.ndarray, features_b: np.ndarray, energy_scaling_factor_b: float) -> np.ndarray:
        """Mixes two feature matrices as if their signals had been added (``b`` scaled in energy).

        Raises:
            ConfigError: This feature type cannot be mixed in the feature domain.
        """
        raise ConfigError("this feature type does not support feature-domain mixing; mix the audio instead")

    @staticmethod
    def compute_energy(features: np.ndarray) -> float:
        """Total (positive) energy of a feature matrix, for SNR computations when mixing.

        Raises:
            ConfigError: This feature type does not define it.
        """
        raise ConfigError("this feature type does not define compute_energy; mix the audio instead")

    @staticmethod
    def scale(features: np.ndarray, energy_scaling_factor: float) -> np.ndarray:
        """Features of the signal with its energy multiplied by ``energy_scaling_factor``.

        Raises:
            ConfigError: This feature type cannot be scaled in the feature domain.
        """
        raise ConfigError("this feature type does not support feature-domain scaling; scale the audio instead")

    # ---- batches -----------------------------------------------------------------------------

    def extract_batch(self, samples: Any, sampling_rate: int, lengths: Optional[Sequence[int]] = None) -> Any:
        """Features of several signals.

        This default calls :meth:`extract` once per signal; the Kaldi extractors override it with a
        truly batched version (one padded batch through the layers).

        Args:
            samples: A list of 1-D signals, a ``(batch, samples)`` array/tensor, or (with
                ``lengths``) a padded ``(batch, samples)`` tensor.
            sampling_rate: Hz.
            lengths: Valid samples of each row of a padded batch.

        Returns:
            A stacked ``(batch, frames, dim)`` array/tensor when all results have the same length,
            otherwise a list (a single 1-D input gives a single matrix).
        """
        items, is_list, is_torch = split_batch(samples, lengths)
        results = [self.extract(item, sampling_rate) for item in items]
        return collate_results(results, is_list, is_torch, single=is_single_signal(samples))

    # ---- extraction + storage ----------------------------------------------------------------

    def extract_from_samples_and_store(
        self,
        samples: np.ndarray,
        storage: FeaturesWriter,
        sampling_rate: int,
        offset: float = 0,
        channel: Channels = None,
        augment_fn: Optional[AugmentFn] = None,
    ) -> Features:
        """Augments (optionally), extracts and stores features of ``samples``.

        Args:
            samples: Audio ``(channels, samples)``.
            storage: Where to store the matrix.
            sampling_rate: Hz.
            offset: Start of ``samples`` in their recording (seconds), recorded as ``start``.
            channel: Channel(s) to record in the manifest.
            augment_fn: ``fn(samples, sampling_rate) -> samples`` applied before extraction.

        Returns:
            The manifest (without ``recording_id``).
        """
        samples = np.atleast_2d(samples)
        if augment_fn is not None:
            samples = augment_fn(samples, sampling_rate)
        feats = np.asarray(self.extract(samples, sampling_rate))
        return Features.from_array(
            feats,
            storage,
            frame_shift=self.frame_shift,
            sampling_rate=sampling_rate,
            type=self.name,
            start=offset,
            duration=round(samples.shape[1] / sampling_rate, 8),
            channels=channel,
        )

    def extract_from_recording_and_store(
        self,
        recording: Any,
        storage: FeaturesWriter,
        offset: float = 0,
        duration: Optional[float] = None,
        channels: Channels = None,
        augment_fn: Optional[AugmentFn] = None,
    ) -> Features:
        """Loads (a span of) a recording, augments it (optionally), extracts and stores features.

        Args:
            recording: A ``Recording``.
            storage: Where to store the matrix.
            offset: Start of the span (seconds).
            duration: Length of the span; ``None`` means to the end.
            channels: Channel(s) to load; ``None`` means all (the features then describe channel 0
                of the loaded audio, as in Lhotse).
            augment_fn: ``fn(samples, sampling_rate) -> samples`` applied before extraction.

        Returns:
            The manifest, with ``recording_id`` and ``channels`` set.
        """
        samples = recording.load_audio(channels=channels, offset=offset, duration=duration)
        manifest = self.extract_from_samples_and_store(
            samples, storage, recording.sampling_rate, offset=offset, augment_fn=augment_fn
        )
        span = duration if duration is not None else recording.duration - offset
        return dataclasses.replace(
            manifest,
            recording_id=recording.id,
            channels=channels if channels is not None else recording.channel_ids,
            duration=round(span, 8),
        )

    # ---- serialisation -----------------------------------------------------------------------

    def to_dict(self) -> Dict[str, Any]:
        """The config as a dict plus ``feature_type`` (the registry name)."""
        data = self.config.to_dict()
        data["feature_type"] = self.name
        return data

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "FeatureExtractor":
        """Rebuilds an extractor from :meth:`to_dict` output (or a Lhotse config dict).

        Raises:
            ConfigError: ``feature_type`` is missing, or a field is unknown.
            UnknownNameError: ``feature_type`` is not registered.
        """
        data = dict(data)
        if "feature_type" not in data:
            raise ConfigError(f"a feature extractor config needs a 'feature_type' field; got keys {sorted(data)}")
        extractor_type = get_extractor_type(data.pop("feature_type"))
        if extractor_type.config_type is None:  # refused by the constructor, which names the fix
            return extractor_type()
        return extractor_type(extractor_type.config_type.from_dict(data))

    def to_yaml(self, path: Union[str, Path]) -> None:
        """Writes the config as YAML (the device is written by type only, e.g. ``cuda``)."""
        data = self.to_dict()
        if "device" in data:
            data["device"] = str(data["device"]).split(":")[0]
        with open(path, "w") as file:
            yaml.safe_dump(data, file)

    @classmethod
    def from_yaml(cls, path: Union[str, Path]) -> "FeatureExtractor":
        """Reads a config written by :meth:`to_yaml` or by Lhotse.

        Raises:
            ConfigError: The file is not YAML (``file:line:column`` and the problem; tags such as
                ``!!python/object`` are never constructed), not a mapping, or a field is unknown or
                has an invalid value or type (the message names the file and the field).
        """
        try:
            with open(path, encoding="utf-8") as file:
                data = yaml.safe_load(file)
        except yaml.YAMLError as err:
            raise ConfigError(_yaml_message(path, err)) from err
        except UnicodeDecodeError as err:
            raise ConfigError(f"{path}: not a text (UTF-8) file, so not a YAML config ({err})") from err
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of config fields, got {type(data).__name__}")
        try:
            return cls.from_dict(data)
        except ConfigError as err:
            raise ConfigError(f"{path}: {err}") from err


def _yaml_message(path: Union[str, Path], err: "yaml.YAMLError") -> str:
    mark = getattr(err, "problem_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    text = f"{where}: invalid YAML: {problem}" + (f" ({context})" if context else "")
    if "constructor for the tag" in problem:
        text += "; configs are read with yaml.safe_load, which builds only plain values (no Python objects)"
    return text


def register_extractor(cls: E) -> E:
    """Class decorator registering a :class:`FeatureExtractor` under its ``name``.

    Raises:
        DuplicateRegistrationError: The name is taken.

    Example:
        A toy extractor (one log-energy value per 10 ms frame), then rebuilt from its name:

        >>> from dataclasses import dataclass
        >>> from lhotse_lite.features.config import ExtractorConfig
        >>> @dataclass(frozen=True)
        ... class FrameEnergyConfig(ExtractorConfig):
        ...     frame_shift: float = 0.01
        >>> @register_extractor
        ... class FrameEnergy(FeatureExtractor):
        ...     name = "example-frame-energy"
        ...     config_type = FrameEnergyConfig
        ...     frame_shift = property(lambda self: self.config.frame_shift)
        ...     def feature_dim(self, sampling_rate):
        ...         return 1
        ...     def extract(self, samples, sampling_rate):
        ...         hop = round(self.config.frame_shift * sampling_rate)
        ...         frames = np.reshape(samples[: len(samples) // hop * hop], (-1, hop))
        ...         return np.log(np.sum(frames**2, axis=1, keepdims=True) + 1e-10)
        >>> rebuilt = FeatureExtractor.from_dict({"feature_type": "example-frame-energy", "frame_shift": 0.02})
        >>> rebuilt.extract(np.ones(16000, dtype=np.float32), 16000).shape
        (50, 1)
    """
    EXTRACTORS.register(cls.name, cls)
    return cls


def get_extractor_type(name: str) -> Type[FeatureExtractor]:
    """The extractor class registered as ``name`` (e.g. ``"kaldi-fbank"``).

    Raises:
        UnknownNameError: ``name`` is not registered; the message lists the available ones.

    Example:
        >>> fbank_type = get_extractor_type("kaldi-fbank")
        >>> fbank_type.__name__, fbank_type.config_type.__name__
        ('Fbank', 'FbankConfig')
    """
    return EXTRACTORS.get(name)


def create_default_feature_extractor(name: str) -> FeatureExtractor:
    """An extractor of type ``name`` with its default config.

    Example:
        >>> create_default_feature_extractor("kaldi-mfcc").feature_dim(16000)
        13
    """
    return get_extractor_type(name)()


def check_extractor_sampling_rate(
    extractor: FeatureExtractor, sampling_rate: int, recording_id: Optional[str] = None
) -> None:
    """Refuses audio whose sampling rate differs from the one ``extractor``'s config names (if it names one).

    Args:
        extractor: The extractor; an extractor whose config has no ``sampling_rate`` accepts any rate.
        sampling_rate: The rate of the audio to extract from, in Hz.
        recording_id: The recording the audio comes from, named in the message when given.

    Raises:
        ConfigError: the rates differ (the message names the recording, both rates and the fix).

    Example:
        >>> from lhotse_lite.features.kaldi.extractors import Fbank
        >>> check_extractor_sampling_rate(Fbank(), 8000, recording_id="r1")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: recording 'r1' has sampling rate 8000 Hz but the kaldi-fbank extractor ...
    """
    expected = getattr(extractor.config, "sampling_rate", None)
    if expected is None:
        return
    if recording_id is not None:
        where = f"recording {recording_id!r}"
    else:
        where = f"the audio given to {type(extractor).__name__}"
    check_sampling_rate(
        where,
        sampling_rate,
        expected,
        expected_by=f"the {extractor.name} extractor",
        fix=f"resample the recordings (RecordingSet.resample({expected})) or configure the extractor with "
        f"sampling_rate={sampling_rate}",
    )
