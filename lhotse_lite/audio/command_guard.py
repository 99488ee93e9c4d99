"""Whether ``command`` audio sources may run: a guard for manifests you did not write.

A ``command`` source (and a piped Kaldi ``wav.scp`` entry, ``<id> <command> |``) is a shell pipeline
that lhotse_lite runs, as Lhotse does, whenever the recording's audio is loaded. A manifest from
someone else can therefore run any program as you. For data you trust nothing changes: commands run
by default. To refuse them, call :func:`set_command_sources_allowed` with ``False`` or set the
environment variable ``LHOTSE_LITE_ALLOW_COMMANDS=0`` (``0``/``false``/``no``/``off``; ``1``/``true``/
``yes``/``on`` allow). An explicit call wins over the environment. A refused command raises
:class:`~lhotse_lite.errors.CommandSourceRefusedError` naming the command (and, when loading a
recording, its id) without starting a process.

The setting is per process; :class:`~lhotse_lite.features.builder.FeatureSetBuilder` passes it on to
its worker processes.

Example:
    >>> set_command_sources_allowed(False)
    >>> check_command_allowed("sox a.flac -t wav -", "recording 'r1'")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.CommandSourceRefusedError: recording 'r1': refusing to run the command source 'sox a.flac ...
    >>> set_command_sources_allowed(None)  # back to the environment (default: allowed)
    >>> command_sources_allowed()
    True
"""

from __future__ import annotations

import logging
import os
from typing import Optional

from lhotse_lite.errors import CommandSourceRefusedError, ConfigError

__all__ = ["ENV_VAR", "set_command_sources_allowed", "command_sources_allowed", "check_command_allowed"]

logger = logging.getLogger(__name__)

ENV_VAR = "LHOTSE_LITE_ALLOW_COMMANDS"
"""The environment variable read when :func:`set_command_sources_allowed` was not called."""

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_allowed: Optional[bool] = None  # None: not set explicitly, use the environment (default: allowed)


def set_command_sources_allowed(allowed: Optional[bool]) -> None:
    """Allows (``True``) or refuses (``False``) running ``command`` audio sources in this process.

    Args:
        allowed: ``True`` or ``False``; ``None`` goes back to the environment variable
            :data:`ENV_VAR` (allowed when it is not set).

    Raises:
        ConfigError: ``allowed`` is not a bool or ``None``.

    Example:
        >>> set_command_sources_allowed(False); command_sources_allowed()
        False
        >>> set_command_sources_allowed(None)
    """
    global _allowed
    if allowed is not None and not isinstance(allowed, bool):
        raise ConfigError(f"set_command_sources_allowed: expected True, False or None, got {allowed!r}")
    _allowed = allowed


def command_sources_allowed() -> bool:
    """Whether ``command`` audio sources run (see the module docstring for how it is decided).

    Raises:
        ConfigError: The environment variable holds something other than a yes/no value.

    Example:
        >>> command_sources_allowed()
        True
    """
    if _allowed is not None:
        return _allowed
    value = os.environ.get(ENV_VAR)
    if value is None or value.strip() == "":
        return True
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(
        f"environment variable {ENV_VAR}={value!r}: expected one of {', '.join(_TRUE + _FALSE)}"
    )


def check_command_allowed(command: str, where: str = "") -> None:
    """Raises unless command sources are allowed; call it before running ``command``.

    Args:
        command: The shell command about to run.
        where: What it belongs to, as the message starts (``"recording 'r1'"``, ``"wav.scp:3"``);
            empty for nothing.

    Raises:
        CommandSourceRefusedError: Commands are refused; the message names ``where`` and the command.

    Example:
        >>> check_command_allowed("cat a.wav", "recording 'r1'")  # allowed by default: no error
    """
    if command_sources_allowed():
        return
    prefix = f"{where}: " if where else ""
    raise CommandSourceRefusedError(
        f"{prefix}refusing to run the command source {command!r}: command sources are disabled "
        f"(set_command_sources_allowed(False) or {ENV_VAR}=0). Read the command; if you trust it, "
        f"allow commands with set_command_sources_allowed(True) or {ENV_VAR}=1"
    )
