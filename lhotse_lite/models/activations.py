"""The activation functions of every model family, in one registry, by the names their references use.

:data:`ACTIVATIONS` maps a name to a parameter-free ``torch.nn.Module`` class (plain modules, so the
models stay TorchScript-compatible). Each family (:data:`FAMILIES`) accepts the names its reference
accepts, and an unknown name raises the error type its reference raises, with a message that lists the
family's names and the closest match:

* ``"MatchboxNet"``: gelu, hardtanh, identity, relu, selu, silu, swish (NeMo's ``jasper_activations``,
  its ``activation_registry``); an unknown name raises :class:`~lhotse_lite.errors.UnknownNameError`
  (a ``KeyError``, as NeMo's lookup does);
* ``"ConvEmformer"``: gelu, relu, silu (torchaudio's); :class:`~lhotse_lite.errors.ConfigError` (a
  ``ValueError``, as torchaudio raises);
* ``"TransformerEncoder"``: gelu, relu (the wav2vec 2.0 context network's);
  :class:`~lhotse_lite.errors.ConfigError`.

``"swish"`` and ``"silu"`` are the same function; ``"hardtanh"`` is ``nn.Hardtanh()`` with PyTorch's
default range ``[-1, 1]`` (a MatchboxNet block built with ``activation=None`` uses NeMo's clipped ReLU
instead, see :class:`~lhotse_lite.models.matchbox.ConvBlock`).

Example:
    >>> make_activation("gelu", "ConvEmformer")
    GELU(approximate='none')
    >>> try:
    ...     make_activation("selu", "ConvEmformer")
    ... except ValueError as err:
    ...     print(err)
    unknown ConvEmformer activation 'selu'; did you mean 'silu'? Available: gelu, relu, silu
"""

from __future__ import annotations

from typing import Callable, Dict, NamedTuple, Tuple, Type

from torch import nn

from lhotse_lite.errors import ConfigError, LhotseLiteError, UnknownNameError
from lhotse_lite.registry import Registry

__all__ = ["ACTIVATIONS", "FAMILIES", "make_activation"]

ACTIVATIONS: Registry[Callable[[], nn.Module]] = Registry("activation")
ACTIVATIONS.register("gelu", nn.GELU)
ACTIVATIONS.register("hardtanh", nn.Hardtanh)
ACTIVATIONS.register("identity", nn.Identity)
ACTIVATIONS.register("relu", nn.ReLU)
ACTIVATIONS.register("selu", nn.SELU)
ACTIVATIONS.register("silu", nn.SiLU)
ACTIVATIONS.register("swish", nn.SiLU)


class _Family(NamedTuple):
    names: Tuple[str, ...]
    error: Type[LhotseLiteError]


#: The activation names each model family accepts, and the error an unknown name raises.
FAMILIES: Dict[str, _Family] = {
    "MatchboxNet": _Family(tuple(ACTIVATIONS.names()), UnknownNameError),
    "ConvEmformer": _Family(("gelu", "relu", "silu"), ConfigError),
    "TransformerEncoder": _Family(("gelu", "relu"), ConfigError),
}


def _family_registry(family: str) -> Registry[Callable[[], nn.Module]]:
    registry: Registry[Callable[[], nn.Module]] = Registry(f"{family} activation")
    for name in FAMILIES[family].names:
        registry.register(name, ACTIVATIONS.get(name))
    return registry


_REGISTRIES = {family: _family_registry(family) for family in FAMILIES}


def make_activation(name: str, family: str) -> nn.Module:
    """A new activation module for ``name``, one of the names ``family`` accepts.

    Args:
        name: An activation name (see the table above).
        family: ``"MatchboxNet"``, ``"ConvEmformer"`` or ``"TransformerEncoder"``.

    Returns:
        A parameter-free ``torch.nn.Module``.

    Raises:
        UnknownNameError: ``name`` is not a MatchboxNet activation.
        ConfigError: ``name`` is not a ConvEmformer / TransformerEncoder activation.
        KeyError: ``family`` is not one of the families above.

    Example:
        >>> make_activation("swish", "MatchboxNet"), make_activation("relu", "TransformerEncoder")
        (SiLU(), ReLU())
    """
    try:
        factory = _REGISTRIES[family].get(name)
    except UnknownNameError as err:
        error = FAMILIES[family].error
        if error is UnknownNameError:
            raise
        raise error(str(err)) from err
    return factory()
