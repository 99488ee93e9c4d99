"""Factories of small manifests for tests, with Lhotse's ``lhotse.testing.dummies`` names.

Every factory returns the same item for the same arguments, with Lhotse 1.33's ids and field values
(``dummy-recording-0007``, ``dummy-segment-0007``, ...), so a test written against Lhotse's dummies
runs here after changing the import. Cuts are out of scope, so ``dummy_cut`` and friends are not
provided; nor is ``dummy_in_memory_features`` (Lhotse's ``memory_raw`` storage is not provided).

Example:
    >>> from lhotse_lite import RecordingSet
    >>> from lhotse_lite.testing.dummies import DummyManifest, dummy_recording, dummy_supervision
    >>> dummy_recording(7).id, dummy_supervision(7).recording_id
    ('dummy-recording-0007', 'dummy-recording-0007')
    >>> len(DummyManifest(RecordingSet, begin_id=0, end_id=3))
    3
    >>> dummy_recording(1, with_data=True).load_audio().shape
    (1, 16000)
"""

from __future__ import annotations

import contextlib
import enum
import io
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Literal, Optional, Type, Union

import numpy as np

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.errors import ManifestArgumentError
from lhotse_lite.features.manifest import Features, FeatureSet
from lhotse_lite.supervision import AlignmentItem, SupervisionSegment, SupervisionSet
from lhotse_lite.units import compute_num_samples

__all__ = [
    "as_lazy",
    "DummyManifest",
    "dummy_recording",
    "dummy_audio_source",
    "dummy_multi_channel_recording",
    "dummy_alignment",
    "dummy_supervision",
    "dummy_features",
    "dummy_multi_channel_features",
    "tone_wav_bytes",
]


class _Default(enum.Enum):
    """The default of dummy_supervision's alignment (``None`` means no alignment, as in Lhotse)."""

    ALIGNMENT = "dummy alignment"


#: The sine frequency of the audio that ``with_data=True`` attaches (Hz), as in Lhotse.
DUMMY_SINE_HZ = 1000


