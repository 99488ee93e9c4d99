"""One ConvEmformer layer: macaron feed-forward, Emformer attention, convolution, feed-forward.

Data flow of a layer (both paths share :meth:`ConvEmformerLayer._core`)::

    x = [right context; utterance; summaries]            summaries = segment means of the utterance
    x = x + 0.5 * FFN0(x)                                 macaron half-step
    a = Attention(LayerNorm_in(x), memory, left context)  summaries -> new memory (tanh or clamp)
    y = x[:-summaries] + Dropout(a)
    y = ConvModule(y)                                     causal + cached; right context after tails
    y = LayerNorm_out(y + 0.5 * FFN1(y))

Parameter names match torchaudio's ``_ConvEmformerLayer`` (``attention``, ``ffn0.module.{0,1,4}``,
``ffn1``, ``layer_norm_input``, ``layer_norm_output``, ``conv``).

Example:
    >>> import torch
    >>> from lhotse_lite.models.conv_emformer.masks import attention_mask
    >>> layer = ConvEmformerLayer(8, 2, 16, segment_length=4, kernel_size=3, right_context_length=2)
    >>> utt, rc = torch.rand(8, 1, 8), torch.rand(4, 1, 8)
    >>> out, out_rc, mem = layer(utt, rc, torch.zeros(0, 1, 8), attention_mask(8, 4, 2, 0, 0), None)
    >>> out.shape, out_rc.shape
    (torch.Size([8, 1, 8]), torch.Size([4, 1, 8]))
"""

from typing import Optional, Tuple

import torch

from lhotse_lite.models.activations import make_activation
from lhotse_lite.models.conv_emformer.attention import EmformerAttention
from lhotse_lite.models.conv_emformer.conv_module import ConvolutionModule
from lhotse_lite.models.conv_emformer.masks import key_padding_mask, segment_summaries
from lhotse_lite.models.conv_emformer.state import ConvEmformerLayerState, init_state

__all__ = ["MacaronFeedForward", "ConvEmformerLayer"]


