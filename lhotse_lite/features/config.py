"""Shared behaviour of feature extractor configs: Lhotse's dict/YAML layout and validation.

Configs are frozen dataclasses whose field names and defaults are Lhotse's, so a Lhotse feature
config YAML (``Fbank(FbankConfig()).to_yaml(...)``) loads here. ``to_dict`` drops ``None`` values as
Lhotse does; ``from_dict`` rejects unknown fields with the list of valid ones, and checks every value
against its field's type (``bool``, ``int``, ``float``, ``str``, optionally ``None``) before the
config's own range checks run, so ``num_filters: "eighty"`` in a YAML file is a
:class:`~lhotse_lite.errors.ConfigError` naming the field, not a ``TypeError`` deep inside.

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class ToyConfig(ExtractorConfig):
    ...     sampling_rate: int = 16000
    ...     frame_shift: float = 0.01
    >>> ToyConfig.from_dict({"frame_shift": 0.02}).to_dict()
    {'sampling_rate': 16000, 'frame_shift': 0.02}
"""

from __future__ import annotations

import dataclasses
import typing
from typing import TYPE_CHECKING, Any, ClassVar, Dict, Type, TypeVar

from lhotse_lite.checks import check_int, check_number
from lhotse_lite.errors import ConfigError, UnknownFieldError

__all__ = ["ExtractorConfig", "EPSILON"]

EPSILON = 1e-10
"""Lhotse's default ``energy_floor``."""

C = TypeVar("C", bound="ExtractorConfig")


class ExtractorConfig:
    """Mixin for config dataclasses: ``to_dict``/``from_dict`` in Lhotse's layout.

    Example:
        >>> from lhotse_lite.features.kaldi.extractors import MfccConfig
        >>> MfccConfig.from_dict(MfccConfig(num_ceps=20).to_dict()) == MfccConfig(num_ceps=20)
        True
        >>> MfccConfig.from_dict({"num_cepstra": 20})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.UnknownFieldError: MfccConfig has no field(s) ['num_cepstra']; valid fields: ...
    """

    if TYPE_CHECKING:  # every subclass is a dataclass
        __dataclass_fields__: ClassVar[Dict[str, dataclasses.Field[Any]]]

    def to_dict(self) -> Dict[str, Any]:
        """Fields as a dict, ``None`` values dropped."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls: Type[C], data: Dict[str, Any]) -> C:
        """Builds a config from a dict such as :meth:`to_dict` (or Lhotse) writes.

        Raises:
            UnknownFieldError: A key is not a field of this config (a ``ConfigError`` and a ``TypeError``,
                as Lhotse's ``cls(**data)`` raises).
            ConfigError: A value has the wrong type (the message names the field, what it must be and
                what it got).
        """
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(str(key) for key in set(data) - set(names))
        if unknown:
            raise UnknownFieldError(f"{cls.__name__} has no field(s) {unknown}; valid fields: {', '.join(names)}")
        hints = typing.get_type_hints(cls)
        return cls(**{name: _checked(cls.__name__, name, value, hints.get(name)) for name, value in data.items()})


def _checked(where: str, name: str, value: Any, hint: Any) -> Any:
    """``value`` checked against the field type ``hint`` (``X`` or ``Optional[X]``), as stored."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is typing.Union and type(None) in args:
        if value is None:
            return None
        rest = [arg for arg in args if arg is not type(None)]
        hint = rest[0] if len(rest) == 1 else None
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {name} must be true or false, got {value!r}")
        return value
    if hint is int:
        return check_int(where, name, value, allow_integral_float=True)
    if hint is float:
        return check_number(where, name, value)
    if hint is str and not isinstance(value, str):
        raise ConfigError(f"{where}: {name} must be a string, got {value!r}")
    return value
