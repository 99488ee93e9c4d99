"""The exception tree of lhotse_lite.

Every error the library raises on purpose derives from :class:`LhotseLiteError`. Each subclass also
derives from the builtin exception a caller would naturally catch (``ValueError``, ``KeyError``,
``FileNotFoundError``, ...), so ``except ValueError`` keeps working for code written against Lhotse.

Where Lhotse raises a builtin exception at the same place (an ``assert`` for a channel that does not
exist, ``TypeError`` for an unknown config field, ``FileNotFoundError`` for missing stored features),
our error derives from that builtin too, and the audio errors derive from
:class:`AudioLoadingError`, Lhotse's name for an audio read that failed.

A message states what was expected, the actual value, where (``file:line`` or an id) and, when there
is one, the fix.

Example:
    >>> from lhotse_lite.errors import DuplicateIdError, LhotseLiteError
    >>> try:
    ...     raise DuplicateIdError("duplicate id 'utt1' in supervisions.jsonl:3")
    ... except ValueError as err:
    ...     isinstance(err, LhotseLiteError)
    True
"""

from __future__ import annotations

__all__ = [
    "LhotseLiteError",
    "ManifestError",
    "ManifestFormatError",
    "ManifestFieldError",
    "FieldNameError",
    "ManifestArgumentError",
    "StaleIndexError",
    "NotCheckpointableError",
    "UnknownFormatError",
    "NotStreamableError",
    "DuplicateIdError",
    "UnknownIdError",
    "ItemIndexError",
    "UnknownLengthError",
    "UnknownAttributeError",
    "AudioError",
    "AudioNotFoundError",
    "AudioLoadingError",
    "CommandSourceRefusedError",
    "UrlSourceRefusedError",
    "DurationMismatchError",
    "ConfigError",
    "UnknownNameError",
    "UnknownFieldError",
    "DuplicateRegistrationError",
    "StorageError",
    "StorageNotFoundError",
    "StorageFormatError",
    "StorageKeyRefusedError",
    "FileWriteError",
    "OutputLockedError",
    "OutputChangedError",
    "CollapsedUrlError",
    "ResumeMismatchError",
    "ManifestNotFoundError",
    "ShapeError",
    "AudioSpanError",
    "AudioSpanPastEndError",
    "ValidationError",
    "SignalValueError",
    "DownloadError",
    "RemoteError",
    "RemoteNotFoundError",
    "RemoteAccessError",
    "RemoteChangedError",
    "RemoteBackendMissingError",
]


class LhotseLiteError(Exception):
    """Root of every error raised on purpose by lhotse_lite.

    Example:
        >>> from lhotse_lite.errors import ConfigError, LhotseLiteError
        >>> issubclass(ConfigError, LhotseLiteError) and issubclass(ConfigError, ValueError)
        True
    """


class ManifestError(LhotseLiteError, ValueError):
    """A manifest (file or object) is not valid."""


class ManifestFormatError(ManifestError):
    """A manifest file cannot be parsed: malformed JSON/YAML, a truncated gzip stream, ..."""


class ManifestFieldError(ManifestError):
    """A manifest item has a missing, unexpected or wrongly typed field, or an invalid value."""


class FieldNameError(ManifestFieldError, TypeError, KeyError):
    """A manifest dict lacks a required field or has a field the item does not know.

    Also a ``TypeError`` and a ``KeyError``: Lhotse's ``from_dict`` raises one of those at the same place
    (``cls(**data)`` with a missing or unexpected keyword, ``data.pop("sources")``).
    """

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable.
        return str(self.args[0]) if self.args else ""


class ManifestArgumentError(ManifestError, AssertionError):
    """A manifest operation got arguments it cannot use: ``subset()`` with both or neither of ``first`` and
    ``last``, ``mux()`` of fewer than two sets, ``repeat(times=0)``, ``trim(start=-1)``, ...

    Also an ``AssertionError``: Lhotse checks these arguments with ``assert``, so ``except AssertionError``
    written for Lhotse keeps working.
    """


