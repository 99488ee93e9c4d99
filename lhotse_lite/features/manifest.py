"""Feature manifests: :class:`Features` (one stored matrix) and :class:`FeatureSet`.

A ``Features`` item describes a feature matrix computed for a time range of one recording and channel,
and where it is stored (``storage_type`` names the reader, ``storage_path``/``storage_key`` locate the
data). The fields and their JSON form are Lhotse's, so feature manifests move between the two
libraries unchanged. This module never imports torch.

Example:
    >>> import numpy as np
    >>> from lhotse_lite.features.io import MemoryNpyWriter
    >>> feats = Features.from_array(np.zeros((300, 80), dtype=np.float32), MemoryNpyWriter(),
    ...                             frame_shift=0.01, sampling_rate=16000, recording_id="rec1",
    ...                             channels=0)
    >>> feats.end, feats.load(start=1.0, duration=0.5).shape
    (3.0, (50, 80))
    >>> FeatureSet([feats]).find("rec1", start=1.0).recording_id
    'rec1'
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Hashable, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np

from lhotse_lite.errors import ManifestError, ManifestFieldError, ShapeError, UnknownIdError
from lhotse_lite.features.io import FeaturesWriter, get_reader, get_writer, is_in_memory
from lhotse_lite.features.stats import compute_global_stats
from lhotse_lite.features.storage.base import read_into
from lhotse_lite.manifest import ManifestSet
from lhotse_lite.manifest.fields import check_dict_fields
from lhotse_lite.manifest.items import fastcopy, field_names
from lhotse_lite.units import compute_num_frames, round_seconds

__all__ = ["Features", "FeatureSet", "store_feature_array"]

_INF = float("inf")
_NEG_INF = -_INF

logger = logging.getLogger(__name__)

Channels = Optional[Union[int, List[int]]]


@dataclass(slots=True, order=True)
class Features:
    """A stored feature matrix for ``[start, start + duration)`` of a recording (or a cut).

    Args:
        type: Extractor name (``"kaldi-fbank"``, ...).
        num_frames: Frames in the stored matrix.
        num_features: Feature bins per frame.
        frame_shift: Seconds between frames.
        sampling_rate: Sampling rate of the audio the features were computed from (Hz).
        start: Start of the covered range in the recording (seconds).
        duration: Length of the covered range (seconds).
        storage_type: Name of the storage backend (see :mod:`lhotse_lite.features.io`).
        storage_path: Folder or archive of the backend (``None`` for in-memory storage).
        storage_key: Where the matrix is within the storage (``bytes`` for in-memory storage).
        recording_id: The source recording (``None`` for features of a mixed cut).
        channels: The channel (or list of channels) the features were computed from.

    Fields can be assigned and items compare (and sort) by their fields, as in Lhotse; an attribute that is
    not a field cannot be set (see :mod:`lhotse_lite.manifest.items`).

    Example:
        >>> import numpy as np
        >>> from lhotse_lite.features.io import MemoryNpyWriter
        >>> feats = Features.from_array(np.ones((200, 40), dtype=np.float32), MemoryNpyWriter(),
        ...                             type="kaldi-fbank", frame_shift=0.01, sampling_rate=16000,
        ...                             recording_id="rec1", channels=0)
        >>> feats.duration, feats.load(start=0.5, duration=0.25).shape
        (2.0, (25, 40))
        >>> Features.from_dict(feats.to_dict()) == feats
        True
    """

    type: str
    num_frames: int
    num_features: int
    frame_shift: float
    sampling_rate: int
    start: float
    duration: float
    storage_type: str
    storage_path: Optional[str]
    storage_key: Union[str, bytes]
    recording_id: Optional[str] = None
    channels: Channels = None

    def __post_init__(self) -> None:
        # One chained comparison per time field accepts the common case; NaN fails every comparison.
        try:
            if _NEG_INF < self.start < _INF and _NEG_INF < self.duration < _INF and _NEG_INF < self.frame_shift < _INF:
                return
        except TypeError:
            pass
        for name in ("start", "duration", "frame_shift"):
            value = getattr(self, name)
            if value.__class__ is bool or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ManifestFieldError(
                    f"features of recording {self.recording_id!r} (storage key {self.storage_key!r:.80}): field "
                    f"{name!r} must be a finite number of seconds, got {value!r}; NaN and infinity are not times"
                )

    @property
    def end(self) -> float:
        """``start + duration`` in seconds."""
        return self.start + self.duration

    @property
    def is_in_memory(self) -> bool:
        """Whether the data is held in the manifest itself (``memory_*`` storage)."""
        return is_in_memory(self.storage_type)

    @classmethod
    def from_array(
        cls,
        feats: np.ndarray,
        storage: FeaturesWriter,
        *,
        frame_shift: float,
        sampling_rate: int,
        type: str = "custom",
        start: float = 0.0,
        duration: Optional[float] = None,
        recording_id: Optional[str] = None,
        channels: Channels = None,
    ) -> "Features":
        """Stores ``feats`` with ``storage`` and describes them.

        Args:
            feats: Matrix ``(num_frames, num_features)``.
            storage: The writer.
            frame_shift: Seconds between frames.
            sampling_rate: Sampling rate of the source audio (Hz).
            type: Extractor name to record.
            start: Start time in the recording (seconds).
            duration: Covered duration; default ``num_frames * frame_shift``.
            recording_id: Source recording.
            channels: Source channel(s).

        Raises:
            ShapeError: ``feats`` is not a numpy array.
        """
        key = store_feature_array(feats, storage)
        return cls.from_stored(
            key,
            feats.shape,
            storage_type=storage.name,
            storage_path=storage.storage_path,
            frame_shift=frame_shift,
            sampling_rate=sampling_rate,
            type=type,
            start=start,
            duration=duration,
            recording_id=recording_id,
            channels=channels,
        )

    @classmethod
    def from_stored(
        cls,
        storage_key: Union[str, bytes],
        shape: Sequence[int],
        *,
        storage_type: str,
        storage_path: Optional[Union[str, "os.PathLike[str]"]],
        frame_shift: float,
        sampling_rate: int,
        type: str = "custom",
        start: float = 0.0,
        duration: Optional[float] = None,
        recording_id: Optional[str] = None,
        channels: Channels = None,
    ) -> "Features":
        """Describes a matrix already stored under ``storage_key`` (the one factory of ``Features`` items).

        Every part of the package that stores features builds their manifest here (:meth:`from_array`,
        :meth:`FeatureExtractor.extract_from_samples_and_store
        <lhotse_lite.features.extractor.FeatureExtractor.extract_from_samples_and_store>`, the
        :class:`~lhotse_lite.features.builder.FeatureSetBuilder`, the Kaldi data directory import), so the
        frame count, feature count, duration and storage fields are derived one way.

        Args:
            storage_key: Where the matrix is within the storage (``bytes`` for in-memory storage).
            shape: The stored matrix's shape, ``(num_frames, num_features)`` (``(num_frames,)``: one feature).
            storage_type: Name of the storage backend (a writer's ``name``).
            storage_path: Folder or archive of the backend (``None`` for in-memory storage); kept as ``str``.
            frame_shift: Seconds between frames.
            sampling_rate: Sampling rate of the source audio (Hz).
            type: Extractor name to record.
            start: Start time in the recording (seconds).
            duration: Covered duration in seconds; default ``num_frames * frame_shift`` rounded to 8 decimals
                (:func:`~lhotse_lite.units.round_seconds`).
            recording_id: Source recording.
            channels: Source channel(s).

        Returns:
            The manifest item.

        Raises:
            ManifestFieldError: a time field is not a finite number.

        Example:
            >>> feats = Features.from_stored("k.npy", (300, 80), storage_type="numpy_files",
            ...                              storage_path="feats", frame_shift=0.01, sampling_rate=16000)
            >>> feats.num_frames, feats.num_features, feats.duration
            (300, 80, 3.0)
        """
        num_frames = int(shape[0])
        return cls(
            type=type,
            num_frames=num_frames,
            num_features=int(shape[1]) if len(shape) > 1 else 1,
            frame_shift=frame_shift,
            sampling_rate=sampling_rate,
            start=start,
            duration=duration if duration is not None else round_seconds(num_frames * frame_shift),
            storage_type=storage_type,
            storage_path=None if storage_path is None else os.fspath(storage_path),
            storage_key=storage_key,
            recording_id=recording_id,
            channels=channels,
        )

    def load(
        self,
        start: Optional[float] = None,
        duration: Optional[float] = None,
        channel_id: Channels = 0,
        out: Optional[np.ndarray] = None,
    ) -> np.ndarray:
        """Loads the matrix, or only the frames of ``[start, start + duration)``.

        Backends that can (``lilcom_chunky``, ``numpy_files``) read only the needed part.

        Args:
            start: Start time in the recording (seconds); default ``self.start``.
            duration: Seconds to load; default up to the end.
            channel_id: Accepted for Lhotse compatibility (a ``Features`` item holds one channel set).
            out: Optional destination, a writable floating-point array of shape
                ``(num_frames_in(start, duration), num_features)`` (e.g. an item's rows of a padded
                batch): the frames are written into it (the ``lilcom`` back ends decode straight into a
                C-contiguous float32 ``out``) and it is returned. (Default: ``None``: a new array)

        Returns:
            Float array ``(frames, num_features)``; ``out`` when it is given.

        Raises:
            ManifestError: ``start`` is before the stored range.
            ShapeError: ``out`` has another shape than the frames read, or is not a writable
                floating-point array.
            StorageError: The data cannot be read.

        Example:
            >>> from lhotse_lite.features.io import MemoryNpyWriter
            >>> item = Features.from_array(np.arange(20.0).reshape(10, 2), MemoryNpyWriter(), frame_shift=0.01,
            ...                            sampling_rate=16000, recording_id="r", channels=0)
            >>> batch = np.zeros((2, 4, 2), dtype=np.float32)
            >>> rows = item.load(start=0.02, duration=0.03, out=batch[1, : item.num_frames_in(0.02, 0.03)])
            >>> batch[1].tolist()
            [[4.0, 5.0], [6.0, 7.0], [8.0, 9.0], [0.0, 0.0]]
        """
        left, right = self._frame_offsets(start, duration)
        reader = get_reader(self.storage_type)(self.storage_path)
        if out is None:
            return reader.read(self.storage_key, left_offset_frames=left, right_offset_frames=right)
        return read_into(reader, self.storage_key, out, left, right)

    def num_frames_in(self, start: Optional[float] = None, duration: Optional[float] = None) -> int:
        """How many frames :meth:`load` returns for ``start`` and ``duration``, from the manifest alone.

        Args:
            start: Start time in the recording (seconds); default ``self.start``.
            duration: Seconds; default up to the end.

        Returns:
            The frame count (``num_frames`` bounds it; the data is not read).

        Raises:
            ManifestError: ``start`` is before the stored range.

        Example:
            >>> item = Features("fbank", 10, 2, 0.01, 16000, 0.0, 0.1, "memory_npy", None, b"")
            >>> item.num_frames_in(), item.num_frames_in(0.02, 0.03), item.num_frames_in(0.05, 1.0)
            (10, 3, 5)
        """
        left, right = self._frame_offsets(start, duration)
        return len(range(self.num_frames)[left:right])

    def _frame_offsets(self, start: Optional[float], duration: Optional[float]) -> "tuple[int, Optional[int]]":
        """``(left, right)`` frame offsets of ``[start, start + duration)`` in the stored matrix."""
        if start is None:
            start = self.start
        if start < self.start - 1e-3:
            raise ManifestError(
                f"cannot load features of recording {self.recording_id!r} from {start}s: the stored "
                f"range is [{self.start}, {self.end}) seconds"
            )
        left = 0
        if not math.isclose(start, self.start):
            left = compute_num_frames(start - self.start, self.frame_shift, self.sampling_rate)
        right = None
        if duration is not None:
            right = left + compute_num_frames(duration, self.frame_shift, self.sampling_rate)
        return left, right

    def move_to_memory(
        self, start: Optional[float] = None, duration: Optional[float] = None, lilcom: bool = False
    ) -> "Features":
        """A copy whose data lives in the manifest (``memory_lilcom`` or lossless ``memory_npy``).

        Args:
            start: Start of the part to keep (seconds); default ``self.start``.
            duration: Seconds to keep; default up to the end.
            lilcom: Compress with lilcom (smaller, lossy) instead of storing ``.npy`` bytes.

        Returns:
            The new manifest; when a part is moved, its ``start`` is 0 (relative to that part), as
            in Lhotse.
        """
        whole = (start is None or math.isclose(start, self.start)) and duration is None
        if self.is_in_memory and whole:
            return self
        arr = self.load(start=start, duration=duration)
        use_lilcom = lilcom and np.issubdtype(arr.dtype, np.floating)
        writer = get_writer("memory_lilcom" if use_lilcom else "memory_npy")()
        return dataclasses.replace(
            self,
            start=0.0 if not whole else self.start,
            duration=duration if duration is not None else self.end - (self.start if start is None else start),
            num_frames=int(arr.shape[0]),
            storage_type=writer.name,
            storage_path=None,
            storage_key=writer.write("", arr),
        )

    def copy_with(self, **changes: Any) -> "Features":
        """A copy with some fields changed (Lhotse 2.0's ``copy_with``; see
        :func:`~lhotse_lite.manifest.items.fastcopy`).

        Example:
            >>> Features("custom", 10, 2, 0.01, 16000, 0.0, 0.1, "memory_npy", None, b"").copy_with(start=0.5).start
            0.5
        """
        return fastcopy(self, **changes)

    def with_path_prefix(self, path: Union[str, Path]) -> "Features":
        """A copy with ``path`` prepended to ``storage_path`` (in-memory features are unchanged)."""
        if self.storage_path is None or self.is_in_memory:
            return self
        return dataclasses.replace(self, storage_path=str(Path(path) / self.storage_path))

    def copy_feats(self, writer: FeaturesWriter) -> "Features":
        """Reads the matrix and stores it again with ``writer``; returns the updated manifest."""
        key = store_feature_array(self.load(), writer)
        return dataclasses.replace(self, storage_type=writer.name, storage_path=writer.storage_path, storage_key=key)

    def to_dict(self) -> Dict[str, Any]:
        """The fields as a dict, ``None`` values dropped (Lhotse's JSON layout)."""
        return {name: getattr(self, name) for name in field_names(type(self)) if getattr(self, name) is not None}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Features":
        """The inverse of :meth:`to_dict` (accepts Lhotse's dicts, including old ones without
        ``frame_shift`` or ``storage_path``).

        Raises:
            ManifestFieldError: A required field is missing or an unknown field is present.
        """
        if not isinstance(data, dict):
            raise ManifestFieldError(f"Features: expected a dict, got {type(data).__name__}")
        data = dict(data)
        if "frame_shift" not in data and "duration" in data and data.get("num_frames"):
            logger.warning("a feature manifest has no frame_shift; inferring it from duration/num_frames")
            data["frame_shift"] = round(data["duration"] / data["num_frames"], 3)
        data.setdefault("storage_path", None)
        fields = dataclasses.fields(cls)
        required = [f.name for f in fields if f.default is dataclasses.MISSING]
        optional = [f.name for f in fields if f.default is not dataclasses.MISSING]
        check_dict_fields(data, required, optional, f"features of recording {data.get('recording_id', '?')!r}")
        return cls(**data)


def store_feature_array(feats: np.ndarray, storage: FeaturesWriter) -> Union[str, bytes]:
    """Stores ``feats`` under a fresh uuid4 key and returns the ``storage_key``.

    Raises:
        ShapeError: ``feats`` is not an array.

    Example:
        >>> from lhotse_lite.features.io import get_reader, get_writer
        >>> writer = get_writer("memory_npy")()
        >>> key = store_feature_array(np.eye(3, dtype=np.float32), writer)
        >>> get_reader("memory_npy")(None).read(key).tolist()[1]
        [0.0, 1.0, 0.0]
    """
    if not isinstance(feats, np.ndarray):
        raise ShapeError(f"store_feature_array expects a numpy array, got {type(feats).__name__}")
    return storage.write(str(uuid.uuid4()), feats)


class FeatureSet(ManifestSet[Features]):
    """A set of :class:`Features`, keyed by recording id, channels, start and duration.

    Example:
        >>> import numpy as np
        >>> from lhotse_lite.features.io import MemoryNpyWriter
        >>> def stored(start):  # 1 s of features whose value is the start time
        ...     return Features.from_array(np.full((100, 2), start, dtype=np.float32), MemoryNpyWriter(),
        ...                                frame_shift=0.01, sampling_rate=16000, start=start,
        ...                                recording_id="rec1", channels=0)
        >>> feature_set = FeatureSet.from_features([stored(0.0), stored(1.0)])
        >>> feature_set.find("rec1", start=1.2, duration=0.5).start
        1.0
        >>> feature_set.load("rec1", start=1.2, duration=0.5)[:, 0].tolist() == [1.0] * 50
        True
    """

    element_type = Features

    def __init__(self, features: Optional[Iterable[Features]] = None) -> None:
        super().__init__(features)

    @property
    def features(self) -> Union[Mapping[Hashable, Features], Iterable[Features]]:
        """Lhotse's name for :attr:`data`."""
        return self.data

    @classmethod
    def _key(cls, item: Features) -> Hashable:
        channels = tuple(item.channels) if isinstance(item.channels, list) else item.channels
        if item.recording_id is None:  # features of a cut: only the storage identifies them
            return (None, channels, item.storage_path, item.storage_key)
        return (item.recording_id, channels, item.start, item.duration)

    def _post_init(self) -> None:
        self._by_recording: Optional[Dict[str, List[Features]]] = None

    @classmethod
    def from_features(cls, features: Any) -> "FeatureSet":
        """An eager set of ``features`` (Lhotse's constructor name)."""
        return cls(features)

    def find(
        self,
        recording_id: str,
        channel_id: Channels = 0,
        start: float = 0.0,
        duration: Optional[float] = None,
        leeway: float = 0.05,
    ) -> Features:
        """The item that best covers ``[start, start + duration)`` of a recording and channel.

        Args:
            recording_id: The recording.
            channel_id: The channel (or list of channels) the features must have been computed from.
            start: Requested start (seconds).
            duration: Requested duration; ``None`` means "from ``start`` on".
            leeway: Tolerance in seconds on both ends (feature durations are multiples of the frame
                shift, so they rarely match a segment exactly).

        Returns:
            Among the items covering the range, the one whose start (and end) are closest.

        The items are grouped by recording on first use; the group is checked on every call, and the
        grouping rebuilt when an item of it was moved to another recording (``feats.recording_id = ...``)
        or when no item covers the range (an item may have been moved into this recording).

        Raises:
            UnknownIdError: No item covers the range.
        """
        candidates = (
            None if self._by_recording is None else self._covering(recording_id, channel_id, start, duration, leeway)
        )
        if not candidates:
            self._by_recording = None  # stale, or a miss: regroup once and look again
            candidates = self._covering(recording_id, channel_id, start, duration, leeway)
        end = None if duration is None else start + duration
        if not candidates:
            span = f"[{start}s, {'end' if end is None else f'{end}s'})"
            raise UnknownIdError(
                f"no features for recording {recording_id!r}, channel {channel_id} covering {span}; "
                f"check the recording id and channel, or compute features for that range"
            )
        if end is None:
            return min(candidates, key=lambda f: (start - f.start) ** 2)
        return min(candidates, key=lambda f: (start - f.start) ** 2 + (end - f.end) ** 2)

    def _covering(
        self, recording_id: str, channel_id: Channels, start: float, duration: Optional[float], leeway: float
    ) -> Optional[List[Features]]:
        """The items of ``recording_id`` covering the range, or ``None`` when its group is stale."""
        if self._by_recording is None:
            index: Dict[str, List[Features]] = {}
            for item in self:
                index.setdefault(item.recording_id, []).append(item)  # type: ignore[arg-type]  # None: mixed cuts
            self._by_recording = index
        group = self._by_recording.get(recording_id, [])
        if any(f.recording_id != recording_id for f in group):
            return None
        end = None if duration is None else start + duration
        return [
            f
            for f in group
            if f.channels == channel_id
            and f.start - leeway <= start < f.end + leeway
            and (end is None or f.end >= end - leeway)
        ]

    def load(
        self, recording_id: str, channel_id: Channels = 0, start: float = 0.0, duration: Optional[float] = None
    ) -> np.ndarray:
        """Finds the best item (see :meth:`find`) and loads ``[start, start + duration)`` from it."""
        item = self.find(recording_id=recording_id, channel_id=channel_id, start=start, duration=duration)
        return item.load(start=start, duration=duration)

    def copy_feats(self, writer: FeaturesWriter) -> "FeatureSet":
        """Stores every matrix again with ``writer``; returns the updated set."""
        return type(self)(item.copy_feats(writer) for item in self)

    def with_path_prefix(self, path: Union[str, Path]) -> "FeatureSet":
        """A copy with ``path`` prepended to every ``storage_path``."""
        return self.map(lambda item: item.with_path_prefix(path))

    def compute_global_stats(self, storage_path: Optional[Union[str, Path]] = None) -> Dict[str, np.ndarray]:
        """Per-bin mean and standard deviation over all frames (see
        :func:`~lhotse_lite.features.stats.compute_global_stats`)."""
        return compute_global_stats(self, storage_path=storage_path)
