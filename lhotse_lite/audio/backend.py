"""Reading, probing and writing audio files: Lhotse's ``info``, ``read_audio`` and ``save_audio``.

lhotse_lite has one audio backend, libsndfile (``soundfile``): it reads WAV, FLAC, OGG/Vorbis,
Opus and MP3 (libsndfile >= 1.1) from paths and file objects, and only the requested span of a file
is decoded (``seek`` + ``read``). The functions take Lhotse 1.33's arguments and return what
Lhotse's libsndfile backend returns, so data-preparation code calling them runs unchanged; Lhotse's
backend selection (``set_current_audio_backend``, torchaudio, ffmpeg, sph2pipe) has no counterpart.
Nothing here imports torch; ``save_audio`` also accepts a torch tensor.

Example:
    >>> import io, numpy as np
    >>> buffer = io.BytesIO()
    >>> save_audio(buffer, np.zeros((2, 8000), np.float32), 16000, format="flac")
    >>> info(io.BytesIO(buffer.getvalue()))
    LibsndfileCompatibleAudioInfo(channels=2, frames=8000, samplerate=16000, duration=0.5, video=None)
    >>> samples, sampling_rate = read_audio(io.BytesIO(buffer.getvalue()), offset=0.25)
    >>> samples.shape, samples.dtype, sampling_rate
    ((2, 4000), dtype('float32'), 16000)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO, Callable, NamedTuple, Optional, Protocol, Tuple, Union

import numpy as np
import soundfile as sf

from lhotse_lite.errors import AudioLoadingError, AudioNotFoundError, ShapeError
from lhotse_lite.units import compute_num_samples

__all__ = ["LibsndfileCompatibleAudioInfo", "info", "read_audio", "save_audio", "decode_span"]


class SeekableBinary(Protocol):
    """A readable, seekable binary file object, as libsndfile reads it (``BinaryIO``, a remote file, ...)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...

    def tell(self) -> int: ...


PathOrFile = Union[str, Path, BinaryIO, SeekableBinary]

_PCM16_SUBTYPES = frozenset({"PCM_16"})
_PCM16_SCALE = np.float32(1.0 / 32768.0)  # libsndfile's float conversion of 16-bit PCM; exact in float32


class LibsndfileCompatibleAudioInfo(NamedTuple):
    """What :func:`info` reports about an audio file (Lhotse's tuple; ``video`` is always ``None``)."""

    channels: int
    frames: int
    samplerate: int
    duration: float
    video: None = None


def info(path: PathOrFile) -> LibsndfileCompatibleAudioInfo:
    """Reads the header of an audio file: channels, length in samples, sampling rate, duration.

    Args:
        path: A path or a binary file object (e.g. ``io.BytesIO`` holding an encoded file).

    Returns:
        The header fields; ``duration`` is ``frames / samplerate``.

    Raises:
        AudioNotFoundError: the file does not exist.
        AudioLoadingError: the data is not audio libsndfile can read.

    Example:
        >>> info("missing.wav")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.AudioNotFoundError: audio file not found: 'missing.wav'; check the path
    """
    target = _target(path)
    try:
        header = sf.info(target)
    except (sf.SoundFileError, RuntimeError) as err:
        raise AudioLoadingError(f"cannot read the audio header of {_shown(path)} ({err})") from err
    return LibsndfileCompatibleAudioInfo(
        channels=header.channels,
        frames=header.frames,
        samplerate=header.samplerate,
        duration=header.frames / header.samplerate,
    )


def read_audio(path_or_fd: PathOrFile, offset: float = 0.0, duration: Optional[float] = None) -> Tuple[np.ndarray, int]:
    """Decodes ``duration`` seconds from ``offset`` seconds of an audio file.

    Sample positions are ``round_half_up(seconds * sampling_rate)``
    (:func:`~lhotse_lite.units.compute_num_samples`), as in Lhotse. Reading past the end returns the
    samples there are.

    Args:
        path_or_fd: A path or a binary file object.
        offset: Start in seconds.
        duration: Length in seconds; ``None`` reads to the end.

    Returns:
        ``(samples, sampling_rate)``: float32 samples ``(channels, samples)`` in ``[-1, 1]``.

    Raises:
        AudioNotFoundError: the file does not exist.
        AudioLoadingError: the data cannot be decoded.

    Example:
        >>> import io, numpy as np, soundfile as sf
        >>> buffer = io.BytesIO()
        >>> sf.write(buffer, np.zeros(1600, np.float32), 16000, format="WAV")
        >>> read_audio(io.BytesIO(buffer.getvalue()), offset=0.05, duration=0.01)[0].shape
        (1, 160)
    """
    return decode_span(_target(path_or_fd), offset, duration, _shown(path_or_fd))


