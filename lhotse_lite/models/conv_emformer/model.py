"""ConvEmformer: the convolution-augmented streaming transformer of Shi et al. 2022.

"Streaming Transformer Transducer based Speech Recognition Using Non-Causal Convolution" (ICASSP 2022),
with the behaviour, constructor and state-dict layout of torchaudio's prototype
``torchaudio.prototype.models.ConvEmformer``. ``forward`` processes whole (padded) utterances with block
attention masks; ``infer`` processes one segment at a time with explicit per-layer state, and feeding it
the chunks ``x[:, i * S : i * S + S + R]`` reproduces ``forward(x)``.

Example:
    >>> import torch
    >>> model = ConvEmformer(80, 4, 1024, 12, 16, 8, right_context_length=4)
    >>> sum(p.numel() for p in model.parameters())
    4523136
    >>> output, lengths, states = model.infer(torch.rand(4, 20, 80), torch.full((4,), 20))
    >>> output.shape
    torch.Size([4, 16, 80])
"""

import math
from typing import List, Optional, Tuple

import torch

from lhotse_lite.checks import check_int, check_probability
from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.conv_emformer.layer import ConvEmformerLayer
from lhotse_lite.models.conv_emformer.masks import (
    attention_mask,
    key_padding_mask,
    right_context_blocks,
    segment_summaries,
)
from lhotse_lite.models.conv_emformer.state import ConvEmformerLayerState

__all__ = ["ConvEmformer", "weight_init_gains"]

#: Names accepted by ``weight_init_scale_strategy`` (``None`` is accepted too).
WEIGHT_INIT_STRATEGIES = ("depthwise", "constant")


def weight_init_gains(strategy: Optional[str], num_layers: int) -> List[Optional[float]]:
    """Per-layer Xavier gains of the attention projections for a weight-init scaling strategy.

    Args:
        strategy: ``"depthwise"`` (layer ``i`` gets ``1 / sqrt(i + 1)``), ``"constant"`` (every layer
            gets ``1 / sqrt(2)``) or ``None`` (PyTorch's default ``Linear`` initialisation).
        num_layers: Number of layers.

    Returns:
        One gain (or ``None``) per layer.

    Raises:
        ConfigError: Unknown ``strategy``.

    Example:
        >>> [round(g, 3) for g in weight_init_gains("depthwise", 3)]
        [1.0, 0.707, 0.577]
    """
    if strategy is None:
        return [None] * num_layers
    if strategy == "depthwise":
        return [1.0 / math.sqrt(i + 1) for i in range(num_layers)]
    if strategy == "constant":
        return [1.0 / math.sqrt(2)] * num_layers
    raise ConfigError(
        f"unknown weight_init_scale_strategy {strategy!r}; expected one of "
        f"{', '.join(map(repr, WEIGHT_INIT_STRATEGIES))} or None"
    )