@contextlib.contextmanager
def as_lazy(manifest: Any, suffix: str = ".jsonl.gz") -> Iterator[Any]:
    """The manifest written to a temporary file and opened lazily; the file is removed on exit.

    Args:
        manifest: An eager ``RecordingSet``, ``SupervisionSet`` or ``FeatureSet``.
        suffix: The temporary file's suffix, which selects the format. (Default: ``".jsonl.gz"``)

    Example:
        >>> from lhotse_lite import SupervisionSet
        >>> with as_lazy(DummyManifest(SupervisionSet, begin_id=0, end_id=2)) as lazy:
        ...     lazy.is_lazy, [s.id for s in lazy]
        (True, ['dummy-segment-0000', 'dummy-segment-0001'])
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"manifest{suffix}"
        manifest.to_file(path)
        yield type(manifest).from_jsonl_lazy(path)


def DummyManifest(type_: Type[Any], *, begin_id: int, end_id: int, with_data: bool = False) -> Any:
    """A set of ``end_id - begin_id`` dummy items of ``type_`` (Lhotse's function name).

    Args:
        type_: ``RecordingSet``, ``SupervisionSet`` or ``FeatureSet``.
        begin_id: The first item's number.
        end_id: One past the last item's number.
        with_data: Attach real audio to recordings (see :func:`dummy_recording`). (Default: ``False``)

    Raises:
        ManifestArgumentError: ``type_`` is not one of the three sets.

    Example:
        >>> from lhotse_lite import SupervisionSet
        >>> [s.id for s in DummyManifest(SupervisionSet, begin_id=3, end_id=5)]
        ['dummy-segment-0003', 'dummy-segment-0004']
    """
    numbers = range(begin_id, end_id)
    if type_ is RecordingSet:
        return RecordingSet.from_recordings(dummy_recording(k, with_data=with_data) for k in numbers)
    if type_ is SupervisionSet:
        return SupervisionSet.from_segments(dummy_supervision(k) for k in numbers)
    if type_ is FeatureSet:
        return FeatureSet.from_features(dummy_features(k, with_data=with_data) for k in numbers)
    raise ManifestArgumentError(
        f"DummyManifest: expected RecordingSet, SupervisionSet or FeatureSet, got {type_!r} "
        "(cuts are out of scope in lhotse_lite)"
    )


def tone_wav_bytes(
    num_samples: int = 16000,
    sampling_rate: int = 16000,
    num_channels: int = 1,
    frequency: float = DUMMY_SINE_HZ,
    format: str = "wav",
) -> bytes:
    """An encoded audio file holding a sine tone; channel ``c`` is scaled by ``1 / (c + 1)``.

    Args:
        num_samples: Samples per channel.
        sampling_rate: Samples per second (Hz).
        num_channels: Number of channels.
        frequency: The tone's frequency (Hz), below ``sampling_rate / 2``.
        format: A soundfile format name (``"wav"``, ``"flac"``, ...).

    Raises:
        ManifestArgumentError: a frequency at or above the Nyquist frequency.

    Example:
        >>> from lhotse_lite import Recording
        >>> Recording.from_bytes(tone_wav_bytes(8000, 8000, 2), "tone").num_channels
        2
    """
    import soundfile

    if not 0 < frequency < sampling_rate / 2:
        raise ManifestArgumentError(
            f"tone_wav_bytes: frequency {frequency} Hz must be between 0 and the Nyquist frequency "
            f"{sampling_rate / 2} Hz of sampling_rate={sampling_rate}"
        )
    # the phase in float32, as Lhotse computes it, so that both libraries encode the same samples
    phase = np.float32(2 * np.pi * frequency / sampling_rate) * np.arange(num_samples, dtype=np.float32)
    tone = np.sin(phase)
    data = tone[:, None] / np.arange(1, num_channels + 1, dtype=np.float32)[None, :]
    buffer = io.BytesIO()
    subtype = "OPUS" if format == "opus" else None
    soundfile.write(buffer, data, sampling_rate, format="OGG" if format == "opus" else format, subtype=subtype)
    return buffer.getvalue()


def dummy_audio_source(
    num_samples: int = 16000,
    sampling_rate: int = 16000,
    channels: Optional[List[int]] = None,
    with_data: bool = False,
    format: str = "wav",
) -> AudioSource:
    """An audio source: a placeholder command, or with ``with_data`` a sine tone held in memory.

    Example:
        >>> dummy_audio_source().to_dict()
        {'type': 'command', 'channels': [0], 'source': 'echo "dummy waveform"'}
    """
    channels = [0] if channels is None else list(channels)
    if not with_data:
        return AudioSource(type="command", channels=channels, source='echo "dummy waveform"')
    data = tone_wav_bytes(num_samples, sampling_rate, len(channels), format=format)
    return AudioSource(type="memory", channels=channels, source=data)


def dummy_recording(
    unique_id: int,
    duration: float = 1.0,
    sampling_rate: int = 16000,
    with_data: bool = False,
    source_format: str = "wav",
) -> Recording:
    """A one-channel recording ``dummy-recording-{unique_id:04d}``.

    Args:
        unique_id: The number in the id.
        duration: Seconds. (Default: ``1.0``)
        sampling_rate: Hz. (Default: ``16000``)
        with_data: A 1 kHz tone held in memory instead of a placeholder command. (Default: ``False``)
        source_format: The encoding of the tone. (Default: ``"wav"``)

    Example:
        >>> dummy_recording(3, duration=2.0).num_samples
        32000
    """
    num_samples = compute_num_samples(duration, sampling_rate)
    source = dummy_audio_source(num_samples, sampling_rate, with_data=with_data, format=source_format)
    return Recording(
        id=f"dummy-recording-{unique_id:04d}",
        sources=[source],
        sampling_rate=sampling_rate,
        num_samples=num_samples,
        duration=duration,
    )


def dummy_multi_channel_recording(
    unique_id: int,
    duration: float = 1.0,
    sampling_rate: int = 16000,
    channel_ids: Optional[List[int]] = None,
    source_per_channel: bool = False,
    with_data: bool = False,
) -> Recording:
    """A recording ``dummy-multi-channel-recording-{unique_id:04d}`` with channels ``[0, 1]`` by default.

    With ``source_per_channel=False`` each channel has its own source, as in Lhotse (whose keyword
    reads the other way round); with ``True`` one source holds them all.

    Example:
        >>> len(dummy_multi_channel_recording(1).sources), dummy_multi_channel_recording(1).num_channels
        (2, 2)
    """
    num_samples = compute_num_samples(duration, sampling_rate)
    channel_ids = [0, 1] if channel_ids is None else list(channel_ids)
    if source_per_channel:
        sources = [dummy_audio_source(num_samples, sampling_rate, channel_ids, with_data=with_data)]
    else:
        sources = [dummy_audio_source(num_samples, sampling_rate, [c], with_data=with_data) for c in channel_ids]
    return Recording(
        id=f"dummy-multi-channel-recording-{unique_id:04d}",
        sources=sources,
        sampling_rate=sampling_rate,
        num_samples=num_samples,
        duration=duration,
    )


def dummy_alignment(
    text: str = "irrelevant", start: float = 0.0, duration: float = 1.0
) -> Dict[str, List[AlignmentItem]]:
    """A ``"subword"`` alignment of ``text`` cut into 3-character pieces of equal duration.

    Example:
        >>> [item.symbol for item in dummy_alignment("abcdefg")["subword"]]
        ['abc', 'def', 'g']
    """
    pieces = [text[i : i + 3] for i in range(0, len(text), 3)]
    step = duration / len(pieces)
    return {"subword": [AlignmentItem(symbol=p, start=start + i * step, duration=step) for i, p in enumerate(pieces)]}


def dummy_supervision(
    unique_id: int,
    start: float = 0.0,
    duration: float = 1.0,
    channel: Union[int, List[int]] = 0,
    text: str = "irrelevant",
    alignment: Union[Dict[str, List[AlignmentItem]], Literal[_Default.ALIGNMENT], None] = _Default.ALIGNMENT,
) -> SupervisionSegment:
    """A segment ``dummy-segment-{unique_id:04d}`` of ``dummy-recording-{unique_id:04d}``.

    Without ``alignment`` it carries :func:`dummy_alignment` (as Lhotse's default); ``None`` gives none.

    Example:
        >>> segment = dummy_supervision(2, start=0.5)
        >>> segment.id, segment.end, sorted(segment.alignment)
        ('dummy-segment-0002', 1.5, ['subword'])
    """
    return SupervisionSegment(
        id=f"dummy-segment-{unique_id:04d}",
        recording_id=f"dummy-recording-{unique_id:04d}",
        start=start,
        duration=duration,
        channel=channel,
        text=text,
        speaker="irrelevant",
        language="irrelevant",
        gender="irrelevant",
        custom={"custom_field": "irrelevant"},
        alignment=dummy_alignment() if alignment is _Default.ALIGNMENT else alignment,
    )


def _dummy_features(recording_id: str, channels: Union[int, List[int]], start: float, duration: float) -> Features:
    return Features(
        recording_id=recording_id,
        channels=channels,
        start=start,
        duration=duration,
        type="fbank",
        num_frames=100,
        num_features=23,
        frame_shift=0.01,
        sampling_rate=16000,
        storage_type="numpy_files",
        storage_path="test/fixtures/dummy_feats/storage",
        storage_key="dbf9a0ec-f79d-4eb8-ae83-143a6d5de64d.npy",
    )


def dummy_features(unique_id: int, start: float = 0.0, duration: float = 1.0, with_data: bool = False) -> Features:
    """A features manifest of ``dummy-recording-{unique_id:04d}`` (100 x 23 fbank; no data on disk).

    ``with_data`` is accepted and ignored, as in Lhotse.

    Example:
        >>> dummy_features(4).recording_id, dummy_features(4).num_features
        ('dummy-recording-0004', 23)
    """
    return _dummy_features(f"dummy-recording-{unique_id:04d}", 0, start, duration)


def dummy_multi_channel_features(
    unique_id: int, start: float = 0.0, duration: float = 1.0, channels: Optional[List[int]] = None
) -> Features:
    """Features of ``dummy-multi-channel-recording-{unique_id:04d}`` over ``channels`` (``[0, 1]``).

    Example:
        >>> dummy_multi_channel_features(1).channels
        [0, 1]
    """
    channels = [0, 1] if channels is None else list(channels)
    return _dummy_features(f"dummy-multi-channel-recording-{unique_id:04d}", channels, start, duration)
