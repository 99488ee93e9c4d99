"""The ``read_data`` checks: decode every recording's audio, load every feature matrix.

Part of :mod:`lhotse_lite.validation`. Without them a validation looks only at the manifests (and,
with ``check_files``, at whether the files exist); with them every audio source is decoded from start
to end (a file in blocks of :data:`BLOCK_FRAMES`, so memory stays bounded) and its length compared
with the manifest's ``num_samples``, and every feature matrix is loaded and its shape compared with
``num_frames`` and ``num_features``.

Example:
    >>> import io, numpy as np, soundfile as sf
    >>> from lhotse_lite.audio import AudioSource, Recording
    >>> buf = io.BytesIO()
    >>> sf.write(buf, np.zeros(8000, np.float32), 16000, format="WAV")
    >>> rec = Recording("r1", [AudioSource("memory", [0], buf.getvalue())], 16000, 16000, 1.0)
    >>> check_audio_data(rec, tolerance=0.025)  # doctest: +NORMALIZE_WHITESPACE
    ['memory source (16044 bytes): decodes to 8000 samples (0.5 s) but the manifest declares num_samples
    16000 (1.0 s); the difference exceeds the tolerance of 0.025 s']
"""

from __future__ import annotations

import math
import os
from typing import Any, List, Tuple

import numpy as np
import soundfile as sf

from lhotse_lite import remote
from lhotse_lite.errors import LhotseLiteError

__all__ = ["BLOCK_FRAMES", "check_audio_data", "check_feature_data"]

BLOCK_FRAMES = 1 << 16
"""Frames decoded at a time when a file source is checked."""


def check_audio_data(recording: Any, tolerance: float, check_files: bool = True) -> List[str]:
    """Decodes each audio source of ``recording`` and compares it with the manifest.

    A recording with transforms is loaded with them (``load_audio``, which allows the audio
    duration mismatch tolerance as Lhotse does); otherwise each source must decode, hold as many
    channels as it lists, have the recording's sampling rate and be within ``tolerance`` seconds
    of ``num_samples``.

    Args:
        recording: A ``Recording``.
        tolerance: Seconds the decoded length may differ from the declared one.
        check_files: Whether missing files are already reported (then they are not decoded here).

    Returns:
        What is wrong, one message per problem; empty when the audio matches.

    Example:
        >>> from lhotse_lite.audio import AudioSource, Recording
        >>> check_audio_data(Recording("r", [AudioSource("file", [0], "/no.wav")], 8000, 8000, 1.0), 0.0)
        []
    """
    if recording.transforms:
        try:
            recording.load_audio()
        except (LhotseLiteError, OSError, ValueError) as err:
            return [f"audio cannot be loaded: {err}"]
        return []
    found: List[str] = []
    allowed = int(math.ceil(round(tolerance * recording.sampling_rate, 8)))
    for source in recording.sources:
        where = _where(source)
        if (
            source.type == "file"
            and check_files
            and not remote.is_url(remote.map_path(source.source))
            and not os.path.isfile(remote.map_path(source.source))
        ):
            continue  # reported by the existence check
        try:
            num_samples, rate, channels = _decode_all(source)
        except (LhotseLiteError, OSError, ValueError, RuntimeError) as err:
            found.append(f"audio cannot be decoded: {err}")
            continue
        if channels != len(source.channels):
            found.append(f"{where}: the audio has {channels} channel(s), the source lists {source.channels}")
        if rate != recording.sampling_rate:
            found.append(f"{where}: the audio is {rate} Hz, the manifest says {recording.sampling_rate} Hz")
        elif abs(num_samples - recording.num_samples) > allowed:
            found.append(
                f"{where}: decodes to {num_samples} samples ({num_samples / rate:g} s) but the manifest "
                f"declares num_samples {recording.num_samples} ({recording.duration} s); the difference "
                f"exceeds the tolerance of {tolerance:g} s"
            )
    return found


def check_feature_data(features: Any) -> List[str]:
    """Loads a feature matrix and compares its shape (and values) with the manifest.

    Args:
        features: A ``Features`` item.

    Returns:
        What is wrong; empty when the matrix loads, has shape ``(num_frames, num_features)`` and
        holds only finite values.

    Example:
        >>> import numpy as np
        >>> from lhotse_lite.features.io import get_writer
        >>> from lhotse_lite.features.manifest import Features
        >>> writer = get_writer("memory_npy")()
        >>> key = writer.write("k", np.ones((10, 4), np.float32))
        >>> feats = Features("kaldi-fbank", 12, 4, 0.01, 16000, 0.0, 0.12, "memory_npy", None, key)
        >>> check_feature_data(feats)
        ['the stored matrix has shape (10, 4), the manifest declares (12, 4)']
    """
    try:
        matrix = np.asarray(features.load())
    except (LhotseLiteError, OSError, ValueError) as err:
        return [f"the feature matrix cannot be loaded: {err}"]
    expected = (features.num_frames, features.num_features)
    if matrix.shape != expected:
        return [f"the stored matrix has shape {matrix.shape}, the manifest declares {expected}"]
    if not np.isfinite(matrix).all():
        return [f"the stored matrix holds {int(np.size(matrix) - np.isfinite(matrix).sum())} NaN or infinite values"]
    return []


def _where(source: Any) -> str:
    if source.type == "memory":
        return f"memory source ({len(source.source)} bytes)"
    return f"{source.type} source {source.source!r}"


def _decode_all(source: Any) -> Tuple[int, int, int]:
    """``(num_samples, sampling_rate, channels)`` of a source, decoding all of it."""
    path = remote.map_path(source.source) if source.type == "file" else None
    if path is None or remote.is_url(path):
        samples, rate = source.read()
        return samples.shape[1], rate, samples.shape[0]
    count = 0
    with sf.SoundFile(path) as handle:
        while True:
            block = handle.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
            if not len(block):
                return count, handle.samplerate, handle.channels
            count += len(block)