def save_audio(
    dest: PathOrFile,
    src: Any,
    sampling_rate: int,
    format: Optional[str] = None,
    encoding: Optional[str] = None,
) -> None:
    """Encodes samples ``(channels, samples)`` into an audio file (libsndfile, as Lhotse's backend).

    Args:
        dest: A path (the format follows its suffix unless ``format`` is given) or a binary file
            object (then ``format`` is required).
        src: A numpy array or a torch tensor, ``(channels, samples)`` (a 1-D array is one channel).
        sampling_rate: Samples per second.
        format: A libsndfile format name (``"wav"``, ``"flac"``, ``"ogg"``; ``"opus"`` means Ogg/Opus).
        encoding: A libsndfile subtype (``"PCM_16"``, ``"FLOAT"``, ...); the format's default when
            ``None``.

    Raises:
        ShapeError: ``src`` has more than two axes.
        AudioLoadingError: libsndfile cannot write this format/encoding or the destination (named
            ``AudioLoadingError`` as every audio I/O failure here; Lhotse raises ``AudioSavingError``).

    Example:
        >>> import io, numpy as np
        >>> buffer = io.BytesIO()
        >>> save_audio(buffer, np.zeros(160, np.float32), 16000, format="wav", encoding="PCM_16")
        >>> info(io.BytesIO(buffer.getvalue())).frames
        160
    """
    if not isinstance(src, np.ndarray) and hasattr(src, "detach"):  # a torch tensor, without importing torch
        src = src.detach().cpu().numpy()
    samples = np.asarray(src)
    if samples.ndim > 2:
        raise ShapeError(f"save_audio expects samples of shape (channels, samples), got {samples.shape}")
    if format == "opus":
        format, encoding = "ogg", "opus"
    target = str(dest) if isinstance(dest, Path) else dest
    try:
        sf.write(target, samples.T, sampling_rate, format=format, subtype=encoding)
    except (sf.SoundFileError, RuntimeError, TypeError, ValueError) as err:
        raise AudioLoadingError(
            f"cannot write audio to {_shown(dest)} (format={format!r}, encoding={encoding!r}): {err}"
        ) from err


def decode_span(
    target: Union[str, BinaryIO, SeekableBinary],
    offset: float,
    duration: Optional[float],
    where: Union[str, Callable[[], str]],
) -> Tuple[np.ndarray, int]:
    """Decodes a span of an opened or named audio file (the one decoding routine of the package).

    Args:
        target: A path or a binary file object.
        offset: Start in seconds (clamped to the end of the file).
        duration: Seconds to read; ``None`` reads to the end.
        where: What is being read, for error messages (``"file source 'a.wav'"``), or a function
            returning it (called only when there is an error to report).

    Returns:
        ``(samples, sampling_rate)`` with float32 samples ``(channels, samples)``.

    16-bit PCM (WAV, FLAC, ...) is read as int16 and scaled by ``2**-15`` in numpy: libsndfile's float32
    output for 16-bit PCM is ``sample / 32768``, a power-of-two scale that is exact in float32, so the values
    are bit-identical while libsndfile's per-sample conversion is skipped (about 2x faster for WAV).

    Raises:
        AudioLoadingError: the data cannot be decoded.

    Example:
        >>> import io, numpy as np, soundfile as sf
        >>> buffer = io.BytesIO()
        >>> sf.write(buffer, np.zeros((100, 2), np.float32), 8000, format="WAV")
        >>> decode_span(io.BytesIO(buffer.getvalue()), 0.0, None, "test")[0].shape
        (2, 100)
    """
    try:
        with sf.SoundFile(target) as handle:
            sampling_rate = handle.samplerate
            start = compute_num_samples(offset, sampling_rate) if offset else 0
            if start > 0:
                if handle.frames >= 0:
                    start = min(start, handle.frames)
                handle.seek(start)
            frames = -1 if duration is None else compute_num_samples(duration, sampling_rate)
            if handle.subtype in _PCM16_SUBTYPES:
                data = handle.read(frames, dtype="int16", always_2d=True)
            else:
                data = handle.read(frames, dtype="float32", always_2d=True)
    except (sf.SoundFileError, RuntimeError, ValueError) as err:
        shown = where if isinstance(where, str) else where()
        raise AudioLoadingError(f"{shown}: cannot decode audio ({err}); is it a valid audio file?") from err
    if data.dtype == np.int16:
        out = np.empty((data.shape[1], data.shape[0]), dtype=np.float32)
        np.multiply(data.T, _PCM16_SCALE, out=out)
        return out, sampling_rate
    return np.ascontiguousarray(data.T), sampling_rate


def _target(path: PathOrFile) -> Union[str, BinaryIO, SeekableBinary]:
    if isinstance(path, (str, Path)):
        if not os.path.isfile(path):
            raise AudioNotFoundError(f"audio file not found: {str(path)!r}; check the path")
        return str(path)
    return path


def _shown(path: PathOrFile) -> str:
    return repr(str(path)) if isinstance(path, (str, Path)) else f"a {type(path).__name__} object"
