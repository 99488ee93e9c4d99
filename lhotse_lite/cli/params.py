"""Parameter types shared by the ``lite`` commands.

click's ``FLOAT`` accepts ``nan`` and ``inf``, which no duration, tolerance, weight or frame shift
can be (and ``nan`` compares false with everything, so a filter would keep nothing without a word).
:class:`FiniteFloat` refuses them, and values below a minimum, as a usage error naming the option.

Example:
    >>> import click
    >>> FiniteFloat(minimum=0).convert("1.5", None, None)
    1.5
    >>> FiniteFloat(minimum=0).convert("nan", None, None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: 'nan' is not a finite number ...
"""

from __future__ import annotations

import math
from typing import Any, Optional

import click

__all__ = ["FiniteFloat"]


class FiniteFloat(click.ParamType):
    """A finite float (no ``nan``/``inf``), at least ``minimum`` (or above it when ``strict``).

    Args:
        minimum: The smallest value allowed; ``None`` for no bound.
        strict: Whether ``minimum`` itself is refused (a value must be greater).

    Example:
        >>> FiniteFloat(minimum=0, strict=True).convert("0.01", None, None)
        0.01
    """

    name = "float"

    def __init__(self, minimum: Optional[float] = None, strict: bool = False) -> None:
        self.minimum = minimum
        self.strict = strict

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number (nan and inf are not allowed)", param, ctx)
        if self.minimum is not None and (number < self.minimum or (self.strict and number == self.minimum)):
            relation = "greater than" if self.strict else "at least"
            self.fail(f"{value!r}: expected a number {relation} {self.minimum:g}", param, ctx)
        return number

    def __repr__(self) -> str:
        return f"FiniteFloat(minimum={self.minimum!r}, strict={self.strict!r})"
