"""Argument checks shared by the whole package: integers, finite numbers, seconds, probabilities.

Every check names *where* the value was given (a class, a function, ``recording 'rec1'``), the argument,
what is allowed and what it got, and raises an error of our tree (:class:`~lhotse_lite.errors.ConfigError`
unless the caller passes another class, e.g. :class:`~lhotse_lite.errors.ManifestFieldError` for a field
read from a manifest). ``bool`` is never accepted as a number: ``True`` for a sampling rate is a bug.
Each check returns the value converted to its plain Python type, so callers store what was checked.

Example:
    >>> check_int("split_fixed_chunks", "chunk_size", 0, minimum=1)
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.ConfigError: split_fixed_chunks: chunk_size must be an int >= 1, got 0
    >>> check_seconds("recording 'r1'", "duration", 2)
    2.0
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Optional, Type

from lhotse_lite.errors import ConfigError, LhotseLiteError

__all__ = ["check_int", "check_number", "check_probability", "check_seconds", "check_sampling_rate"]


def check_int(
    where: str,
    name: str,
    value: object,
    minimum: Optional[int] = None,
    *,
    allow_integral_float: bool = False,
    hint: str = "",
    error: Type[LhotseLiteError] = ConfigError,
) -> int:
    """Checks that ``value`` is an int (not a bool), at least ``minimum`` when given.

    Args:
        where: What the value belongs to, as the message starts (``"ConvEmformer"``, ``"recording 'r1'"``).
        name: The argument or field name.
        value: The value to check.
        minimum: The smallest allowed value; ``None`` for no bound.
        allow_integral_float: Also accept floats with an integral value (``16000.0``), as JSON and YAML
            manifests may hold them.
        hint: Advice appended to the message (``"pass the number of frames per chunk"``).
        error: The error class to raise.

    Returns:
        The value as an ``int``.

    Raises:
        ConfigError: (or ``error``) the value is not an int, or is below ``minimum``.

    Example:
        >>> check_int("Resample", "target_sampling_rate", 8000.0, minimum=1, allow_integral_float=True)
        8000
        >>> check_int("BlockConfig", "repeat", True, minimum=1)
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: BlockConfig: repeat must be an int >= 1, got True
    """
    integral_float = allow_integral_float and isinstance(value, float) and math.isfinite(value) and value == int(value)
    number: Optional[int] = None
    if (isinstance(value, Integral) and not isinstance(value, bool)) or (integral_float and isinstance(value, float)):
        number = int(value)
    if number is None or (minimum is not None and number < minimum):
        bound = "" if minimum is None else f" >= {minimum}"
        raise error(_message(where, name, f"an int{bound}", value, hint))
    return number


def check_number(
    where: str,
    name: str,
    value: object,
    minimum: Optional[float] = None,
    maximum: Optional[float] = None,
    *,
    minimum_open: bool = False,
    maximum_open: bool = False,
    hint: str = "",
    error: Type[LhotseLiteError] = ConfigError,
) -> float:
    """Checks that ``value`` is a finite real number (not a bool) in the given range.

    Args:
        where: What the value belongs to, as the message starts.
        name: The argument or field name.
        value: The value to check.
        minimum: The lower bound; ``None`` for none.
        maximum: The upper bound; ``None`` for none.
        minimum_open: Exclude ``minimum`` itself (``> minimum`` instead of ``>=``).
        maximum_open: Exclude ``maximum`` itself.
        hint: Advice appended to the message.
        error: The error class to raise.

    Returns:
        The value as a ``float``.

    Raises:
        ConfigError: (or ``error``) not a finite number, or out of range.

    Example:
        >>> check_number("Fbank", "preemph_coeff", 0.97, 0.0, 1.0)
        0.97
        >>> check_number("Speed", "factor", 0, 0.0, minimum_open=True)
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: Speed: factor must be a finite number > 0.0, got 0
    """
    number = float(value) if isinstance(value, Real) and not isinstance(value, bool) else math.nan
    ok = math.isfinite(number)
    if ok and minimum is not None:
        ok = number > minimum if minimum_open else number >= minimum
    if ok and maximum is not None:
        ok = number < maximum if maximum_open else number <= maximum
    if not ok:
        expected = "a finite number" + _range(minimum, maximum, minimum_open, maximum_open)
        raise error(_message(where, name, expected, value, hint))
    return number


def check_seconds(
    where: str, name: str, value: object, *, hint: str = "", error: Type[LhotseLiteError] = ConfigError
) -> float:
    """Checks that ``value`` is a time in seconds: a finite number ``>= 0``.

    Args:
        where: What the value belongs to, as the message starts.
        name: The argument or field name.
        value: The value to check.
        hint: Advice appended to the message.
        error: The error class to raise.

    Returns:
        The value as a ``float``.

    Raises:
        ConfigError: (or ``error``) not a finite number of seconds ``>= 0``.

    Example:
        >>> check_seconds("load_audio", "offset", -0.5)
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: load_audio: offset must be a number of seconds >= 0, got -0.5
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value < 0:
        raise error(_message(where, name, "a number of seconds >= 0", value, hint))
    return float(value)


