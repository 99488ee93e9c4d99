"""Squeeze-and-excitation over time (NeMo's ``SqueezeExcite``, used by Citrinet-style Jasper blocks).

Each channel of a ``(batch, channels, time)`` input is rescaled by a gate in ``(0, 1)`` computed from the
input itself: the "squeeze" averages every channel over the item's valid frames (padded frames are
zeroed first), two bias-free linear layers with an activation between them ("excite",
``channels -> channels // reduction_ratio -> channels``) and a sigmoid give one gate per channel.

The layer keeps NeMo's parameter names (``fc.0.weight``, ``fc.2.weight``) and its arithmetic: the same
reductions in the same order, computed in float32 even under autocast or for half-precision inputs.
"""

from __future__ import annotations

import logging
from typing import Optional, Tuple

import torch
from torch import nn
from torch.nn import functional as F

from lhotse_lite.checks import check_int
from lhotse_lite.errors import ConfigError

__all__ = ["SqueezeExcite", "refuse_quantize"]

logger = logging.getLogger(__name__)


def refuse_quantize(quantize: bool, where: str) -> None:
    """Raises for ``quantize=True``: NeMo's quantised layers come from a package lhotse_lite does not use.

    Args:
        quantize: The ``quantize`` option of a NeMo-style constructor.
        where: The class (and block) the option was given to, for the message.

    Raises:
        ConfigError: ``quantize`` is true.

    Example:
        >>> refuse_quantize(False, "ConvBlock")  # the off value is accepted
    """
    if quantize:
        raise ConfigError(
            f"{where}: quantize=True needs NVIDIA's pytorch_quantization package (NeMo builds its "
            f"QuantConv1d/QuantLinear layers and TensorQuantizer from it); lhotse_lite does not implement "
            f"quantisation-aware layers. Use quantize=False (a quantised NeMo checkpoint's float weights "
            f"still load), or NeMo with pytorch_quantization installed for quantisation"
        )