class ConvEmformer(torch.nn.Module):
    """Convolution-augmented Emformer encoder for streaming speech recognition.

    ``B`` is the batch size, ``D = input_dim``, ``S = segment_length``, ``R = right_context_length``.

    Args:
        input_dim: Feature dimension ``D`` of input and output frames.
        num_heads: Attention heads per layer; ``input_dim`` must be a multiple.
        ffn_dim: Hidden width of each layer's two feed-forward modules.
        num_layers: Number of layers.
        segment_length: ``S``, frames per segment (the streaming step).
        kernel_size: Kernel size of the depthwise convolutions (``>= 1``).
        dropout: Dropout probability.
        ffn_activation: ``"relu"``, ``"gelu"`` or ``"silu"`` in the feed-forward modules.
        left_context_length: ``L``, frames of cached left context each segment attends to.
        right_context_length: ``R``, look-ahead frames per segment.
        max_memory_size: Memory elements (summaries of past segments) each segment attends to; 0 turns
            memory off.
        weight_init_scale_strategy: ``"depthwise"``, ``"constant"`` or ``None``, see
            :func:`weight_init_gains`.
        tanh_on_mem: Squash memory with ``tanh`` instead of clamping it to ``[-10, 10]``.
        negative_inf: Attention score of masked pairs.
        conv_activation: ``"relu"``, ``"gelu"`` or ``"silu"`` in the convolution modules.

    Raises:
        ConfigError: A size is out of range, ``input_dim`` is not a multiple of ``num_heads``, or a name
            is unknown.

    Example:
        >>> import torch
        >>> model = ConvEmformer(80, 4, 256, 2, 16, 8, right_context_length=4).eval()
        >>> out, lengths, states = model.infer(torch.rand(4, 20, 80), torch.full((4,), 20), None)
        >>> out.shape, lengths.tolist(), len(states)
        (torch.Size([4, 16, 80]), [16, 16, 16, 16], 2)
        >>> out, lengths, states = model.infer(torch.rand(4, 20, 80), torch.full((4,), 20), states)
        >>> states[0].past_length.tolist()
        [[32, 32, 32, 32]]
    """

    def __init__(
        self,
        input_dim: int,
        num_heads: int,
        ffn_dim: int,
        num_layers: int,
        segment_length: int,
        kernel_size: int,
        dropout: float = 0.0,
        ffn_activation: str = "relu",
        left_context_length: int = 0,
        right_context_length: int = 0,
        max_memory_size: int = 0,
        weight_init_scale_strategy: Optional[str] = "depthwise",
        tanh_on_mem: bool = False,
        negative_inf: float = -1e8,
        conv_activation: str = "silu",
    ) -> None:
        super().__init__()
        sizes = dict(
            input_dim=input_dim,
            num_heads=num_heads,
            ffn_dim=ffn_dim,
            num_layers=num_layers,
            segment_length=segment_length,
            kernel_size=kernel_size,
        )
        for name, value in sizes.items():
            check_int("ConvEmformer", name, value, minimum=1)
        contexts = dict(
            left_context_length=left_context_length,
            right_context_length=right_context_length,
            max_memory_size=max_memory_size,
        )
        for name, value in contexts.items():
            check_int("ConvEmformer", name, value, minimum=0)
        check_probability("ConvEmformer", "dropout", dropout)
        gains = weight_init_gains(weight_init_scale_strategy, num_layers)
        self.emformer_layers = torch.nn.ModuleList(
            [
                ConvEmformerLayer(
                    input_dim,
                    num_heads,
                    ffn_dim,
                    segment_length,
                    kernel_size,
                    dropout=dropout,
                    ffn_activation=ffn_activation,
                    left_context_length=left_context_length,
                    right_context_length=right_context_length,
                    max_memory_size=max_memory_size,
                    weight_init_gain=gains[i],
                    tanh_on_mem=tanh_on_mem,
                    negative_inf=negative_inf,
                    conv_activation=conv_activation,
                )
                for i in range(num_layers)
            ]
        )
        self.input_dim = input_dim
        self.segment_length = segment_length
        self.kernel_size = kernel_size
        self.left_context_length = left_context_length
        self.right_context_length = right_context_length
        self.max_memory_size = max_memory_size
        self.use_mem = max_memory_size > 0

    def _check_input(self, input: torch.Tensor, lengths: torch.Tensor, where: str) -> None:
        if input.dim() != 3 or input.size(2) != self.input_dim:
            raise ShapeError(
                f"ConvEmformer.{where}: expected input (batch, time, {self.input_dim}), got shape "
                f"{list(input.shape)}; features must have input_dim={self.input_dim} channels"
            )
        if lengths.dim() != 1 or lengths.size(0) != input.size(0):
            raise ShapeError(
                f"ConvEmformer.{where}: expected lengths of shape [{input.size(0)}] (one per batch item), "
                f"got {list(lengths.shape)}"
            )

    def _check_lengths(self, lengths: torch.Tensor, max_length: int, where: str, what: str) -> None:
        if bool(((lengths > max_length) | (lengths < 0)).any()):  # one device sync
            raise ShapeError(
                f"ConvEmformer.{where}: lengths must be in [0, {max_length}] ({what}), got "
                f"{lengths}; lengths count valid frames of the input"
            )

    def forward(self, input: torch.Tensor, lengths: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Training and non-streaming inference over whole utterances.

        Args:
            input: ``(B, T + R, D)`` utterance frames right-padded with ``R`` right-context frames
                (``T >= 1``).
            lengths: ``(B,)`` valid frames per batch item, up to the input's full length ``T + R``
                (torchaudio's own example draws them from ``[1, T + R)``). As in torchaudio, item
                ``b``'s attention sees its first ``lengths[b] + T - max(lengths)`` frames: exactly its
                own frames when the batch is padded to its longest item (``max(lengths) == T``), and a
                single item (``B == 1``) is never masked; an item more than ``T`` frames shorter than
                the longest also loses right-context keys. See
                :func:`~lhotse_lite.models.conv_emformer.masks.key_padding_mask`.

        Returns:
            ``(output (B, T, D), lengths)``; ``lengths`` is returned unchanged (as torchaudio does, even
            where it exceeds ``T``).

        Raises:
            ShapeError: ``input`` is not ``(B, T + R, D)`` with ``T >= 1``, ``lengths`` is not ``(B,)``,
                or a length is negative or exceeds ``T + R`` (``torch.jit.Error`` with the same message
                when scripted).
        """
        self._check_input(input, lengths, "forward")
        utt_len = input.size(1) - self.right_context_length
        if utt_len < 1:
            raise ShapeError(
                f"ConvEmformer.forward: expected input (batch, T + {self.right_context_length}, "
                f"{self.input_dim}) with T >= 1, got {list(input.shape)}; append the "
                f"right_context_length={self.right_context_length} look-ahead frames to the utterance"
            )
        self._check_lengths(lengths, input.size(1), "forward", "the input's time dimension, right context included")
        x = input.permute(1, 0, 2)
        utterance = x[:utt_len]
        right_context = right_context_blocks(x, utt_len, self.segment_length, self.right_context_length)
        mask = attention_mask(
            utt_len,
            self.segment_length,
            self.right_context_length,
            self.left_context_length,
            self.max_memory_size,
            input.device,
        )
        if self.use_mem:
            memory = segment_summaries(utterance, self.segment_length)[:-1]
        else:
            memory = utterance[:0]
        padding = key_padding_mask(lengths.to(input.device), memory.size(0) + right_context.size(0), utt_len)
        output = utterance
        for layer in self.emformer_layers:
            output, right_context, memory = layer(output, right_context, memory, mask, padding)
        return output.permute(1, 0, 2), lengths

    @torch.jit.export
    def infer(
        self,
        input: torch.Tensor,
        lengths: torch.Tensor,
        states: Optional[List[ConvEmformerLayerState]] = None,
    ) -> Tuple[torch.Tensor, torch.Tensor, List[ConvEmformerLayerState]]:
        """Streaming inference over one segment and its right context.

        Call it on ``x[:, i * S : i * S + S + R]`` for ``i = 0, 1, ...``, passing the states it returned
        the previous time (``None`` the first time); the outputs concatenated along time equal
        ``forward(x)`` for an utterance of a whole number of segments.

        Args:
            input: ``(B, S + R, D)`` one segment followed by its ``R`` right-context frames.
            lengths: ``(B,)`` valid frames of ``input`` (right context included, ``<= S + R``); the
                chunk's padded frames are hidden as in ``forward`` (by torchaudio's rule, counted from
                the longest item of the batch).
            states: One :class:`ConvEmformerLayerState` per layer from the previous call, or ``None``.

        Returns:
            ``(output (B, S, D), output_lengths (B,), states)``; ``output_lengths`` is
            ``max(lengths - R, 0)``; ``states`` holds one new state per layer.

        Raises:
            ShapeError: ``input`` is not ``(B, S + R, D)``, ``lengths`` is not ``(B,)`` or exceeds
                ``S + R``, or ``states`` does not hold one state per layer (``torch.jit.Error`` with the
                same message when scripted).
        """
        self._check_input(input, lengths, "infer")
        chunk = self.segment_length + self.right_context_length
        if input.size(1) != chunk:
            raise ShapeError(
                f"ConvEmformer.infer: expected input (batch, segment_length + right_context_length = "
                f"{chunk}, {self.input_dim}), got {list(input.shape)}; feed chunks "
                f"x[:, i*{self.segment_length} : i*{self.segment_length} + {chunk}] and pad the last one"
            )
        self._check_lengths(lengths, chunk, "infer", f"segment_length + right_context_length = {chunk}")
        if states is not None and len(states) != len(self.emformer_layers):
            raise ShapeError(
                f"ConvEmformer.infer: expected one state per layer ({len(self.emformer_layers)}), got "
                f"{len(states)}; pass the states returned by the previous infer call"
            )
        x = input.permute(1, 0, 2)
        utterance = x[: self.segment_length]
        right_context = x[self.segment_length :]
        output_lengths = torch.clamp(lengths - self.right_context_length, min=0)
        if self.use_mem:
            memory = segment_summaries(utterance, self.segment_length)
        else:
            memory = utterance[:0]
        output = utterance
        valid = output_lengths.to(input.device)
        new_states: List[ConvEmformerLayerState] = []
        for i, layer in enumerate(self.emformer_layers):
            # ModuleList items are typed Module; TorchScript refuses isinstance narrowing of scripted layers
            output, right_context, memory, state = layer.infer(  # type: ignore[operator]
                output, right_context, memory, valid, None if states is None else states[i]
            )
            new_states.append(state)
        return output.permute(1, 0, 2), output_lengths, new_states
