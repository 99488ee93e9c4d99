"""Where a recording's samples come from: a file, a shell command, a URL or bytes in memory.

An :class:`AudioSource` names one place to read audio from and which of the recording's channels it
holds, in Lhotse 1.x's layout (``{"type": ..., "channels": [...], "source": ...}``). Decoding goes
through libsndfile (``soundfile``), so WAV, FLAC, OGG/Vorbis, Opus and MP3 (libsndfile >= 1.1) are
read; only the requested span of a local file is read from disk (``seek`` + ``read``). Commands and
URLs produce the whole file, which is then decoded in memory.

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

import io
import logging
import os
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from lhotse_lite.audio.backend import decode_span
from lhotse_lite.audio.command_guard import check_command_allowed, check_url_allowed
from lhotse_lite.checks import check_int
from lhotse_lite.errors import AudioLoadingError, AudioNotFoundError, ConfigError, ManifestFieldError
from lhotse_lite.manifest.fields import check_dict_fields

__all__ = ["AudioSource", "SOURCE_TYPES", "URL_SIZE_ENV_VAR", "set_url_size_limit", "url_size_limit"]

logger = logging.getLogger(__name__)

SOURCE_TYPES = ("file", "command", "url", "memory")
"""The source types lhotse_lite reads (Lhotse's ``shar`` placeholders are not supported)."""

_FIELDS = ("type", "channels", "source")
_URL_TIMEOUT_S = 60.0
_URL_READ_BYTES = 1 << 20

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
            in Kaldi's ``wav.scp``; a trailing ``|`` is allowed), ``"url"`` (a URL with one of the
            schemes in :data:`~lhotse_lite.audio.command_guard.URL_SCHEMES`: ``http``, ``https``,
            ``ftp``, ``file``; at most :func:`url_size_limit` bytes) or ``"memory"`` (the encoded file
            as ``bytes``).
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
                f"AudioSource: a {self.type!r} source must be {wanted.__name__}, "
                f"got {type(self.source).__name__}{hint}"
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
        if self.type != "file":
            return self
        return replace(self, source=str(Path(path) / self.source))

    def __repr__(self) -> str:
        shown = f"<{len(self.source)} bytes>" if isinstance(self.source, bytes) else self.source
        return f"AudioSource(type={self.type!r}, channels={self.channels!r}, source={shown!r})"

    # ------------------------------------------------------------------------------------ reading

    def read(self, offset: float = 0.0, duration: Optional[float] = None) -> Tuple[np.ndarray, int]:
        """Decodes ``duration`` seconds starting at ``offset`` seconds.

        For ``file`` sources only that span is read from disk. For ``command``, ``url`` and
        ``memory`` sources the whole encoded file is produced first and the span cut in memory.
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
        samples, sampling_rate = decode_span(self.open_encoded(), offset, duration, self._where())
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
        return f"{self.type} source {self.source!r}"

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
        if self.type == "file":
            if not os.path.isfile(self.source):
                raise AudioNotFoundError(f"audio file not found: {self.source!r}; check the path (or with_path_prefix)")
            return str(self.source)
        if self.type == "memory":
            return io.BytesIO(self.source)  # type: ignore[arg-type]
        if self.type == "command":
            return io.BytesIO(_run_command(str(self.source)))
        return io.BytesIO(_fetch_url(str(self.source)))


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

    A url source is downloaded whole before it is decoded; a server that sends more than this (or
    an endless body) is cut off with :class:`~lhotse_lite.errors.AudioLoadingError` instead of
    filling the memory.

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


def _fetch_url(url: str) -> bytes:
    check_url_allowed(url)  # manifests from elsewhere: see lhotse_lite.audio.command_guard
    limit = url_size_limit()
    logger.debug("fetching audio URL: %s", url)
    try:
        with urllib.request.urlopen(url, timeout=_URL_TIMEOUT_S) as response:
            return _read_capped(response, url, limit)
    except AudioLoadingError:
        raise
    except urllib.error.HTTPError as err:
        error = AudioNotFoundError if err.code == 404 else AudioLoadingError
        raise error(f"url source {url!r}: HTTP {err.code} {err.reason}") from err
    except urllib.error.URLError as err:
        error = AudioNotFoundError if isinstance(err.reason, FileNotFoundError) else AudioLoadingError
        raise error(f"url source {url!r} cannot be opened: {err.reason}") from err
    except (OSError, ValueError) as err:
        raise AudioLoadingError(f"url source {url!r} cannot be opened: {err}") from err


def _read_capped(response: Any, url: str, limit: int) -> bytes:
    """Reads a response body of at most ``limit`` bytes (refusing a larger declared length at once)."""
    fix = (f"if the file is really that large, raise the limit with set_url_size_limit() or "
           f"{URL_SIZE_ENV_VAR}")
    declared = response.headers.get("Content-Length") if getattr(response, "headers", None) else None
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise AudioLoadingError(
            f"url source {url!r} declares {int(declared)} bytes, more than the limit of {limit} bytes; {fix}")
    parts = []
    total = 0
    while True:
        part = response.read(min(_URL_READ_BYTES, limit + 1 - total))
        if not part:
            return b"".join(parts)
        parts.append(part)
        total += len(part)
        if total > limit:
            raise AudioLoadingError(f"url source {url!r} sent more than the limit of {limit} bytes; {fix}")