def check_probability(
    where: str, name: str, value: object, *, hint: str = "", error: Type[LhotseLiteError] = ConfigError
) -> float:
    """Checks that ``value`` is a rate in ``[0, 1)`` (dropout and masking rates).

    Args:
        where: What the value belongs to, as the message starts.
        name: The argument or field name.
        value: The value to check.
        hint: Advice appended to the message.
        error: The error class to raise.

    Returns:
        The value as a ``float``.

    Raises:
        ConfigError: (or ``error``) not a number in ``[0, 1)``.

    Example:
        >>> check_probability("W2VLatentExtractor", "dropout", 1.0)
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: W2VLatentExtractor: dropout must be in [0, 1), got 1.0
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 <= float(value) < 1.0:
        raise error(_message(where, name, "in [0, 1)", value, hint))
    return float(value)


def check_sampling_rate(
    where: str,
    sampling_rate: int,
    expected: int,
    *,
    expected_by: str,
    fix: str,
    error: Type[LhotseLiteError] = ConfigError,
) -> None:
    """Checks that the audio of ``where`` has the sampling rate that ``expected_by`` expects.

    The one sampling-rate comparison of the package: feature extraction against the extractor's
    configured rate (:func:`~lhotse_lite.features.extractor.check_extractor_sampling_rate`, used by the
    extractors and by the feature builder before it loads a recording) and audio loading (a file against
    its manifest) both end here, so every mismatch reads the same way.

    Args:
        where: Whose audio it is, as the message starts (``"recording 'r1'"``).
        sampling_rate: The rate the audio has, in Hz.
        expected: The rate expected, in Hz.
        expected_by: Who expects it (``"the kaldi-fbank extractor"``, ``"the manifest"``).
        fix: What to do about it, appended to the message.
        error: The error class to raise.

    Raises:
        ConfigError: (or ``error``) the rates differ.

    Example:
        >>> check_sampling_rate("'a.wav'", 8000, 16000, expected_by="the manifest", fix="resample it")
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: 'a.wav' has sampling rate 8000 Hz but the manifest expects 16000 Hz; resample it
    """
    if sampling_rate != expected:
        raise error(f"{where} has sampling rate {sampling_rate} Hz but {expected_by} expects {expected} Hz; {fix}")


def _range(minimum: Optional[float], maximum: Optional[float], minimum_open: bool, maximum_open: bool) -> str:
    if minimum is not None and maximum is not None:
        return f" in {'(' if minimum_open else '['}{minimum}, {maximum}{')' if maximum_open else ']'}"
    if minimum is not None:
        return f" {'>' if minimum_open else '>='} {minimum}"
    if maximum is not None:
        return f" {'<' if maximum_open else '<='} {maximum}"
    return ""


def _message(where: str, name: str, expected: str, value: object, hint: str) -> str:
    text = f"{where}: {name} must be {expected}, got {value!r}"
    return f"{text}; {hint}" if hint else text
