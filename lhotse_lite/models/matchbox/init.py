"""Weight initialisation for MatchboxNet modules: the modes NeMo's ``init_weights`` understands.

Modes for ``nn.Conv1d`` / ``nn.Linear`` weights (biases keep PyTorch's default):

- ``"xavier_uniform"`` / ``"xavier_normal"``: Glorot, gain 1.
- ``"kaiming_uniform"`` / ``"kaiming_normal"``: He, for a ReLU non-linearity.
- ``"tds_uniform"`` / ``"tds_normal"``: Hannun et al., "Sequence-to-Sequence Speech Recognition with
  Time-Depth Separable Convolutions" (Interspeech 2019): ``U(-2/sqrt(fan), 2/sqrt(fan))`` or
  ``N(0, (2/sqrt(fan))^2)``, i.e. a variance of ``4 / (3 fan)`` resp. ``4 / fan``.
- ``None``: leave the weights as they are.

``nn.BatchNorm1d`` layers are reset whatever the mode: running mean 0, running variance 1, no batches
tracked, scale 1, shift 0. Group norms keep PyTorch's defaults (which are the same values).
"""

from __future__ import annotations

import math
from typing import Optional, Tuple

import torch
from torch import nn

from lhotse_lite.errors import ConfigError

__all__ = ["INIT_MODES", "init_weights", "tds_normal_", "tds_uniform_"]

INIT_MODES: Tuple[str, ...] = (
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "tds_uniform",
    "tds_normal",
)


def _fan(tensor: torch.Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ConfigError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    if tensor.dim() < 2:
        raise ConfigError(f"fan in/out needs a weight with at least 2 dimensions, got shape {tuple(tensor.shape)}")
    receptive_field = 1
    for size in tensor.shape[2:]:
        receptive_field *= int(size)
    fan_in = int(tensor.shape[1]) * receptive_field
    fan_out = int(tensor.shape[0]) * receptive_field
    return fan_in if mode == "fan_in" else fan_out


def tds_uniform_(tensor: torch.Tensor, mode: str = "fan_in") -> torch.Tensor:
    """Fills ``tensor`` in place from ``U(-b, b)`` with ``b = 2 / sqrt(fan)`` (TDS initialisation).

    Uniform initialisation of Hannun et al., "Sequence-to-Sequence Speech Recognition with Time-Depth
    Separable Convolutions" (Interspeech 2019).

    Args:
        tensor: A weight with at least 2 dimensions, e.g. ``(out_channels, in_channels / groups, kernel)``.
        mode: ``"fan_in"`` (default) keeps the variance of the activations in the forward pass;
            ``"fan_out"`` keeps the variance of the gradients in the backward pass.

    Returns:
        ``tensor`` itself, filled.

    Raises:
        ConfigError: Unknown ``mode`` or a tensor with fewer than 2 dimensions.

    Example:
        >>> w = tds_uniform_(torch.empty(8, 4, 25))
        >>> bool(w.abs().max() <= 2 / (4 * 25) ** 0.5)
        True
    """
    bound = 2.0 / math.sqrt(_fan(tensor, mode))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


def tds_normal_(tensor: torch.Tensor, mode: str = "fan_in") -> torch.Tensor:
    """Fills ``tensor`` in place from ``N(0, std^2)`` with ``std = 2 / sqrt(fan)`` (TDS initialisation).

    Normal initialisation of Hannun et al., "Sequence-to-Sequence Speech Recognition with Time-Depth
    Separable Convolutions" (Interspeech 2019).

    Args:
        tensor: A weight with at least 2 dimensions, e.g. ``(out_channels, in_channels / groups, kernel)``.
        mode: ``"fan_in"`` (default) or ``"fan_out"``, as for :func:`tds_uniform_`.

    Returns:
        ``tensor`` itself, filled.

    Raises:
        ConfigError: Unknown ``mode`` or a tensor with fewer than 2 dimensions.

    Example:
        >>> w = tds_normal_(torch.empty(64, 64, 100))
        >>> round(float(w.std()) * (64 * 100) ** 0.5 / 2, 1)
        1.0
    """
    std = 2.0 / math.sqrt(_fan(tensor, mode))
    with torch.no_grad():
        return tensor.normal_(0.0, std)


def init_weights(m: nn.Module, mode: Optional[str] = "xavier_uniform") -> None:
    """Initialises one module in place; meant for ``model.apply(lambda m: init_weights(m, mode))``.

    Convolution and linear weights are drawn according to ``mode`` (see the module docstring);
    batch norms are reset to their neutral state. Other modules are left alone (``apply`` visits the
    ``nn.Conv1d`` inside a :class:`~lhotse_lite.models.matchbox.MaskedConv1d` by itself).

    Args:
        m: The module to initialise.
        mode: One of :data:`INIT_MODES`, or ``None`` to keep convolution/linear weights as they are.

    Raises:
        ConfigError: ``mode`` is not ``None`` and not one of :data:`INIT_MODES`.

    Example:
        >>> bn = nn.BatchNorm1d(4)
        >>> _ = bn.running_mean.fill_(3.0)
        >>> init_weights(bn)
        >>> bn.running_mean.tolist()
        [0.0, 0.0, 0.0, 0.0]
    """
    if mode is not None and mode not in INIT_MODES:
        raise ConfigError(f"unknown init_mode {mode!r}; expected None or one of {', '.join(INIT_MODES)}")
    if isinstance(m, (nn.Conv1d, nn.Linear)):
        if mode == "xavier_uniform":
            nn.init.xavier_uniform_(m.weight, gain=1.0)
        elif mode == "xavier_normal":
            nn.init.xavier_normal_(m.weight, gain=1.0)
        elif mode == "kaiming_uniform":
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
        elif mode == "kaiming_normal":
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        elif mode == "tds_uniform":
            tds_uniform_(m.weight)
        elif mode == "tds_normal":
            tds_normal_(m.weight)
    elif isinstance(m, nn.BatchNorm1d):
        m.reset_running_stats()  # zero mean, unit variance, no batches tracked (when tracked)
        if m.affine:
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
