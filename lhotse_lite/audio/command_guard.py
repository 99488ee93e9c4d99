"""Whether ``command`` and ``url`` audio sources may be used: guards for manifests you did not write.

A ``command`` source (and a piped Kaldi ``wav.scp`` entry, ``<id> <command> |``) is a shell pipeline
that lhotse_lite runs, as Lhotse does, whenever the recording's audio is loaded. A manifest from
someone else can therefore run any program as you. A ``url`` source makes lhotse_lite fetch a URL
(:data:`URL_SCHEMES`: ``http``, ``https``, ``ftp`` and ``file``, and any other ``<protocol>://`` URL
whose protocol fsspec knows: ``s3``, ``gs``, ...; see :mod:`lhotse_lite.remote`) when the audio is
loaded, and so does a ``file`` source whose path is such a URL: a
manifest from someone else can make your machine contact any host your network reaches, or read any
file you can read. For data you trust nothing changes: both run by default.

To refuse commands, call :func:`set_command_sources_allowed` with ``False`` or set the environment
variable ``LHOTSE_LITE_ALLOW_COMMANDS=0``; to refuse urls, :func:`set_url_sources_allowed` with
``False`` or ``LHOTSE_LITE_ALLOW_URLS=0`` (``0``/``false``/``no``/``off``; ``1``/``true``/``yes``/``on``
allow). An explicit call wins over the environment. A refused source raises
:class:`~lhotse_lite.errors.CommandSourceRefusedError` or
:class:`~lhotse_lite.errors.UrlSourceRefusedError` naming the command or URL (and, when loading a
recording, its id) without starting a process or opening a connection.

The settings are per process; :class:`~lhotse_lite.features.builder.FeatureSetBuilder` passes them
on to its worker processes (:func:`guard_settings`, :func:`apply_guard_settings`).

:class:`Switch` is the mechanism behind each guard (an explicit setting, else an environment variable,
else a default); the feature storage uses one for keys that point outside their folder.

Example:
    >>> set_command_sources_allowed(False)
    >>> check_command_allowed("sox a.flac -t wav -", "recording 'r1'")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.CommandSourceRefusedError: recording 'r1': refusing to run the command source 'sox a.flac ...
    >>> set_command_sources_allowed(None)  # back to the environment (default: allowed)
    >>> command_sources_allowed(), url_sources_allowed()
    (True, True)
"""

from __future__ import annotations

import logging
import os
from typing import Optional, Tuple, Union

from lhotse_lite import remote
from lhotse_lite.errors import AudioLoadingError, CommandSourceRefusedError, ConfigError, UrlSourceRefusedError

__all__ = [
    "ENV_VAR",
    "URL_ENV_VAR",
    "URL_SCHEMES",
    "Switch",
    "set_command_sources_allowed",
    "command_sources_allowed",
    "check_command_allowed",
    "set_url_sources_allowed",
    "url_sources_allowed",
    "check_url_allowed",
    "guard_settings",
    "apply_guard_settings",
]

logger = logging.getLogger(__name__)

ENV_VAR = "LHOTSE_LITE_ALLOW_COMMANDS"
"""The environment variable read when :func:`set_command_sources_allowed` was not called."""

URL_ENV_VAR = "LHOTSE_LITE_ALLOW_URLS"
"""The environment variable read when :func:`set_url_sources_allowed` was not called."""

URL_SCHEMES = ("http", "https", "ftp", "file")
"""The URL schemes a ``url`` source is fetched with, besides the ``<protocol>://`` URLs of the other
protocols fsspec knows (``s3``, ``gs``, ...); any other scheme is an error."""

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class Switch:
    """A per-process yes/no setting: an explicit value, else an environment variable, else a default.

    Args:
        env_var: The environment variable read while no explicit value is set.
        default: The value when neither is set.
        setter: The name of the function that sets it (for error messages).

    Example:
        >>> switch = Switch("MY_SWITCH", default=False, setter="set_my_switch")
        >>> switch.get(), switch.set(True), switch.get()
        (False, None, True)
    """

    def __init__(self, env_var: str, default: bool, setter: str) -> None:
        self.env_var = env_var
        self.default = default
        self.setter = setter
        self.explicit: Optional[bool] = None  # None: use the environment variable

    def set(self, allowed: Optional[bool]) -> None:
        """Sets the value (``True``/``False``); ``None`` goes back to the environment variable.

        Raises:
            ConfigError: ``allowed`` is not a bool or ``None``.
        """
        if allowed is not None and not isinstance(allowed, bool):
            raise ConfigError(f"{self.setter}: expected True, False or None, got {allowed!r}")
        self.explicit = allowed

    def get(self) -> bool:
        """The explicit value, else the environment variable's, else the default.

        Raises:
            ConfigError: The environment variable holds something other than a yes/no value.
        """
        if self.explicit is not None:
            return self.explicit
        value = os.environ.get(self.env_var)
        if value is None or value.strip() == "":
            return self.default
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"environment variable {self.env_var}={value!r}: expected one of {', '.join(_TRUE + _FALSE)}")


