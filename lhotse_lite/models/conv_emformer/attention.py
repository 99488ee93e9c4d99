"""Emformer's multi-head attention over memory, right context, left context and the current segment.

One module serves both paths: the training path passes the whole utterance with a block mask
(:func:`lhotse_lite.models.conv_emformer.masks.attention_mask`); the streaming path passes one segment
and the cached left-context keys/values. Parameter names (``emb_to_key_value``, ``emb_to_query``,
``out_proj``) match torchaudio's so checkpoints load unchanged.

Example:
    >>> import torch
    >>> attn = EmformerAttention(8, 2)
    >>> rc, utt, summ = torch.rand(2, 3, 8), torch.rand(4, 3, 8), torch.rand(1, 3, 8)
    >>> empty = torch.zeros(0, 3, 8)
    >>> mask = torch.zeros(7, 6, dtype=torch.bool)
    >>> frames, mems, keys, values = attn(rc, utt, summ, empty, empty, empty, mask, None)
    >>> frames.shape, mems.shape, keys.shape
    (torch.Size([6, 3, 8]), torch.Size([1, 3, 8]), torch.Size([4, 3, 8]))
"""

from typing import Optional, Tuple

import torch

from lhotse_lite.errors import ConfigError

__all__ = ["EmformerAttention"]

#: Memory elements are clamped to this range unless ``tanh_on_mem`` squashes them (torchaudio's bound).
MEMORY_CLAMP = 10.0