class MacaronFeedForward(torch.nn.Module):
    """Half-step residual feed-forward ``x + 0.5 * FFN(x)`` (Conformer's macaron style).

    ``FFN`` is ``LayerNorm -> Linear(D, F) -> activation -> Dropout -> Linear(F, D) -> Dropout``, held as
    ``self.module`` so the state-dict keys are ``module.0`` (LayerNorm), ``module.1`` and ``module.4``
    (the Linears), as in torchaudio.

    Args:
        input_dim: ``D``.
        ffn_dim: ``F``, hidden width.
        activation: ``"relu"``, ``"gelu"`` or ``"silu"``.
        dropout: Dropout probability.

    Example:
        >>> ffn = MacaronFeedForward(4, 8, "relu", 0.0)
        >>> x = torch.rand(3, 1, 4)
        >>> torch.allclose(ffn(x), x + 0.5 * ffn.module(x))
        True
    """

    def __init__(self, input_dim: int, ffn_dim: int, activation: str, dropout: float) -> None:
        super().__init__()
        self.module = torch.nn.Sequential(
            torch.nn.LayerNorm(input_dim),
            torch.nn.Linear(input_dim, ffn_dim),
            make_activation(activation, "ConvEmformer"),
            torch.nn.Dropout(dropout),
            torch.nn.Linear(ffn_dim, input_dim),
            torch.nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply ``x + 0.5 * FFN(x)`` to ``(..., D)``."""
        return x + 0.5 * self.module(x)


class ConvEmformerLayer(torch.nn.Module):
    """A convolution-augmented Emformer layer (time-first tensors ``(time, batch, D)``).

    Args:
        input_dim: Model dimension ``D``.
        num_heads: Attention heads.
        ffn_dim: Hidden width of both feed-forward modules.
        segment_length: ``S``, frames per segment.
        kernel_size: ``K``, depthwise convolution kernel size.
        dropout: Dropout probability everywhere.
        ffn_activation: Feed-forward activation, ``"relu"``, ``"gelu"`` or ``"silu"``.
        left_context_length: ``L``, look-back frames per segment.
        right_context_length: ``R``, look-ahead frames per segment.
        max_memory_size: ``M``, memory elements a segment may attend to (0: no memory).
        weight_init_gain: Xavier gain for the query and key/value projections, or ``None``.
        tanh_on_mem: Squash memory with ``tanh`` instead of clamping to ``[-10, 10]``.
        negative_inf: Score of masked attention pairs.
        conv_activation: Convolution-module activation, ``"relu"``, ``"gelu"`` or ``"silu"``.

    Raises:
        ConfigError: Invalid heads/dimension or activation names.

    Example:
        >>> sum(p.numel() for p in ConvEmformerLayer(80, 4, 1024, 16, 8).parameters())
        376928
    """

    def __init__(
        self,
        input_dim: int,
        num_heads: int,
        ffn_dim: int,
        segment_length: int,
        kernel_size: int,
        dropout: float = 0.0,
        ffn_activation: str = "relu",
        left_context_length: int = 0,
        right_context_length: int = 0,
        max_memory_size: int = 0,
        weight_init_gain: Optional[float] = None,
        tanh_on_mem: bool = False,
        negative_inf: float = -1e8,
        conv_activation: str = "silu",
    ) -> None:
        super().__init__()
        self.attention = EmformerAttention(input_dim, num_heads, dropout, weight_init_gain, tanh_on_mem, negative_inf)
        self.dropout = torch.nn.Dropout(dropout)
        self.ffn0 = MacaronFeedForward(input_dim, ffn_dim, ffn_activation, dropout)
        self.ffn1 = MacaronFeedForward(input_dim, ffn_dim, ffn_activation, dropout)
        self.layer_norm_input = torch.nn.LayerNorm(input_dim)
        self.layer_norm_output = torch.nn.LayerNorm(input_dim)
        self.conv = ConvolutionModule(
            input_dim, segment_length, right_context_length, kernel_size, conv_activation, dropout
        )
        self.input_dim = input_dim
        self.segment_length = segment_length
        self.kernel_size = kernel_size
        self.left_context_length = left_context_length
        self.right_context_length = right_context_length
        self.max_memory_size = max_memory_size
        self.use_mem = max_memory_size > 0

    def _summaries(self, utterance: torch.Tensor) -> torch.Tensor:
        if self.use_mem:
            return segment_summaries(utterance, self.segment_length)
        return utterance[:0]

    def _core(
        self,
        utterance: torch.Tensor,
        right_context: torch.Tensor,
        summary: torch.Tensor,
        memory: torch.Tensor,
        left_context_key: torch.Tensor,
        left_context_val: torch.Tensor,
        attention_mask: torch.Tensor,
        padding_mask: Optional[torch.Tensor],
        conv_cache: torch.Tensor,
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        rc_len = right_context.size(0)
        utt_len = utterance.size(0)
        x = self.ffn0(torch.cat([right_context, utterance, summary]))
        normed = self.layer_norm_input(x)
        frames, new_memory, keys, values = self.attention(
            normed[:rc_len],
            normed[rc_len : rc_len + utt_len],
            normed[rc_len + utt_len :],
            memory,
            left_context_key,
            left_context_val,
            attention_mask,
            padding_mask,
        )
        y = self.dropout(frames) + x[: rc_len + utt_len]
        conv_utt, conv_rc, new_cache = self.conv(y[rc_len:], y[:rc_len], conv_cache)
        y = self.layer_norm_output(self.ffn1(torch.cat([conv_rc, conv_utt])))
        return y[rc_len:], y[:rc_len], new_memory, keys, values, new_cache

    def forward(
        self,
        utterance: torch.Tensor,
        right_context: torch.Tensor,
        memory: torch.Tensor,
        attention_mask: torch.Tensor,
        padding_mask: Optional[torch.Tensor],
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Training path over a whole utterance.

        Args:
            utterance: ``(U, B, D)`` utterance frames.
            right_context: ``(N * R, B, D)`` right-context blocks of the ``N`` segments.
            memory: ``(N - 1, B, D)`` memory elements (``(0, B, D)`` without memory).
            attention_mask: Bool mask from :func:`~lhotse_lite.models.conv_emformer.masks.attention_mask`.
            padding_mask: Bool ``(B, N_mem + N * R + U)`` key padding mask, or ``None``.

        Returns:
            ``(utterance_out (U, B, D), right_context_out (N * R, B, D), memory_out (N - 1, B, D))``.
        """
        batch = utterance.size(1)
        empty = utterance.new_zeros(0, batch, self.input_dim)
        cache = utterance.new_zeros(batch, self.input_dim, self.kernel_size - 1)
        out_utt, out_rc, new_memory, _, _, _ = self._core(
            utterance,
            right_context,
            self._summaries(utterance),
            memory,
            empty,
            empty,
            attention_mask,
            padding_mask,
            cache,
        )
        return out_utt, out_rc, new_memory[:-1]

    @torch.jit.export
    def infer(
        self,
        utterance: torch.Tensor,
        right_context: torch.Tensor,
        memory: torch.Tensor,
        lengths: torch.Tensor,
        state: Optional[ConvEmformerLayerState],
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, ConvEmformerLayerState]:
        """Streaming path over one segment.

        Args:
            utterance: ``(S, B, D)`` the segment's frames.
            right_context: ``(R, B, D)`` its right-context frames.
            memory: ``(1, B, D)`` this segment's memory element from the layer below (or the input's
                segment mean), ``(0, B, D)`` without memory; stored in the state for later segments.
            lengths: ``(B,)`` valid frames of ``utterance``.
            state: The state returned by the previous call, or ``None`` at the start of a stream.

        Returns:
            ``(utterance_out (S, B, D), right_context_out (R, B, D), memory_out (1 or 0, B, D),
            new_state)``.
        """
        batch = utterance.size(1)
        if state is None:
            state = init_state(
                batch,
                self.input_dim,
                self.max_memory_size,
                self.left_context_length,
                self.kernel_size,
                utterance.device,
                utterance.dtype,
            )
        past = int(state.past_length[0, 0].item())
        n_mem = min(self.max_memory_size, (past + self.segment_length - 1) // self.segment_length)
        n_lc = min(self.left_context_length, past)
        rc_len = right_context.size(0)
        utt_len = utterance.size(0)
        summary = self._summaries(utterance)[:1]

        # Everything is visible, except the summary may not attend to memory (as in training).
        num_keys = n_mem + rc_len + n_lc + utt_len
        num_queries = rc_len + utt_len + summary.size(0)
        mask = torch.zeros(num_queries, num_keys, dtype=torch.bool, device=utterance.device)
        if summary.size(0) > 0:
            mask[-1, :n_mem] = True
        padding = key_padding_mask(lengths, n_mem + rc_len + n_lc, utt_len)

        out_utt, out_rc, new_memory, keys, values, new_cache = self._core(
            utterance,
            right_context,
            summary,
            state.memory[self.max_memory_size - n_mem :],
            state.left_context_key[self.left_context_length - n_lc :],
            state.left_context_val[self.left_context_length - n_lc :],
            mask,
            padding,
            state.conv_cache,
        )
        memories = torch.cat([state.memory, memory])
        all_keys = torch.cat([state.left_context_key, keys])
        all_values = torch.cat([state.left_context_val, values])
        new_state = ConvEmformerLayerState(
            memories[memories.size(0) - self.max_memory_size :],
            all_keys[all_keys.size(0) - self.left_context_length :],
            all_values[all_values.size(0) - self.left_context_length :],
            state.past_length + utt_len,
            new_cache,
        )
        return out_utt, out_rc, new_memory, new_state