_COMMANDS = Switch(ENV_VAR, default=True, setter="set_command_sources_allowed")
_URLS = Switch(URL_ENV_VAR, default=True, setter="set_url_sources_allowed")


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
    _COMMANDS.set(allowed)


def command_sources_allowed() -> bool:
    """Whether ``command`` audio sources run (see the module docstring for how it is decided).

    Raises:
        ConfigError: The environment variable holds something other than a yes/no value.

    Example:
        >>> command_sources_allowed()
        True
    """
    return _COMMANDS.get()


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


def set_url_sources_allowed(allowed: Optional[bool]) -> None:
    """Allows (``True``) or refuses (``False``) fetching ``url`` audio sources in this process.

    Args:
        allowed: ``True`` or ``False``; ``None`` goes back to the environment variable
            :data:`URL_ENV_VAR` (allowed when it is not set).

    Raises:
        ConfigError: ``allowed`` is not a bool or ``None``.

    Example:
        >>> set_url_sources_allowed(False); url_sources_allowed()
        False
        >>> set_url_sources_allowed(None)
    """
    _URLS.set(allowed)


def url_sources_allowed() -> bool:
    """Whether ``url`` audio sources are fetched (see the module docstring for how it is decided).

    Raises:
        ConfigError: The environment variable holds something other than a yes/no value.

    Example:
        >>> url_sources_allowed()
        True
    """
    return _URLS.get()


def check_url_allowed(url: str, where: str = "") -> None:
    """Raises unless url sources are allowed and ``url``'s scheme is fetched (see :data:`URL_SCHEMES`).

    Args:
        url: The URL about to be fetched.
        where: What it belongs to, as the message starts (``"recording 'r1'"``); empty for nothing.

    Raises:
        UrlSourceRefusedError: url sources are refused; the message names ``where`` and the URL.
        AudioLoadingError: The URL's scheme is not one of :data:`URL_SCHEMES`, nor an fsspec protocol
            of a ``<protocol>://`` URL.

    Example:
        >>> check_url_allowed("https://example.org/a.flac")  # allowed by default: no error
        >>> check_url_allowed("gopher://example.org/a.flac")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.AudioLoadingError: url source 'gopher://example.org/a.flac': ... http, https, ftp, file ...
    """
    prefix = f"{where}: " if where else ""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in URL_SCHEMES and not (remote.is_url(url) and _fsspec_knows(scheme)):
        raise AudioLoadingError(
            f"{prefix}url source {remote.redact(url)!r}: the scheme {scheme!r} is not fetched; url sources are "
            f"fetched with one of {', '.join(URL_SCHEMES)} or a protocol fsspec knows (s3://, gs://, ...)"
        )
    if url_sources_allowed():
        return
    raise UrlSourceRefusedError(
        f"{prefix}refusing to fetch the url source {url!r}: url sources are disabled "
        f"(set_url_sources_allowed(False) or {URL_ENV_VAR}=0). Read the URL; if you trust it, "
        f"allow url sources with set_url_sources_allowed(True) or {URL_ENV_VAR}=1"
    )


def _fsspec_knows(protocol: str) -> bool:
    from fsspec.registry import known_implementations, registry

    return protocol in known_implementations or protocol in registry


def guard_settings() -> Tuple[bool, bool]:
    """This process's ``(commands allowed, urls allowed)``, to hand to a worker process.

    Example:
        >>> guard_settings()
        (True, True)
    """
    return command_sources_allowed(), url_sources_allowed()


def apply_guard_settings(settings: Union[bool, Tuple[bool, bool]]) -> None:
    """Sets what :func:`guard_settings` returned in another process (a bool sets commands only).

    Example:
        >>> apply_guard_settings((True, True))
    """
    if isinstance(settings, tuple):
        set_command_sources_allowed(settings[0])
        set_url_sources_allowed(settings[1])
    else:
        set_command_sources_allowed(settings)
