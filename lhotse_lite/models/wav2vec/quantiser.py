"""Gumbel-softmax product quantisation: the wav2vec 2.0 targets.

:class:`GumbelVectorQuantizer` picks one codeword per group (``groups`` codebooks of ``num_vars``
entries) for every frame and concatenates them: the hard arg-max in eval mode, the straight-through
Gumbel-softmax (hard one-hot forward, soft gradient backward) in training. It also reports the codebook
perplexities that the diversity loss needs. :class:`W2VTargetQuantiser` wraps it with a final linear
projection, as SpeechBrain's ``W2VTargetQuantiser`` does (Baevski et al., 2020,
https://arxiv.org/abs/2006.11477, section 2 and 3.2).

The temperature follows ``max(max_temp * decay ** step, min_temp)``; call :meth:`update_temp` with the
optimiser step (the temperature is not part of the state dict: call it again after loading a checkpoint).

Metrics are returned as 0-dim tensors (SpeechBrain returns ``num_vars`` and ``temp`` as Python numbers)
so the modules stay TorchScript-compatible.

Example:
    >>> import torch
    >>> quantiser = W2VTargetQuantiser()
    >>> targets, meta = quantiser(torch.rand(10, 12, 512))
    >>> targets.shape
    torch.Size([10, 12, 256])
    >>> sorted(meta)
    ['code_perplex', 'diversity_loss', 'num_vars', 'prob_perplex', 'temp']
"""

from __future__ import annotations

import math
from typing import Dict, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from lhotse_lite.errors import ConfigError, ShapeError

__all__ = ["GumbelVectorQuantizer", "W2VTargetQuantiser", "perplexity"]