class StaleIndexError(ManifestFormatError):
    """An index sidecar does not describe its data file as it is now (changed, truncated, or another file's)."""


class NotCheckpointableError(LhotseLiteError, NotImplementedError):
    """A lazy iterator node cannot save or restore its position (``state_dict``); Lhotse 2.0 raises
    ``NotImplementedError`` there."""


class UnknownFormatError(LhotseLiteError, ValueError):
    """A file extension (or format name) that lhotse_lite does not know how to read or write."""


class NotStreamableError(UnknownFormatError, AssertionError):
    """A file that is not JSONL was opened lazily (only JSONL can be streamed).

    Also an ``AssertionError``, which is what Lhotse's ``load_manifest_lazy`` raises here.
    """


class DuplicateIdError(LhotseLiteError, ValueError):
    """Two items of one manifest share an id."""


class UnknownIdError(LhotseLiteError, KeyError):
    """An id was looked up that the manifest does not contain."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable.
        return str(self.args[0]) if self.args else ""


class ItemIndexError(LhotseLiteError, IndexError):
    """A position ``manifest[n]`` outside the manifest (or a negative one on a lazy manifest)."""


class UnknownLengthError(LhotseLiteError, TypeError):
    """``len()`` of a lazy manifest whose length is not known without a full pass (a filter, an endless
    repeat or mux). A ``TypeError``, as Python's ``len()`` and Lhotse raise for such objects."""


class UnknownAttributeError(LhotseLiteError, AttributeError):
    """An attribute that is neither a field nor a custom field of a manifest item was read."""


class AudioError(LhotseLiteError, OSError):
    """Audio could not be read or does not match its manifest."""


class AudioLoadingError(AudioError):
    """Audio cannot be read: the source cannot be decoded, a command fails, ... (Lhotse's name)."""


class AudioNotFoundError(AudioLoadingError, FileNotFoundError):
    """An audio file (or a command's program) referenced by a manifest does not exist."""


class CommandSourceRefusedError(AudioError, PermissionError):
    """A ``command`` audio source (or a piped ``wav.scp`` entry) was not run because commands are refused.

    See :func:`lhotse_lite.audio.set_command_sources_allowed`.
    """


class UrlSourceRefusedError(AudioError, PermissionError):
    """A ``url`` audio source was not fetched because url sources are refused.

    See :func:`lhotse_lite.audio.set_url_sources_allowed`.
    """


class DurationMismatchError(AudioLoadingError, ValueError):
    """The audio on disk is longer or shorter than the manifest declares, beyond the tolerance.

    Lhotse raises ``AudioLoadingError`` for this when the whole recording is read and its own
    ``DurationMismatchError`` when a source is too short for the requested span; ours is both.
    """


class ConfigError(LhotseLiteError, ValueError, AssertionError):
    """An option value is invalid or does not fit the other options (e.g. ``high_freq`` above Nyquist).

    Also an ``AssertionError``: Lhotse checks options with ``assert``.
    """


