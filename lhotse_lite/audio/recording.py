"""The Recording manifest: one recording session, its audio sources, length and lazy transforms.

Field names, defaults and the dict/JSON layout are Lhotse 1.x's, so manifests move both ways.
Transforms (resampling, speed/tempo/volume perturbation) are recorded, not applied: the manifest's
``sampling_rate``, ``num_samples`` and ``duration`` describe the audio *after* the transforms and
:meth:`Recording.load_audio` applies them to the span it reads.

Example:
    >>> import numpy as np, soundfile as sf, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "utt1.wav")
    >>> sf.write(path, np.zeros((16000, 2), np.float32), 16000)
    >>> rec = Recording.from_file(path)
    >>> rec.id, rec.num_samples, rec.duration, rec.channel_ids
    ('utt1', 16000, 1.0, [0, 1])
    >>> rec.load_audio(channels=1, offset=0.25, duration=0.5).shape
    (1, 8000)
    >>> fast = rec.perturb_speed(1.1)
    >>> fast.id, fast.num_samples, fast.load_audio().shape
    ('utt1_sp1.1', 14545, (2, 14545))
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

import numpy as np

from lhotse_lite.audio.backend import LibsndfileCompatibleAudioInfo, info, save_audio
from lhotse_lite.audio.loading import Channels, load_span
from lhotse_lite.audio.source import AudioSource
from lhotse_lite.audio.transforms import AudioTransform, Resample, Speed, Tempo, Volume, transform_from_dict
from lhotse_lite.checks import check_int, check_seconds
from lhotse_lite.errors import AudioError, ManifestFieldError
from lhotse_lite.manifest.fields import check_dict_fields
from lhotse_lite.manifest.items import CustomFieldMixin, manifest_item
from lhotse_lite.types import Pathlike
from lhotse_lite.units import compute_num_samples, perturb_num_samples

__all__ = ["Recording", "Channels"]

_REQUIRED = ("id", "sources", "sampling_rate", "num_samples", "duration")
_OPTIONAL = ("channel_ids", "transforms", "custom")


@manifest_item
@dataclass(slots=True)
class Recording(CustomFieldMixin):
    """A recording session: where its audio is, how long it is, and transforms to apply on load.

    Args:
        id: Unique recording id.
        sources: One :class:`AudioSource` per file/command/URL; each holds some of the channels.
        sampling_rate: Samples per second (after ``transforms``).
        num_samples: Length in samples (after ``transforms``).
        duration: Length in seconds (after ``transforms``).
        channel_ids: The channel ids; defaults to the sorted channels of all sources.
        transforms: Transforms applied on load, in order (objects or their dict form).
        custom: Extra fields (a dict). Attributes that are not fields are stored here
            (``rec.room = "A"``), as on a ``SupervisionSegment``; Lhotse 1.33's ``Recording`` has no
            such field, so it cannot read a recording that has one.

    Fields can be assigned (``rec.sources = [...]``); they are checked when the recording is built,
    not when assigned (see :mod:`lhotse_lite.manifest.items`).

    Raises:
        ManifestFieldError: a missing/invalid value (negative length, non-positive rate, a channel
            held by two sources, ...); the message names the recording id.

    Example:
        >>> rec = Recording(id="r1", sources=[AudioSource("file", [0], "a.wav"), AudioSource("file", [1], "b.wav")],
        ...                 sampling_rate=16000, num_samples=32000, duration=2.0)
        >>> rec.channel_ids, rec.num_channels
        ([0, 1], 2)
    """

    id: str
    sources: List[AudioSource]
    sampling_rate: int
    num_samples: int
    duration: float
    channel_ids: Optional[List[int]] = None
    transforms: Optional[List[AudioTransform]] = None
    custom: Optional[Dict[str, Any]] = None

    def __post_init__(self) -> None:
        rid = self.id
        if not isinstance(rid, str) or not rid:
            raise ManifestFieldError(f"Recording: expected a non-empty string id, got {rid!r}")
        if not isinstance(self.sources, (list, tuple)) or not self.sources:
            raise ManifestFieldError(
                f"recording {rid!r}: expected a non-empty list of AudioSource, got {self.sources!r}"
            )
        if not all(isinstance(s, AudioSource) for s in self.sources):
            raise ManifestFieldError(
                f"recording {rid!r}: every source must be an AudioSource (use from_dict for dicts)"
            )
        _set(self, "sources", list(self.sources))
        where = f"recording {rid!r}"
        for field, minimum in (("sampling_rate", 1), ("num_samples", 0)):
            value = check_int(
                where, field, getattr(self, field), minimum, allow_integral_float=True, error=ManifestFieldError
            )
            _set(self, field, value)
        _set(self, "duration", check_seconds(where, "duration", self.duration, error=ManifestFieldError))
        held = [c for s in self.sources for c in s.channels]
        if len(set(held)) != len(held):
            raise ManifestFieldError(f"recording {rid!r}: a channel is held by two sources: {held}")
        if self.channel_ids is None:
            _set(self, "channel_ids", sorted(held))
        elif sorted(self.channel_ids) != sorted(held):
            raise ManifestFieldError(
                f"recording {rid!r}: channel_ids {self.channel_ids!r} differ from the sources' channels {sorted(held)}"
            )
        else:
            _set(self, "channel_ids", list(self.channel_ids))
        if self.transforms:
            try:
                tfs = [t if isinstance(t, AudioTransform) else transform_from_dict(t) for t in self.transforms]
            except ManifestFieldError as err:
                raise ManifestFieldError(f"recording {rid!r}: {err}") from err
            _set(self, "transforms", tfs)
        else:
            _set(self, "transforms", None)
        if self.custom is not None and not isinstance(self.custom, dict):
            raise ManifestFieldError(f"recording {rid!r}: expected 'custom' to be a dict, got {self.custom!r}")

    # ------------------------------------------------------------------------------ construction

    @staticmethod
    def from_file(
        path: Pathlike,
        recording_id: Optional[Union[str, Callable[[Path], str]]] = None,
        relative_path_depth: Optional[int] = None,
    ) -> "Recording":
        """Creates a Recording for an audio file by reading its header only.

        Args:
            path: An audio file libsndfile reads (WAV, FLAC, OGG, MP3, ...).
            recording_id: The id, or a function of the path returning it; defaults to the file stem.
            relative_path_depth: Keep only this many trailing path components in the source.

        Raises:
            AudioNotFoundError: the file does not exist.
            AudioLoadingError: the file is not readable audio.

        Example:
            >>> Recording.from_file("missing.wav")  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            lhotse_lite.errors.AudioNotFoundError: recording 'missing': audio file not found: 'missing.wav'...
        """
        path = Path(path)
        rid = path.stem if recording_id is None else recording_id(path) if callable(recording_id) else recording_id
        header = _header(path, rid)
        if relative_path_depth is not None and relative_path_depth > 0:
            stored = "/".join(path.parts[-relative_path_depth:])
        else:
            stored = str(path)
        return Recording(
            id=rid,
            sources=[AudioSource(type="file", channels=list(range(header.channels)), source=stored)],
            sampling_rate=header.samplerate,
            num_samples=header.frames,
            duration=header.duration,
        )

    @staticmethod
    def from_bytes(data: bytes, recording_id: str) -> "Recording":
        """Creates a Recording whose audio is the encoded file ``data`` held in memory.

        :meth:`load_audio` then decodes the bytes without any I/O. Such a manifest pickles, but
        cannot be written to JSON or YAML (they hold no bytes).

        Raises:
            AudioLoadingError: ``data`` is not readable audio.

        Example:
            >>> import io, numpy as np, soundfile as sf
            >>> buffer = io.BytesIO()
            >>> sf.write(buffer, np.zeros((800, 2), np.float32), 8000, format="FLAC")
            >>> rec = Recording.from_bytes(buffer.getvalue(), "r1")
            >>> rec.sources[0].type, rec.channel_ids, rec.duration, rec.load_audio().shape
            ('memory', [0, 1], 0.1, (2, 800))
        """
        header = _header(io.BytesIO(data), recording_id)
        return Recording(
            id=recording_id,
            sources=[AudioSource(type="memory", channels=list(range(header.channels)), source=data)],
            sampling_rate=header.samplerate,
            num_samples=header.frames,
            duration=header.duration,
        )

    def move_to_memory(
        self,
        channels: Optional[Channels] = None,
        offset: Optional[float] = None,
        duration: Optional[float] = None,
        format: Optional[str] = None,
    ) -> "Recording":
        """A copy whose audio is held in memory, so that :meth:`load_audio` does no I/O.

        Without arguments (or with ones that select the whole recording) the encoded bytes of every
        source are attached as they are (file contents, a command's output, a URL's body) and the
        transforms are kept. Otherwise the selected channels and span are decoded, transformed, and
        encoded again as ``format`` (FLAC by default) into one memory source; the copy then has no
        transforms.

        Args:
            channels: A channel id or a list of them; ``None`` keeps all.
            offset: Start in seconds; ``None`` is 0.
            duration: Length in seconds; ``None`` reads to the end.
            format: The container for re-encoded audio (``"flac"``, ``"wav"``, ``"ogg"``, ...).

        Returns:
            ``self`` when all sources are already in memory, else the copy.

        Raises:
            AudioNotFoundError, AudioLoadingError, AudioSpanError: as :meth:`load_audio`.

        Example:
            >>> import numpy as np, soundfile as sf, tempfile, os
            >>> path = os.path.join(tempfile.mkdtemp(), "r.wav")
            >>> sf.write(path, np.zeros((1600, 2), np.float32), 16000)
            >>> rec = Recording.from_file(path)
            >>> rec.move_to_memory().sources[0].type, rec.move_to_memory().sources[0].source == open(path, "rb").read()
            ('memory', True)
            >>> part = rec.move_to_memory(channels=1, offset=0.025, duration=0.05)
            >>> part.channel_ids, part.num_samples, part.duration, part.transforms
            ([1], 800, 0.05, None)
        """
        if all(source.type == "memory" for source in self.sources):
            return self
        wanted = [channels] if isinstance(channels, int) else None if channels is None else list(channels)
        whole = (
            (wanted is None or wanted == self.channel_ids)
            and (offset is None or math.isclose(offset, 0.0))
            and (duration is None or math.isclose(duration, self.duration))
        )
        if whole:
            sources = [replace(s, type="memory", source=_encoded_bytes(s, self.id)) for s in self.sources]
            return replace(self, sources=sources)
        audio = self.load_audio(channels=channels, offset=offset or 0.0, duration=duration)
        buffer = io.BytesIO()
        save_audio(buffer, audio, self.sampling_rate, format=format or "flac")
        num_samples = audio.shape[1]
        return Recording(
            id=self.id,
            sources=[
                AudioSource(type="memory", channels=wanted or list(self.channel_ids or []), source=buffer.getvalue())
            ],
            sampling_rate=self.sampling_rate,
            num_samples=num_samples,
            duration=duration if duration is not None else num_samples / self.sampling_rate,
        )

    # ---------------------------------------------------------------------------------- manifest

    def to_dict(self) -> Dict[str, Any]:
        """Lhotse 1.x's dict form (``transforms`` only when there are any, ``custom`` only when set).

        Example:
            >>> Recording("r", [AudioSource("file", [0], "a.wav")], 8000, 8000, 1.0).to_dict()
            {'id': 'r', 'sources': [{'type': 'file', 'channels': [0], 'source': 'a.wav'}], 'sampling_rate': 8000, \
'num_samples': 8000, 'duration': 1.0, 'channel_ids': [0]}
        """
        data: Dict[str, Any] = {
            "id": self.id,
            "sources": [s.to_dict() for s in self.sources],
            "sampling_rate": self.sampling_rate,
            "num_samples": self.num_samples,
            "duration": self.duration,
            "channel_ids": list(self.channel_ids or []),
        }
        if self.transforms:
            data["transforms"] = [t.to_dict() for t in self.transforms]
        if self.custom is not None:
            data["custom"] = dict(self.custom)
        return data

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Recording":
        """Builds a Recording from its dict form (as written by Lhotse or :meth:`to_dict`).

        ``data`` is not modified.

        Raises:
            ManifestFieldError: a missing, unknown or invalid field; the message names the id.

        Example:
            >>> Recording.from_dict({"id": "r", "sources": [{"type": "file", "channels": [0], "source": "a.wav"}],
            ...                      "sampling_rate": 16000, "num_samples": -1, "duration": 1.0})
            Traceback (most recent call last):
            ...
            lhotse_lite.errors.ManifestFieldError: recording 'r': num_samples must be an int >= 0, got -1
        """
        if cls is Recording and data.__class__ is dict:
            fast = _from_valid_dict(data)
            if fast is not None:
                return fast
        where = f"recording {data.get('id', '<no id>')!r}" if isinstance(data, dict) else "Recording"
        check_dict_fields(data, _REQUIRED, _OPTIONAL, where)
        rid = data["id"]
        if not isinstance(data["sources"], list):
            raise ManifestFieldError(f"recording {rid!r}: expected 'sources' to be a list, got {data['sources']!r}")
        try:
            sources = [AudioSource.from_dict(s) for s in data["sources"]]
        except ManifestFieldError as err:
            raise ManifestFieldError(f"recording {rid!r}: {err}") from err
        transforms = data.get("transforms")
        if transforms is not None and not isinstance(transforms, list):
            raise ManifestFieldError(f"recording {rid!r}: expected 'transforms' to be a list, got {transforms!r}")
        return cls(
            id=rid,
            sources=sources,
            sampling_rate=data["sampling_rate"],
            num_samples=data["num_samples"],
            duration=data["duration"],
            channel_ids=data.get("channel_ids"),
            transforms=transforms,
            custom=data.get("custom"),
        )

    # -------------------------------------------------------------------------------- properties

    @property
    def num_channels(self) -> int:
        """The number of channels."""
        return len(self.channel_ids or [])

    @property
    def is_in_memory(self) -> bool:
        """True when some source holds its audio as bytes."""
        return any(s.type == "memory" for s in self.sources)

    @property
    def source_sampling_rate(self) -> int:
        """The sampling rate of the audio sources, before any :class:`Resample` transform."""
        rate = self.sampling_rate
        for t in reversed(self.transforms or []):
            rate = t.input_sampling_rate(rate)
        return rate

    def with_path_prefix(self, path: Union[str, Path]) -> "Recording":
        """A copy whose relative file sources are put under the folder ``path``."""
        return replace(self, sources=[s.with_path_prefix(path) for s in self.sources])

    # ------------------------------------------------------------------------------------ loading

    def load_audio(
        self,
        channels: Optional[Channels] = None,
        offset: float = 0.0,
        duration: Optional[float] = None,
    ) -> np.ndarray:
        """Reads (a span of) the audio and applies the recorded transforms.

        Only the span needed is read from file sources. The result has exactly the length the
        manifest declares for the span: a difference within the mismatch tolerance is padded or
        trimmed, a larger one raises.

        Args:
            channels: A channel id or a list of them; ``None`` loads all. Channels come out in the
                order the sources hold them.
            offset: Start in seconds (``0 <= offset <= duration``).
            duration: Length in seconds; ``None`` reads to the end.

        Returns:
            float32 array of shape ``(channels, samples)``.

        Raises:
            AudioSpanError: negative values, an offset past the end, or an unknown channel.
            AudioSpanPastEndError: a span ending past the end by more than the tolerance (an
                ``AudioSpanError`` and a ``DurationMismatchError``, which Lhotse raises there).
            AudioNotFoundError: a missing file/URL/program (the message names the id and path).
            AudioLoadingError: undecodable audio, a failing command, or a source whose sampling rate
                or channel count differs from the manifest.
            DurationMismatchError: the audio read is longer/shorter than declared beyond the tolerance.
        """
        return load_span(self, channels=channels, offset=offset, duration=duration)

    # ------------------------------------------------------------------------------ transforms

    def resample(self, sampling_rate: int) -> "Recording":
        """A copy that is resampled to ``sampling_rate`` on load (soxr).

        ``num_samples`` becomes ``round_half_up(duration * sampling_rate)`` and ``duration`` is
        recomputed from it, as in Lhotse.

        Example:
            >>> rec = Recording("r", [AudioSource("file", [0], "a.wav")], 16000, 32000, 2.0)
            >>> r8 = rec.resample(8000)
            >>> r8.sampling_rate, r8.num_samples, r8.transforms
            (8000, 16000, [Resample(source_sampling_rate=16000, target_sampling_rate=8000)])
        """
        target = Resample(self.sampling_rate, sampling_rate).target_sampling_rate
        if target == self.sampling_rate:
            return self
        num_samples = compute_num_samples(self.duration, target)
        return replace(
            self,
            sampling_rate=target,
            num_samples=num_samples,
            duration=num_samples / target,
            transforms=[*(self.transforms or []), Resample(self.sampling_rate, target)],
        )

    def perturb_speed(self, factor: float, affix_id: bool = True) -> "Recording":
        """A copy whose speed is changed by ``factor`` on load (pitch changes too, as with SoX ``speed``).

        Args:
            factor: ``1.1`` is 10 % faster (shorter).
            affix_id: Append ``_sp{factor}`` to the id, as Lhotse does.
        """
        return self._perturb_length(Speed(factor), "sp", affix_id)

    def perturb_tempo(self, factor: float, affix_id: bool = True) -> "Recording":
        """A copy whose tempo is changed by ``factor`` on load, keeping the pitch (WSOLA).

        Args:
            factor: ``1.1`` is 10 % faster (shorter).
            affix_id: Append ``_tp{factor}`` to the id, as Lhotse does.
        """
        return self._perturb_length(Tempo(factor), "tp", affix_id)

    def perturb_volume(self, factor: float, affix_id: bool = True) -> "Recording":
        """A copy whose samples are multiplied by ``factor`` on load.

        Args:
            factor: The gain (``2.0`` doubles the amplitude).
            affix_id: Append ``_vp{factor}`` to the id, as Lhotse does.

        Example:
            >>> rec = Recording("r", [AudioSource("file", [0], "a.wav")], 16000, 32000, 2.0)
            >>> rec.perturb_volume(0.5).to_dict()["transforms"]
            [{'name': 'Volume', 'kwargs': {'factor': 0.5}}]
        """
        tfm = Volume(factor)
        return replace(
            self,
            id=f"{self.id}_vp{factor}" if affix_id else self.id,
            transforms=[*(self.transforms or []), tfm],
        )

    def _perturb_length(self, tfm: Union[Speed, Tempo], affix: str, affix_id: bool) -> "Recording":
        factor = tfm.factor
        num_samples = perturb_num_samples(self.num_samples, factor)
        return replace(
            self,
            id=f"{self.id}_{affix}{factor}" if affix_id else self.id,
            num_samples=num_samples,
            duration=num_samples / self.sampling_rate,
            transforms=[*(self.transforms or []), tfm],
        )


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


# ------------------------------------------------------------------ from_dict of the common, valid case

_new = object.__new__
_KEYS = frozenset((*_REQUIRED, *_OPTIONAL))
_SOURCE_KEYS = frozenset(("type", "channels", "source"))
_TEXT_SOURCES = frozenset(("file", "command", "url"))
_INF = math.inf
# The slots' own setters: plain stores, without CustomFieldMixin.__setattr__ (a Python call per field).
_SET_ID, _SET_SOURCES, _SET_RATE, _SET_SAMPLES, _SET_DURATION, _SET_CHANNELS, _SET_TRANSFORMS, _SET_CUSTOM = (
    Recording.__dict__[name].__set__
    for name in ("id", "sources", "sampling_rate", "num_samples", "duration", "channel_ids", "transforms", "custom")
)


def _sources_of_valid_dicts(raw: Any) -> Optional[List[AudioSource]]:
    """The sources of ``raw`` when every one is a valid file/command/url source dict, else ``None``."""
    if raw.__class__ is not list or not raw:
        return None
    sources = []
    for d in raw:
        if d.__class__ is not dict or len(d) != 3 or not _SOURCE_KEYS.issuperset(d):
            return None
        kind, channels, where = d["type"], d["channels"], d["source"]
        if (
            kind.__class__ is not str
            or kind not in _TEXT_SOURCES
            or where.__class__ is not str
            or channels.__class__ is not list
            or not channels
        ):
            return None
        for channel in channels:
            if channel.__class__ is not int or channel < 0:
                return None
        if len(channels) > 1 and len(set(channels)) != len(channels):
            return None
        source = _new(AudioSource)  # a plain slotted dataclass: these are C slot stores
        source.type, source.channels, source.source = kind, list(channels), where
        sources.append(source)
    return sources


def _from_valid_dict(data: Dict[str, Any]) -> Optional[Recording]:
    """``Recording.from_dict(data)`` for the common, valid case, or ``None`` for anything else.

    The same checks as :meth:`Recording.__post_init__` and ``AudioSource.__post_init__``, done on the
    values as parsed from JSON (exact ``int``/``float``/``str``/``list`` types), and the slots filled
    directly: a third of the cost of the checked construction. Whatever does not pass (other types,
    transforms, memory sources, any invalid value) goes the checked way, which converts or reports it.
    """
    if not _KEYS.issuperset(data):
        return None
    get = data.get
    rid, rate, samples, duration = get("id"), get("sampling_rate"), get("num_samples"), get("duration")
    channel_ids, transforms, custom = get("channel_ids"), get("transforms"), get("custom")
    if not (
        rid.__class__ is str
        and rid
        and rate.__class__ is int
        and rate >= 1
        and samples.__class__ is int
        and samples >= 0
        and (duration.__class__ is float or duration.__class__ is int)
        and 0 <= duration < _INF
        and (transforms is None or (transforms.__class__ is list and not transforms))
        and (custom is None or custom.__class__ is dict)
    ):
        return None
    sources = _sources_of_valid_dicts(get("sources"))
    if sources is None:
        return None
    held = [c for source in sources for c in source.channels]
    if len(held) > 1:
        if len(set(held)) != len(held):
            return None
        held.sort()
    if channel_ids is not None:
        if channel_ids.__class__ is not list or sorted(channel_ids) != held:
            return None
        held = list(channel_ids)
    rec = _new(Recording)
    _SET_ID(rec, rid)
    _SET_SOURCES(rec, sources)
    _SET_RATE(rec, rate)
    _SET_SAMPLES(rec, samples)
    _SET_DURATION(rec, float(duration))
    _SET_CHANNELS(rec, held)
    _SET_TRANSFORMS(rec, None)
    _SET_CUSTOM(rec, custom)
    return rec


def _header(target: Union[Path, io.BytesIO], recording_id: str) -> LibsndfileCompatibleAudioInfo:
    try:
        return info(target)
    except AudioError as err:
        raise type(err)(f"recording {recording_id!r}: {err}") from err


def _encoded_bytes(source: AudioSource, recording_id: str) -> bytes:
    """The encoded file a source reads from: file contents, a command's output, a URL's body, or its bytes."""
    try:
        opened = source.open_encoded()
    except AudioError as err:
        raise type(err)(f"recording {recording_id!r}: {err}") from err
    if isinstance(opened, str):
        with open(opened, "rb") as file:
            return file.read()
    return opened.getvalue()
