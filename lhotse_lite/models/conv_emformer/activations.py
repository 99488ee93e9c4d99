"""Activation functions a ConvEmformer accepts for its feed-forward and convolution modules.

The names are torchaudio's: ``"relu"``, ``"gelu"``, ``"silu"``.

Example:
    >>> activation_module("gelu")
    GELU(approximate='none')
"""

from typing import Callable

import torch

from lhotse_lite.errors import ConfigError, UnknownNameError
from lhotse_lite.registry import Registry

__all__ = ["ACTIVATIONS", "activation_module"]

ACTIVATIONS: Registry[Callable[[], torch.nn.Module]] = Registry("ConvEmformer activation")
ACTIVATIONS.register("relu", torch.nn.ReLU)
ACTIVATIONS.register("gelu", torch.nn.GELU)
ACTIVATIONS.register("silu", torch.nn.SiLU)


def activation_module(name: str) -> torch.nn.Module:
    """A new activation module for a registered name.

    Args:
        name: One of :data:`ACTIVATIONS` (``"relu"``, ``"gelu"``, ``"silu"``).

    Returns:
        A parameter-free ``torch.nn.Module``.

    Raises:
        ConfigError: ``name`` is not registered (a ``ValueError``, as in torchaudio); the message lists
            the registered names and the closest match.

    Example:
        >>> activation_module("silu")
        SiLU()
    """
    try:
        factory = ACTIVATIONS.get(name)
    except UnknownNameError as err:
        raise ConfigError(f"{err}; pass one of those as ffn_activation / conv_activation") from err
    return factory()
