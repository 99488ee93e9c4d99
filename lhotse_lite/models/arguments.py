"""Checks of model constructor arguments shared by every model family (MatchboxNet, ConvEmformer, wav2vec).

Each check raises :class:`~lhotse_lite.errors.ConfigError` naming the module being built (``where``),
the argument, the allowed range and the value it got, so a bad config is fixed without reading code.

Example:
    >>> check_at_least("ConvEmformer", 1, segment_length=4, kernel_size=0)
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.ConfigError: ConvEmformer: kernel_size must be >= 1, got 0
"""

from __future__ import annotations

from lhotse_lite.errors import ConfigError

__all__ = ["check_at_least", "check_probability"]


def check_probability(where: str, **values: float) -> None:
    """Checks that each value is a probability in ``[0, 1)`` (dropout rates, masking rates).

    Args:
        where: The module being built, as error messages name it.
        **values: ``name=value`` pairs to check.

    Raises:
        ConfigError: A value is not a number in ``[0, 1)``.

    Example:
        >>> check_probability("W2VLatentExtractor", dropout=0.1)
        >>> check_probability("W2VLatentExtractor", dropout=1.0)
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: W2VLatentExtractor: dropout must be in [0, 1), got 1.0
    """
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
            raise ConfigError(f"{where}: {name} must be in [0, 1), got {value!r}")


def check_at_least(where: str, minimum: int, **values: int) -> None:
    """Checks that each value is at least ``minimum`` (sizes ``>= 1``, context lengths ``>= 0``).

    Args:
        where: The module being built, as error messages name it.
        minimum: The smallest allowed value.
        **values: ``name=value`` pairs to check.

    Raises:
        ConfigError: A value is below ``minimum``.

    Example:
        >>> check_at_least("ConvEmformer", 0, left_context_length=-1)
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: ConvEmformer: left_context_length must be >= 0, got -1
    """
    for name, value in values.items():
        if value < minimum:
            raise ConfigError(f"{where}: {name} must be >= {minimum}, got {value!r}")