class UnknownNameError(LhotseLiteError, KeyError):
    """A name was looked up in a registry (extractors, storage, manifest types) that is not registered."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownFieldError(ConfigError, TypeError):
    """A dict read into a config has a key that is not one of its fields (Lhotse: ``TypeError``)."""


class DuplicateRegistrationError(LhotseLiteError, ValueError):
    """A registry name was registered twice."""


class StorageError(LhotseLiteError, OSError):
    """Stored features (or other arrays) cannot be written or read."""


class StorageNotFoundError(StorageError, FileNotFoundError):
    """The file or archive that a features manifest points to does not exist."""


class StorageFormatError(StorageError, ValueError):
    """Stored bytes or a storage key cannot be decoded (not lilcom/npy data, a truncated archive)."""


class StorageKeyRefusedError(StorageError, PermissionError):
    """A storage key points outside its storage folder (``../``) and such keys are refused.

    See :func:`lhotse_lite.features.io.set_outside_storage_keys_allowed`.
    """


class FileWriteError(LhotseLiteError, OSError):
    """Writing a file failed (no space left, quota exceeded, read-only file system); names the file.

    ``errno`` is the operating system's error number (e.g. ``errno.ENOSPC``).
    """

    def __str__(self) -> str:  # OSError would format errno/filename itself; keep our message
        return str(self.args[0]) if self.args else ""


class OutputLockedError(LhotseLiteError, BlockingIOError):
    """An output (manifest, feature archive or folder) is being written by another run, which holds its lock.

    Also a ``BlockingIOError``: what ``fcntl.flock`` raises for a lock that is taken.
    See :mod:`lhotse_lite.output_lock`.
    """


class OutputChangedError(LhotseLiteError, FileExistsError):
    """An output on an object store was written by another run while this run wrote it; it is not overwritten.

    See :class:`lhotse_lite.output_lock.RemoteOutput`.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CollapsedUrlError(LhotseLiteError, ValueError):
    """A local output path that is a URL with its ``//`` collapsed to ``/`` (``Path("s3://b/x")`` is ``s3:/b/x``).

    Writing it would create a local folder named ``s3:``; pass URLs as strings (see :doc:`/remote`).
    """


class ResumeMismatchError(LhotseLiteError, ValueError):
    """A resume was asked of an output that another job produced (another extractor, config or storage).

    The message names the difference and the ways out: start over (``--overwrite``) or write elsewhere.
    """


class ManifestNotFoundError(LhotseLiteError, FileNotFoundError):
    """A manifest file or directory (e.g. a Kaldi data directory) does not exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ShapeError(LhotseLiteError, ValueError, AssertionError):
    """A tensor or array has the wrong shape, dtype or length for the operation.

    Also an ``AssertionError``: Lhotse checks shapes with ``assert``.
    """


class AudioSpanError(AudioError, ValueError, AssertionError):
    """``load_audio`` was asked for an offset, duration or channel that the recording does not have.

    Also an ``AssertionError``, which Lhotse raises for an unknown channel or an offset past the end.
    """


class AudioSpanPastEndError(AudioSpanError, DurationMismatchError):
    """``load_audio`` was asked for a span that ends past the recording's end (beyond the tolerance).

    Also a :class:`DurationMismatchError` (so an :class:`AudioLoadingError`): Lhotse raises its
    ``DurationMismatchError`` for such a span, when the source holds less audio than requested.
    """


class ValidationError(ManifestError, AssertionError):
    """A manifest failed :func:`lhotse_lite.qa.validate` (or another check of :mod:`lhotse_lite.qa`).

    The message lists every problem found. Also an ``AssertionError``: Lhotse's ``lhotse.qa``
    validators check with ``assert``.
    """


class SignalValueError(LhotseLiteError, ValueError):
    """A signal or feature tensor holds values an operation cannot use (NaN, infinity)."""


class DownloadError(LhotseLiteError, OSError):
    """A corpus archive could not be downloaded (no network, a refused URL, a truncated transfer)."""


class RemoteError(LhotseLiteError, OSError):
    """A URL (``s3://``, ``http(s)://``, ...) could not be read or written; the message names it and the status."""


class RemoteNotFoundError(RemoteError, FileNotFoundError):
    """The object a URL names does not exist (HTTP 404)."""


class RemoteAccessError(RemoteError, PermissionError):
    """The store refused access to a URL (HTTP 401/403): missing or wrong credentials or permissions."""


class RemoteChangedError(RemoteError):
    """The object a URL names changed after it was opened (its ETag is another): open it again."""


class RemoteBackendMissingError(LhotseLiteError, ImportError):
    """The fsspec back end of a URL's protocol is not installed; the message names the extra to install."""