def perplexity(probs: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Summed perplexity of per-group distributions: ``sum_g exp(-sum_v p[g, v] log(p[g, v] + eps))``.

    Args:
        probs: Probabilities ``(groups, num_vars)``, each row summing to 1.
        eps: Added inside the log so empty codewords contribute 0.

    Returns:
        0-dim tensor between ``groups`` (every group uses one codeword) and ``groups * num_vars``
        (uniform use).

    Example:
        >>> import torch
        >>> round(float(perplexity(torch.full((2, 4), 0.25))), 4)
        8.0
    """
    return torch.exp(-torch.sum(probs * torch.log(probs + eps), dim=-1)).sum()


class GumbelVectorQuantizer(nn.Module):
    """Product quantiser with ``groups`` Gumbel-softmax codebooks of ``num_vars`` codewords each.

    Args:
        input_dim: Size of the input frames.
        num_vars: Codewords per group.
        temp_tuple: ``(max_temp, min_temp, decay)`` of the Gumbel temperature schedule.
        groups: Number of codebooks; one codeword is chosen from each.
        vq_dim: Size of the output frames (the concatenated codewords); divisible by ``groups``.

    Raises:
        ConfigError: A size is not positive, ``vq_dim`` is not divisible by ``groups`` or
            ``temp_tuple`` is not three positive numbers with ``min_temp <= max_temp``.

    Shapes:
        ``forward(x)``: ``x`` is ``(batch, time, input_dim)``; returns a dict with ``"x"``
        ``(batch, time, vq_dim)`` and the 0-dim tensors ``"num_vars"`` (``groups * num_vars``),
        ``"code_perplexity"`` (of the hard choices), ``"prob_perplex"`` (of the softmax averaged over
        frames, the one the diversity loss uses) and ``"temp"``.

    State dict: ``vars (1, groups * num_vars, vq_dim / groups)``, ``max_ent ()`` (a frozen parameter
    holding ``log(groups * num_vars)``, kept for checkpoint compatibility), ``weight_proj.weight
    (groups * num_vars, input_dim)``, ``weight_proj.bias``.

    Example:
        >>> import torch
        >>> quantiser = GumbelVectorQuantizer(128, 100, (2.0, 0.25, 0.999995), 2, 50)
        >>> quantiser(torch.rand(10, 12, 128))["x"].shape
        torch.Size([10, 12, 50])
        >>> sum(p.numel() for p in quantiser.parameters())
        30801
    """

    def __init__(self, input_dim: int, num_vars: int, temp_tuple: Sequence[float], groups: int, vq_dim: int) -> None:
        super().__init__()
        if min(input_dim, num_vars, groups, vq_dim) < 1 or vq_dim % groups:
            raise ConfigError(
                "GumbelVectorQuantizer: expected positive sizes with vq_dim divisible by groups, got "
                f"input_dim={input_dim}, num_vars={num_vars}, groups={groups}, vq_dim={vq_dim}"
            )
        temps = tuple(float(t) for t in temp_tuple)
        if len(temps) != 3 or min(temps) <= 0 or temps[1] > temps[0]:
            raise ConfigError(
                "GumbelVectorQuantizer: expected temp_tuple=(max_temp, min_temp, decay) of positive "
                f"numbers with min_temp <= max_temp, got {tuple(temp_tuple)}"
            )
        self.input_dim = input_dim
        self.num_vars = num_vars
        self.groups = groups
        self.vq_dim = vq_dim
        self.max_temp, self.min_temp, self.temp_decay = temps
        self.curr_temp: float = self.max_temp
        self.vars = nn.Parameter(torch.empty(1, groups * num_vars, vq_dim // groups))
        nn.init.uniform_(self.vars)
        self.weight_proj = nn.Linear(input_dim, groups * num_vars)
        nn.init.normal_(self.weight_proj.weight, mean=0.0, std=1.0)
        nn.init.zeros_(self.weight_proj.bias)
        self.max_ent = nn.Parameter(torch.tensor(math.log(groups * num_vars)), requires_grad=False)

    @torch.jit.export
    def update_temp(self, steps: int) -> None:
        """Set the temperature for optimiser step ``steps``: ``max(max_temp * decay**steps, min_temp)``.

        Example:
            >>> quantiser = GumbelVectorQuantizer(8, 4, (2.0, 0.5, 0.5), 2, 4)
            >>> quantiser.update_temp(1); quantiser.curr_temp
            1.0
            >>> quantiser.update_temp(10); quantiser.curr_temp
            0.5
        """
        self.curr_temp = max(self.max_temp * self.temp_decay**steps, self.min_temp)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Quantise ``(batch, time, input_dim)`` frames; see the class docstring for the result."""
        if x.dim() != 3 or x.size(-1) != self.input_dim:
            raise ShapeError(
                f"GumbelVectorQuantizer: expected input (batch, time, {self.input_dim}), got shape {list(x.shape)}"
            )
        bsz, tsz = x.size(0), x.size(1)
        logits = self.weight_proj(x.reshape(-1, self.input_dim)).view(bsz * tsz, self.groups, -1)
        choice = logits.argmax(dim=-1, keepdim=True)
        hard = torch.zeros_like(logits).scatter_(-1, choice, 1.0)
        code_perplexity = perplexity(hard.float().mean(dim=0))
        avg_probs = torch.softmax(logits.float(), dim=-1).mean(dim=0)
        prob_perplex = perplexity(avg_probs)
        if self.training:
            one_hot = F.gumbel_softmax(logits.float(), tau=self.curr_temp, hard=True).type_as(logits)
        else:
            one_hot = hard
        # (B*T, G, V, 1) * (1, G, V, D/G) summed over V: the chosen codeword of every group
        codewords = self.vars.view(1, self.groups, self.num_vars, -1)
        out = (one_hot.unsqueeze(-1) * codewords).sum(dim=-2).view(bsz, tsz, self.vq_dim)
        return {
            "x": out,
            "num_vars": torch.tensor(self.num_vars * self.groups, device=x.device),
            "code_perplexity": code_perplexity,
            "prob_perplex": prob_perplex,
            "temp": torch.tensor(self.curr_temp, device=x.device),
        }


class W2VTargetQuantiser(nn.Module):
    """Quantised wav2vec 2.0 targets: a two-group :class:`GumbelVectorQuantizer` and a linear projection.

    Args:
        in_dim: Size of the latent frames (the latent extractor's output).
        out_dim: Size of the quantised frames and of the projected targets.
        quantiser: The quantiser class, called as ``quantiser(in_dim, num_vars, temperature_decay, 2,
            out_dim)``.
        num_vars: Codewords per group (2 groups).
        temperature_decay: ``(max_temp, min_temp, decay)`` of the Gumbel temperature schedule.

    Shapes:
        ``forward(x)``: ``x`` is ``(batch, time, in_dim)``; returns ``targets (batch, time, out_dim)``
        and a dict of 0-dim tensors: ``diversity_loss`` (``(num_vars - prob_perplex) / num_vars``),
        ``code_perplex``, ``prob_perplex``, ``num_vars`` (total codewords) and ``temp``.

    State dict: ``quantiser.vars (1, 2 * num_vars, out_dim / 2)``, ``quantiser.max_ent ()``,
    ``quantiser.weight_proj.{weight (2 * num_vars, in_dim), bias}``, ``proj.{weight (out_dim, out_dim),
    bias}``; 476,033 parameters with the defaults.

    Example:
        >>> import torch
        >>> quantiser = W2VTargetQuantiser()
        >>> sum(p.numel() for p in quantiser.parameters())
        476033
        >>> targets, meta = quantiser.eval()(torch.rand(2, 3, 512))
        >>> targets.shape, float(meta["num_vars"])
        (torch.Size([2, 3, 256]), 640.0)
    """

    def __init__(
        self,
        in_dim: int = 512,
        out_dim: int = 256,
        quantiser: type = GumbelVectorQuantizer,
        num_vars: int = 320,
        temperature_decay: Tuple[float, float, float] = (2.0, 0.25, 0.999995),
    ) -> None:
        super().__init__()
        self.quantiser = quantiser(in_dim, num_vars, temperature_decay, 2, out_dim)
        self.proj = nn.Linear(out_dim, out_dim)

    @torch.jit.export
    def update_temp(self, steps: int) -> None:
        """Set the quantiser's Gumbel temperature for optimiser step ``steps``."""
        self.quantiser.update_temp(steps)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """Quantise and project ``(batch, time, in_dim)`` latents; see the class docstring."""
        result = self.quantiser(x)
        targets = self.proj(result["x"])
        num_vars = result["num_vars"]
        prob_perplex = result["prob_perplex"]
        meta = {
            "diversity_loss": (num_vars - prob_perplex) / num_vars,
            "code_perplex": result["code_perplexity"],
            "prob_perplex": prob_perplex,
            "num_vars": num_vars,
            "temp": result["temp"],
        }
        return targets, meta
