"""Skipping recordings whose audio cannot be read, with a logged warning (Lhotse's helpers).

Both helpers catch :class:`~lhotse_lite.errors.AudioLoadingError`, which covers every failed read:
missing files (:class:`~lhotse_lite.errors.AudioNotFoundError`), undecodable data, failing commands
and audio shorter or longer than its manifest (:class:`~lhotse_lite.errors.DurationMismatchError`).
Invalid requests (an unknown channel, an offset past the end) are bugs of the caller and are not
suppressed. Each suppressed error is logged at WARNING level with its message, which names the
recording.

Example:
    >>> from lhotse_lite.audio import AudioSource, Recording
    >>> rec = Recording("r1", [AudioSource("file", [0], "missing.wav")], 16000, 16000, 1.0)
    >>> with suppress_audio_loading_errors():
    ...     audio = rec.load_audio()
    >>> null_result_on_audio_loading_error(rec.load_audio)() is None
    True
"""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, TypeVar

from lhotse_lite.errors import AudioLoadingError

__all__ = ["suppress_audio_loading_errors", "null_result_on_audio_loading_error"]

logger = logging.getLogger(__name__)

R = TypeVar("R")


@contextmanager
def suppress_audio_loading_errors(enabled: bool = True) -> Iterator[None]:
    """A context in which an :class:`~lhotse_lite.errors.AudioLoadingError` is logged and swallowed.

    Execution continues after the ``with`` block; anything assigned inside it before the error keeps
    its old value.

    Args:
        enabled: ``False`` lets the errors through (to switch the behaviour with a flag).

    Example:
        >>> from lhotse_lite.errors import AudioNotFoundError
        >>> with suppress_audio_loading_errors():
        ...     raise AudioNotFoundError("recording 'r1': audio file not found: 'r1.wav'")
        >>> with suppress_audio_loading_errors(enabled=False):
        ...     raise AudioNotFoundError("recording 'r1': audio file not found: 'r1.wav'")
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.AudioNotFoundError: recording 'r1': audio file not found: 'r1.wav'
    """
    if not enabled:
        yield
        return
    try:
        yield
    except AudioLoadingError as err:
        logger.warning("[Suppressed %s] Error message: %s", type(err).__qualname__, err)


def null_result_on_audio_loading_error(func: Callable[..., R]) -> Callable[..., Optional[R]]:
    """Wraps ``func`` so that it returns ``None`` when it fails to read audio (the error is logged).

    Example:
        >>> from lhotse_lite.errors import AudioLoadingError
        >>> @null_result_on_audio_loading_error
        ... def broken():
        ...     raise AudioLoadingError("cannot decode audio")
        >>> broken() is None
        True
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Optional[R]:
        with suppress_audio_loading_errors():
            return func(*args, **kwargs)
        return None

    return wrapper