class SqueezeExcite(nn.Module):
    """Masked squeeze-and-excitation of a ``(batch, channels, time)`` tensor.

    Args:
        channels: Input (and output) channels.
        reduction_ratio: The hidden layer has ``channels // reduction_ratio`` units.
        context_window: ``< 0``: the squeeze averages over all valid frames. ``>= 0``: in training
            mode it averages over ``context_window`` consecutive frames starting at a random frame
            (one start for the batch, drawn with ``torch.randint`` as NeMo draws it, so both give the
            same result under the same seed); in eval mode over all valid frames, as NeMo does.
        interpolation_mode: Kept and exposed as in NeMo, which does not use it either (its
            interpolation step is commented out in NeMo 3.0.0).
        activation: The activation between the two linear layers (a module, shared if the caller
            shares it); ``None`` for ``nn.ReLU(inplace=True)``, NeMo's default.
        quantize: Must be ``False``, see :func:`refuse_quantize`.

    Shapes:
        ``forward(x, lengths)``: ``x`` is ``(batch, channels, time)``, ``lengths`` ``(batch,)`` valid frames.
        Returns ``(y, lengths)``: ``y`` like ``x`` (padded frames zero), ``lengths`` unchanged.

    Raises:
        ConfigError: ``channels`` or ``reduction_ratio`` below 1, or ``quantize=True``.

    Example:
        >>> se = SqueezeExcite(8, reduction_ratio=4)
        >>> y, lengths = se(torch.randn(2, 8, 10), torch.tensor([10, 6]))
        >>> tuple(y.shape), float(y[1, :, 6:].abs().sum()), [n for n, _ in se.named_parameters()]
        ((2, 8, 10), 0.0, ['fc.0.weight', 'fc.2.weight'])
    """

    def __init__(
        self,
        channels: int,
        reduction_ratio: int,
        context_window: int = -1,
        interpolation_mode: str = "nearest",
        activation: Optional[nn.Module] = None,
        quantize: bool = False,
    ) -> None:
        super().__init__()
        refuse_quantize(quantize, "SqueezeExcite")
        check_int("SqueezeExcite", "channels", channels, minimum=1)
        check_int("SqueezeExcite", "reduction_ratio", reduction_ratio, minimum=1)
        if not isinstance(interpolation_mode, str):
            raise ConfigError(f"SqueezeExcite: interpolation_mode must be a string, got {interpolation_mode!r}")
        self.returns_lengths = True
        self.interpolation_mode = interpolation_mode
        self._quantize = False
        hidden = channels // reduction_ratio
        if hidden == 0:
            logger.warning(
                "SqueezeExcite: channels=%d // reduction_ratio=%d is 0 hidden units, so every gate is a constant "
                "sigmoid(0) = 0.5 (NeMo builds the same layer); use a reduction_ratio <= channels",
                channels,
                reduction_ratio,
            )
        self.fc = nn.Sequential(
            nn.Linear(channels, hidden, bias=False),
            nn.ReLU(inplace=True) if activation is None else activation,
            nn.Linear(hidden, channels, bias=False),
        )
        self.context_window = check_int("SqueezeExcite", "context_window", context_window)

    def change_context_window(self, context_window: int) -> None:
        """Sets the squeeze's context window (NeMo's method of the same name), see the class docstring.

        Args:
            context_window: Frames averaged in training mode; ``< 0`` for all valid frames.
        """
        logger.info("changing the squeeze-excite context window from %d to %d", self.context_window, context_window)
        self.context_window = check_int("SqueezeExcite", "context_window", context_window)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Gates every channel of ``x``; shapes in the class docstring."""
        if not torch.jit.is_scripting():
            with torch.autocast(x.device.type, enabled=False):
                return self._excite(x, lengths), lengths
        if x.is_cuda:
            with torch.autocast("cuda", enabled=False):
                y = self._excite(x, lengths)
        else:
            y = self._excite(x, lengths)
        return y, lengths

    def _excite(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        compute = torch.promote_types(dtype, torch.float32)  # half/bfloat16 -> float32, as NeMo
        x = x.to(compute)
        time = torch.arange(x.size(-1), device=x.device)
        valid = (time.unsqueeze(0) < lengths.to(x.device).unsqueeze(-1)).unsqueeze(1)  # (B, 1, T)
        x = x.masked_fill(~valid, 0.0)
        y = self._squeeze(x, valid).transpose(1, -1)  # (B, 1, C)
        squeeze_weight, excite_weight = self.fc[0].weight, self.fc[2].weight
        # narrows Module.__getattr__'s ``Tensor | Module`` for the type checker (TorchScript knows the types)
        if not isinstance(squeeze_weight, torch.Tensor) or not isinstance(excite_weight, torch.Tensor):
            raise TypeError("SqueezeExcite: fc[0].weight and fc[2].weight must be tensors (was fc replaced?)")
        y = F.linear(y, squeeze_weight.to(compute))
        y = self.fc[1](y)
        y = F.linear(y, excite_weight.to(compute)).transpose(1, -1)  # (B, C, 1)
        return (x * torch.sigmoid(y)).to(dtype)

    def _squeeze(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Per-channel mean over the valid frames (of one random window in training), ``(B, C, 1)``."""
        steps = x.size(-1)
        window = self.context_window
        if window < 0 or not self.training or steps < window:
            return torch.sum(x, dim=-1, keepdim=True) / valid.sum(dim=-1, keepdim=True).to(x.dtype)
        start = 0
        if steps > window:  # NeMo draws from [0, steps - window); it cannot draw when they are equal
            start = int(torch.randint(0, steps - window, [1], dtype=torch.int32)[0])
        part = x[:, :, start : start + window]
        count = valid[:, :, start : start + window].sum(dim=-1, keepdim=True).to(x.dtype)
        return part.sum(dim=-1, keepdim=True) / (count + 1e-8)