class EmformerAttention(torch.nn.Module):
    """Multi-head attention of an Emformer layer, producing frame outputs and new memory elements.

    Queries are ``[right context, utterance, summaries]``; keys and values are ``[memory, right context,
    left context, utterance]``, where the left-context keys/values are given precomputed (streaming)
    and the others are projected here. The attention outputs of the summary queries become the next
    layer's memory, squashed by ``tanh`` or clamped to ``[-10, 10]``.

    Args:
        input_dim: Model dimension ``D``; a multiple of ``num_heads``.
        num_heads: Attention heads ``H``; each has ``D / H`` dimensions.
        dropout: Dropout probability on the attention weights (training only).
        weight_init_gain: When truthy, ``emb_to_key_value.weight`` and ``emb_to_query.weight`` get Xavier
            uniform initialisation with this gain; otherwise PyTorch's default ``Linear`` init.
        tanh_on_mem: Squash memory elements with ``tanh`` instead of clamping them to ``[-10, 10]``.
        negative_inf: Score given to masked query/key pairs before the softmax.

    Raises:
        ConfigError: ``input_dim`` is not a positive multiple of ``num_heads``.

    Example:
        >>> EmformerAttention(80, 4).scaling == (80 // 4) ** -0.5
        True
    """

    def __init__(
        self,
        input_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        weight_init_gain: Optional[float] = None,
        tanh_on_mem: bool = False,
        negative_inf: float = -1e8,
    ) -> None:
        super().__init__()
        if num_heads < 1 or input_dim < 1 or input_dim % num_heads != 0:
            raise ConfigError(
                f"EmformerAttention: input_dim ({input_dim}) must be a positive multiple of num_heads "
                f"({num_heads}); change one of them"
            )
        self.input_dim = input_dim
        self.num_heads = num_heads
        self.dropout = float(dropout)
        self.tanh_on_mem = tanh_on_mem
        self.negative_inf = float(negative_inf)
        self.scaling = (input_dim // num_heads) ** -0.5
        self.memory_clamp = MEMORY_CLAMP

        self.emb_to_key_value = torch.nn.Linear(input_dim, 2 * input_dim, bias=True)
        self.emb_to_query = torch.nn.Linear(input_dim, input_dim, bias=True)
        self.out_proj = torch.nn.Linear(input_dim, input_dim, bias=True)
        if weight_init_gain:
            torch.nn.init.xavier_uniform_(self.emb_to_key_value.weight, gain=weight_init_gain)
            torch.nn.init.xavier_uniform_(self.emb_to_query.weight, gain=weight_init_gain)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        # (T, B, D) -> (B, H, T, D / H); head h owns features [h * D / H, (h + 1) * D / H).
        t, b = x.size(0), x.size(1)
        return x.reshape(t, b, self.num_heads, self.input_dim // self.num_heads).permute(1, 2, 0, 3)

    def forward(
        self,
        right_context: torch.Tensor,
        utterance: torch.Tensor,
        summary: torch.Tensor,
        memory: torch.Tensor,
        left_context_key: torch.Tensor,
        left_context_val: torch.Tensor,
        attention_mask: torch.Tensor,
        padding_mask: Optional[torch.Tensor],
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Attend, returning frame outputs, new memory and the utterance frames' keys/values.

        ``Rc``, ``U``, ``Sm``, ``M``, ``Lc`` are the number of right-context frames, utterance frames,
        summaries, memory elements and cached left-context frames; ``K = M + Rc + Lc + U`` keys.

        Args:
            right_context: ``(Rc, B, D)`` normalised right-context frames.
            utterance: ``(U, B, D)`` normalised utterance frames.
            summary: ``(Sm, B, D)`` normalised segment summaries (``Sm = 0`` without memory).
            memory: ``(M, B, D)`` memory elements.
            left_context_key: ``(Lc, B, D)`` cached keys of preceding frames (``Lc = 0`` in training).
            left_context_val: ``(Lc, B, D)`` cached values of preceding frames.
            attention_mask: Bool ``(Rc + U + Sm, K)``, ``True`` where a query may not see a key.
            padding_mask: Bool ``(B, K)``, ``True`` for keys that are padding, or ``None``.

        Returns:
            ``(frames (Rc + U, B, D), new_memory (Sm, B, D), keys (U, B, D), values (U, B, D))``: the
            attention output for right context and utterance, the squashed output for the summaries,
            and the keys/values of the utterance frames (to cache as left context).
        """
        rc_len = right_context.size(0)
        utt_len = utterance.size(0)
        mem_len = memory.size(0)
        num_queries = rc_len + utt_len + summary.size(0)
        batch = utterance.size(1)

        query = self.emb_to_query(torch.cat([right_context, utterance, summary]))
        key_value = self.emb_to_key_value(torch.cat([memory, right_context, utterance]))
        key, value = key_value.chunk(2, dim=2)
        split = mem_len + rc_len
        all_keys = torch.cat([key[:split], left_context_key, key[split:]])
        all_values = torch.cat([value[:split], left_context_val, value[split:]])

        q = self._split_heads(query) * self.scaling
        k = self._split_heads(all_keys)
        v = self._split_heads(all_values)
        scores = torch.matmul(q, k.transpose(2, 3))  # (B, H, Q, K)
        if scores.dtype == torch.float16 or scores.dtype == torch.bfloat16:
            scores = scores.float()  # softmax of half-precision scores in float32
        blocked = attention_mask.unsqueeze(0).unsqueeze(0)
        if padding_mask is not None:
            blocked = blocked | padding_mask.unsqueeze(1).unsqueeze(2)
        scores = scores.masked_fill(blocked, self.negative_inf)
        probs = torch.softmax(scores, dim=-1).type_as(q)
        probs = torch.nn.functional.dropout(probs, p=self.dropout, training=self.training)

        attended = torch.matmul(probs, v)  # (B, H, Q, D / H)
        attended = attended.permute(2, 0, 1, 3).reshape(num_queries, batch, self.input_dim)
        output = self.out_proj(attended)

        frames = output[: rc_len + utt_len]
        new_memory = output[rc_len + utt_len :]
        if self.tanh_on_mem:
            new_memory = torch.tanh(new_memory)
        else:
            new_memory = torch.clamp(new_memory, min=-self.memory_clamp, max=self.memory_clamp)
        return frames, new_memory, key[split:], value[split:]
