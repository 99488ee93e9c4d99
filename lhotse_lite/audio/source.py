"""Where a recording's samples come from: a file, a shell command, a URL or bytes in memory.

An :class:`AudioSource` names one place to read audio from and which of the recording's channels it
holds, in Lhotse 1.x's layout (``{"type": ..., "channels": [...], "source": ...}``). Decoding goes
through libsndfile (``soundfile``), so WAV, FLAC, OGG/Vorbis, Opus and MP3 (libsndfile >= 1.1) are
read; only the requested span of a local file is read from disk (``seek`` + ``read``), and only the
span's bytes (plus headers and codec framing) of a URL (``url`` sources, and ``file`` sources whose
path is a URL or is mapped to one by :func:`lhotse_lite.remote.set_path_map`; any fsspec protocol:
``s3://``, ``gs://``, ``http(s)://``, see :mod:`lhotse_lite.remote`). Commands produce the whole
file, which is then decoded in memory.

Example:
    >>> import io, numpy as np, soundfile as sf
    >>> buf = io.BytesIO()
    >>> sf.write(buf, np.zeros(1600, np.float32), 16000, format="WAV")
    >>> src = AudioSource(type="memory", channels=[0], source=buf.getvalue())
    >>> samples, sampling_rate = src.read(offset=0.05)
    >>> samples.shape, samples.dtype, sampling_rate
    ((1, 800), dtype('float32'), 16000)
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

import numpy as np

from lhotse_lite import remote
from lhotse_lite.audio.backend import decode_span, info
from lhotse_lite.audio.command_guard import check_command_allowed, check_url_allowed
from lhotse_lite.checks import check_int
from lhotse_lite.errors import (
    AudioLoadingError,
    AudioNotFoundError,
    ConfigError,
    ManifestFieldError,
    RemoteBackendMissingError,
    RemoteError,
    RemoteNotFoundError,
)
from lhotse_lite.manifest.fields import check_dict_fields

__all__ = ["AudioSource", "SOURCE_TYPES", "URL_SIZE_ENV_VAR", "set_url_size_limit", "url_size_limit"]

logger = logging.getLogger(__name__)

SOURCE_TYPES = ("file", "command", "url", "memory")
"""The source types lhotse_lite reads (Lhotse's ``shar`` placeholders are not supported)."""

_FIELDS = ("type", "channels", "source")
URL_SIZE_ENV_VAR = "LHOTSE_LITE_URL_MAX_BYTES"
"""The environment variable read when :func:`set_url_size_limit` was not called (a number of bytes)."""

DEFAULT_URL_SIZE_LIMIT = 1 << 30
"""The most bytes a ``url`` source may deliver unless configured otherwise (1 GiB)."""

_url_limit: Optional[int] = None  # None: the environment variable, else DEFAULT_URL_SIZE_LIMIT
_STDERR_CHARS = 2000


@dataclass(slots=True)
class AudioSource:
    """One place to read audio from, holding one or more of a recording's channels.

    Args:
        type: ``"file"`` (a path), ``"command"`` (a shell pipeline writing an audio file to stdout, as
            in Kaldi's ``wav.scp``; a trailing ``|`` is allowed), ``"url"`` (any fsspec URL:
            ``s3://``, ``gs://``, ``http(s)://``, ``file://``, read with range requests; subject to
            :func:`~lhotse_lite.audio.command_guard.check_url_allowed` and, when read whole, to
            :func:`url_size_limit`) or ``"memory"`` (the encoded file as ``bytes``).
        channels: The recording's channel ids this source holds, in the order they are stored in the
            audio (e.g. ``[1]`` for the second of two mono files).
        source: A path, command or URL (``str``), or encoded bytes for ``"memory"``.

    Fields can be assigned, as in Lhotse; they are checked when the source is built, not when assigned
    (see :mod:`lhotse_lite.manifest.items`). An attribute that is not a field cannot be set.

    Raises:
        ManifestFieldError: unknown type, channels that are not distinct non-negative ints, or a
            source of the wrong type for ``type``.

    Example:
        >>> AudioSource(type="file", channels=[0], source="a.wav").to_dict()
        {'type': 'file', 'channels': [0], 'source': 'a.wav'}
    """

    type: str
    channels: List[int]
    source: Union[str, bytes]

    def __post_init__(self) -> None:
        if self.type not in SOURCE_TYPES:
            raise ManifestFieldError(
                f"AudioSource: expected type to be one of {', '.join(SOURCE_TYPES)}, got {self.type!r}"
            )
        channels = self.channels
        if not isinstance(channels, (list, tuple)) or not channels:
            raise ManifestFieldError(f"AudioSource: expected a non-empty list of channel ids, got {channels!r}")
        for channel in channels:
            check_int("AudioSource", "a channel id", channel, minimum=0, error=ManifestFieldError)
        if len(set(channels)) != len(channels):
            raise ManifestFieldError(f"AudioSource: expected distinct channel ids, got {list(channels)!r}")
        if isinstance(channels, tuple):
            self.channels = list(channels)
        wanted = bytes if self.type == "memory" else str
        if isinstance(self.source, Path) and wanted is str:
            self.source = str(self.source)
        if not isinstance(self.source, wanted):
            hint = " (memory sources cannot be stored in JSON/YAML; Lhotse cannot either)" if wanted is bytes else ""
            raise ManifestFieldError(
                f"AudioSource: a {self.type!r} source must be {wanted.__name__}, got {type(self.source).__name__}{hint}"
            )

    # ----------------------------------------------------------------------------------- manifest

    def to_dict(self) -> Dict[str, Any]:
        """The Lhotse 1.x dict form: ``{"type", "channels", "source"}`` (bytes stay bytes for memory)."""
        return {"type": self.type, "channels": list(self.channels), "source": self.source}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "AudioSource":
        """Builds a source from its dict form; ``data`` is not modified.

        Raises:
            ManifestFieldError: a missing or unknown field (Lhotse's ``video`` is not supported), or
                an invalid value.

        Example:
            >>> AudioSource.from_dict({"type": "url", "channels": [0, 1], "source": "file:///a.flac"})
            AudioSource(type='url', channels=[0, 1], source='file:///a.flac')
        """
        check_dict_fields(data, _FIELDS, (), "AudioSource")
        return cls(type=data["type"], channels=list(data["channels"]), source=data["source"])

    def with_path_prefix(self, path: Union[str, Path]) -> "AudioSource":
        """A copy whose relative file path is put under the folder ``path`` (other types are returned as is).

        Example:
            >>> AudioSource("file", [0], "a.wav").with_path_prefix("/data").source
            '/data/a.wav'
        """
        if self.type != "file" or not isinstance(self.source, str):
            return self
        return replace(self, source=str(Path(path) / self.source))

    def __repr__(self) -> str:
        shown = f"<{len(self.source)} bytes>" if isinstance(self.source, bytes) else self.source
        return f"AudioSource(type={self.type!r}, channels={self.channels!r}, source={shown!r})"

    # ------------------------------------------------------------------------------------ reading

    def read(self, offset: float = 0.0, duration: Optional[float] = None) -> Tuple[np.ndarray, int]:
        """Decodes ``duration`` seconds starting at ``offset`` seconds.

        For ``file`` and ``url`` sources only that span is read (from disk, or with range requests).
        For ``command`` and ``memory`` sources the whole encoded file is produced first and the span
        cut in memory.
        Reading past the end returns what there is (the caller compares it with the manifest).

        Args:
            offset: Start in seconds, in the source's own time line.
            duration: Length in seconds; ``None`` reads to the end.

        Returns:
            ``(samples, sampling_rate)``: float32 samples of shape ``(channels, samples)`` in
            ``[-1, 1]`` and the source's sampling rate.

        Raises:
            AudioNotFoundError: a missing file, URL or command program.
            AudioLoadingError: the data cannot be decoded, a command fails, or the number of channels
                in the audio differs from ``channels``.
        """
        mapped = self._mapped_path()
        if mapped is not None and remote.is_url(mapped):  # only the span's bytes (plus headers and framing)
            samples, sampling_rate = _read_url(mapped, offset, duration, self._where())
        else:  # the description is only built for an error message (redacting it costs ~10 us a read)
            samples, sampling_rate = decode_span(self._open_encoded(mapped), offset, duration, self._where)
        if samples.shape[0] != len(self.channels):
            raise AudioLoadingError(
                f"{self._where()}: the manifest lists {len(self.channels)} channel(s) {self.channels} "
                f"but the audio has {samples.shape[0]}; fix the source's 'channels'"
            )
        return samples, sampling_rate

    def load_audio(self, offset: float = 0.0, duration: Optional[float] = None) -> np.ndarray:
        """Like :meth:`read` but returns only the samples, shape ``(channels, samples)``."""
        return self.read(offset=offset, duration=duration)[0]

    def _where(self) -> str:
        if self.type == "memory":
            return f"memory source ({len(self.source)} bytes)"
        return f"{self.type} source {remote.redact(str(self.source))!r}"

    def _mapped_path(self) -> Optional[str]:
        """A ``file`` or ``url`` source's path or URL with the path map applied (``None`` for other types)."""
        if self.type not in ("file", "url"):
            return None
        return remote.map_path(str(self.source))

    def open_encoded(self) -> Union[str, io.BytesIO]:
        """Where the encoded audio is: the path of a file source, else the bytes in a ``BytesIO``.

        Commands are run and URLs downloaded here.

        Raises:
            AudioNotFoundError: a missing file, URL or command program.
            AudioLoadingError: a command fails or a URL cannot be read.

        Example:
            >>> AudioSource("memory", [0], b"RIFF").open_encoded().getvalue()
            b'RIFF'
        """
        return self._open_encoded(self._mapped_path())

    def _open_encoded(self, mapped: Optional[str]) -> Union[str, io.BytesIO]:
        """:meth:`open_encoded` with the path map already applied (``mapped``: :meth:`_mapped_path`)."""
        if mapped is not None and remote.is_url(mapped):
            return io.BytesIO(_fetch_url(mapped, self._where()))
        if self.type == "file" and mapped is not None:
            if not os.path.isfile(mapped):
                raise AudioNotFoundError(f"audio file not found: {mapped!r}; check the path (or with_path_prefix)")
            return mapped
        if self.type == "memory":
            return io.BytesIO(self.source)  # type: ignore[arg-type]
        if self.type == "command":
            return io.BytesIO(_run_command(str(self.source)))
        return io.BytesIO(_fetch_url(str(self.source), self._where()))  # a url source whose URL has no scheme


def _run_command(command: str) -> bytes:
    command = command.rstrip().rstrip("|").rstrip()
    check_command_allowed(command)  # manifests from elsewhere: see lhotse_lite.audio.command_guard
    logger.debug("running audio command: %s", command)
    try:
        result = subprocess.run(command, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    except OSError as err:
        raise AudioLoadingError(f"command source {command!r} could not be started: {err}") from err
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", errors="replace").strip()[-_STDERR_CHARS:]
        error = AudioNotFoundError if result.returncode == 127 else AudioLoadingError
        raise error(
            f"command source {command!r} failed with exit code {result.returncode}; stderr: {stderr or '(empty)'}"
        )
    if not result.stdout:
        raise AudioLoadingError(
            f"command source {command!r} wrote nothing to stdout; it must write an audio file there"
        )
    return result.stdout


def set_url_size_limit(max_bytes: Optional[int]) -> None:
    """Sets the most bytes a ``url`` audio source may deliver in this process.

    A span of a url source is read with range requests (only its bytes); a url source read whole
    (no duration, or the encoded bytes) larger than this is refused with
    :class:`~lhotse_lite.errors.AudioLoadingError` before it is read, instead of filling the memory.

    Args:
        max_bytes: A positive number of bytes; ``None`` goes back to the environment variable
            :data:`URL_SIZE_ENV_VAR`, else :data:`DEFAULT_URL_SIZE_LIMIT` (1 GiB).

    Raises:
        ConfigError: ``max_bytes`` is not a positive int or ``None``.

    Example:
        >>> set_url_size_limit(200 << 20); url_size_limit()
        209715200
        >>> set_url_size_limit(None); url_size_limit() == DEFAULT_URL_SIZE_LIMIT
        True
    """
    global _url_limit
    if max_bytes is not None:
        check_int("set_url_size_limit", "max_bytes", max_bytes, minimum=1, error=ConfigError)
    _url_limit = max_bytes


def url_size_limit() -> int:
    """The most bytes a ``url`` audio source may deliver (see :func:`set_url_size_limit`).

    Raises:
        ConfigError: :data:`URL_SIZE_ENV_VAR` is set to something other than a positive integer.

    Example:
        >>> url_size_limit() > 0
        True
    """
    if _url_limit is not None:
        return _url_limit
    value = os.environ.get(URL_SIZE_ENV_VAR, "").strip()
    if not value:
        return DEFAULT_URL_SIZE_LIMIT
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ConfigError(f"environment variable {URL_SIZE_ENV_VAR}={value!r}: expected a positive number of bytes")
    return limit


@contextlib.contextmanager
def _remote_errors(where: str) -> Iterator[None]:
    """Remote failures as audio errors (``AudioNotFoundError`` for a missing object), prefixed by ``where``."""
    try:
        yield
    except RemoteNotFoundError as err:
        raise AudioNotFoundError(f"{where}: {err}") from err
    except (RemoteError, RemoteBackendMissingError) as err:
        raise AudioLoadingError(f"{where}: {err}") from err


def _read_url(url: str, offset: float, duration: Optional[float], where: str) -> Tuple[np.ndarray, int]:
    """Decodes a span of a URL through a seekable remote file: only the bytes the decoder asks for are fetched."""
    if offset == 0 and duration is None:  # the whole file: one request, decoded from memory
        return decode_span(io.BytesIO(_fetch_url(url, where)), 0.0, None, where)
    check_url_allowed(url)  # manifests from elsewhere: see lhotse_lite.audio.command_guard
    logger.debug("reading audio span from URL: %s", remote.redact(url))
    with _remote_errors(where), remote.RemoteFile(url, defer_errors=True) as file:
        if file.size is None:  # a server that does not say the size: read it whole, up to the cap
            return decode_span(io.BytesIO(_read_unsized(url)), offset, duration, where)
        file.read(1)  # the headers are fetched here, not inside libsndfile's callbacks (which hold its lock)
        file.seek(0)
        if duration is not None:
            _expect_span(file, duration)
        else:
            _check_size(file, url)
        try:
            result = decode_span(file, offset, duration, where)
        except AudioLoadingError:
            file.raise_error()  # libsndfile saw the end of the data: a failed read is the real cause
            raise
        file.raise_error()
        return result


def _expect_span(file: remote.RemoteFile, duration: float) -> None:
    """Sizes the read-ahead after the decoder's seek to the span's share of the file (plus 10 % and 4 KiB)."""
    try:
        header = info(file)
    except AudioLoadingError:
        return  # decode_span reports it
    finally:
        file.seek(0)
    if file.size is not None and header.frames > 0 and header.samplerate > 0:
        share = duration * header.samplerate / header.frames
        file.expect_read(int(file.size * min(share, 1.0) * 1.1) + 4096)


def _fetch_url(url: str, where: str) -> bytes:
    """The whole object a URL names: its size (one metadata request), then all of it in one request."""
    check_url_allowed(url)  # manifests from elsewhere: see lhotse_lite.audio.command_guard
    logger.debug("fetching audio URL: %s", remote.redact(url))
    with _remote_errors(where), remote.RemoteFile(url, 1 << 22, 1 << 22) as file:
        if file.size is None:
            return _read_unsized(url)
        _check_size(file, url)
        file.expect_whole()
        return file.read()


def _read_unsized(url: str) -> bytes:
    """An object of unknown size read as a stream, cut off (an error) past :func:`url_size_limit`."""
    limit = url_size_limit()
    data = remote.read_capped(url, limit)
    if len(data) > limit:
        raise AudioLoadingError(
            f"url source {remote.redact(url)!r} sent more than the limit of {limit} bytes; if the file is really "
            f"that large, raise the limit with set_url_size_limit() or {URL_SIZE_ENV_VAR}"
        )
    return data


def _check_size(file: remote.RemoteFile, url: str) -> None:
    """Refuses to read whole an object larger than :func:`url_size_limit` (its size is known before reading)."""
    limit = url_size_limit()
    if file.size is not None and file.size > limit:
        raise AudioLoadingError(
            f"url source {remote.redact(url)!r} declares {file.size} bytes, more than the limit of {limit} bytes; "
            f"if the file is really that large, raise the limit with set_url_size_limit() or {URL_SIZE_ENV_VAR}"
        )
