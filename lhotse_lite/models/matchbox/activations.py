"""Activation functions of MatchboxNet blocks, by the names NeMo's configs use.

``"hardtanh"`` is ``nn.Hardtanh()`` with PyTorch's default range ``[-1, 1]``; a block built with
``activation=None`` uses NeMo's Jasper default instead, a ReLU clipped at 20 (``nn.Hardtanh(0, 20)``).
``"swish"`` and ``"silu"`` are the same function.
"""

from __future__ import annotations

from typing import Callable, Optional, Union

from torch import nn

from lhotse_lite.registry import Registry

__all__ = ["ACTIVATIONS", "make_activation"]

ACTIVATIONS: Registry[Callable[[], nn.Module]] = Registry("activation")
ACTIVATIONS.register("hardtanh", nn.Hardtanh)
ACTIVATIONS.register("relu", nn.ReLU)
ACTIVATIONS.register("selu", nn.SELU)
ACTIVATIONS.register("swish", nn.SiLU)
ACTIVATIONS.register("silu", nn.SiLU)


def make_activation(activation: Optional[Union[str, nn.Module]]) -> nn.Module:
    """Returns the activation module for a name, an existing module, or ``None`` (clipped ReLU).

    Args:
        activation: A name registered in :data:`ACTIVATIONS` (``"relu"``, ``"hardtanh"``, ``"selu"``,
            ``"swish"``, ``"silu"``), an ``nn.Module`` (returned as is), or ``None`` for
            ``nn.Hardtanh(0.0, 20.0)``.

    Returns:
        An ``nn.Module`` without parameters.

    Raises:
        UnknownNameError: An unregistered name; the message lists the registered ones.

    Example:
        >>> make_activation("relu"), make_activation(None)
        (ReLU(), Hardtanh(min_val=0.0, max_val=20.0))
    """
    if activation is None:
        return nn.Hardtanh(min_val=0.0, max_val=20.0)
    if isinstance(activation, nn.Module):
        return activation
    return ACTIVATIONS.get(activation)()
