"""Block-processing geometry of ConvEmformer: right-context blocks, segment summaries and attention masks.

Pure tensor functions shared by the training path (``forward``) and the streaming path (``infer``).
Time-first layout throughout: sequences are ``(time, batch, feature)``.

Vocabulary (Shi et al. 2021, "Emformer"; Shi et al. 2022, "ConvEmformer"):

* the *utterance* of ``U`` frames is cut into ``N = ceil(U / S)`` segments of ``S`` frames (the last one
  may be shorter);
* segment ``i`` looks ahead at its *right context*: the ``R`` input frames that follow it
  (``[(i + 1) * S, (i + 1) * S + R)``; for the last segment, the ``R`` frames after the utterance);
* segment ``i`` looks back at ``L`` *left-context* frames ``[i * S - L, i * S)``;
* every segment is summarised by the mean of its frames; a layer's attention output for that summary
  becomes a *memory* element that later segments (at most ``max_memory_size`` back) can attend to.

In ``forward`` the attention keys are laid out as ``[memory (N - 1), right context (N * R),
utterance (U)]`` and the queries as ``[right context (N * R), utterance (U), summaries (N or 0)]``;
:func:`attention_mask` blocks every pair the streaming path could not see.

Example:
    >>> import torch
    >>> x = torch.arange(10.0).view(10, 1, 1)  # 8 utterance frames + 2 right-context frames
    >>> right_context_blocks(x, utterance_length=8, segment_length=4, right_context_length=2).flatten()
    tensor([4., 5., 8., 9.])
    >>> segment_summaries(x[:8], segment_length=4).flatten()
    tensor([1.5000, 5.5000])
"""

from typing import Optional

import torch

__all__ = [
    "num_segments",
    "right_context_blocks",
    "segment_summaries",
    "attention_mask",
    "key_padding_mask",
]


def num_segments(utterance_length: int, segment_length: int) -> int:
    """Number of segments ``ceil(utterance_length / segment_length)`` an utterance is cut into.

    Args:
        utterance_length: Number of utterance frames ``U`` (without right context), ``>= 0``.
        segment_length: Segment length ``S`` in frames, ``>= 1``.

    Returns:
        ``ceil(U / S)``; the last segment has ``U - (N - 1) * S`` frames.

    Example:
        >>> num_segments(196, 16)
        13
    """
    return (utterance_length + segment_length - 1) // segment_length


def right_context_blocks(
    input: torch.Tensor, utterance_length: int, segment_length: int, right_context_length: int
) -> torch.Tensor:
    """Gather every segment's right-context (look-ahead) frames, segment after segment.

    Segment ``i`` gets the frames ``[e_i, e_i + R)`` with ``e_i = min((i + 1) * S, U)``: the frames
    after the segment, and for the last segment the ``R`` frames padded after the utterance.

    Args:
        input: Utterance frames followed by ``R`` right-context frames, ``(U + R, batch, feature)``.
        utterance_length: ``U``, number of utterance frames in ``input``.
        segment_length: ``S``, frames per segment.
        right_context_length: ``R``, look-ahead frames per segment (may be 0).

    Returns:
        ``(N * R, batch, feature)`` with ``N = ceil(U / S)``; block ``i`` is rows ``[i * R, (i + 1) * R)``.

    Example:
        >>> x = torch.arange(7.0).view(7, 1, 1)  # 5 utterance frames + 2 right-context frames
        >>> right_context_blocks(x, 5, 2, 2).flatten()  # segments [0, 1], [2, 3], [4]
        tensor([2., 3., 4., 5., 5., 6.])
    """
    n_seg = num_segments(utterance_length, segment_length)
    seg_ends = torch.clamp(torch.arange(1, n_seg + 1, device=input.device) * segment_length, max=utterance_length)
    offsets = torch.arange(right_context_length, device=input.device)
    index = (seg_ends.unsqueeze(1) + offsets.unsqueeze(0)).reshape(-1)
    return input.index_select(0, index)


def segment_summaries(utterance: torch.Tensor, segment_length: int) -> torch.Tensor:
    """Mean of each segment's frames (the last, possibly shorter, segment averages only its own frames).

    Args:
        utterance: ``(U, batch, feature)``.
        segment_length: ``S``, frames per segment.

    Returns:
        ``(ceil(U / S), batch, feature)``.

    Example:
        >>> segment_summaries(torch.tensor([1.0, 3.0, 5.0]).view(3, 1, 1), 2).flatten()
        tensor([2., 5.])
    """
    # (U, B, D) -> (B, D, U); ceil_mode with no padding divides a partial window by its true size.
    pooled = torch.nn.functional.avg_pool1d(utterance.permute(1, 2, 0), segment_length, segment_length, 0, True)
    return pooled.permute(2, 0, 1)


def attention_mask(
    utterance_length: int,
    segment_length: int,
    right_context_length: int,
    left_context_length: int,
    max_memory_size: int,
    device: Optional[torch.device] = None,
) -> torch.Tensor:
    """Attention mask of the training path (``True`` = the query may NOT attend to the key).

    Queries are ``[right context (N * R), utterance (U), summaries (N if memory is used)]``; keys are
    ``[memory (N - 1 if memory is used), right context (N * R), utterance (U)]``. A query belonging to
    segment ``i`` (its right-context frames, its utterance frames, its summary) may attend to

    * segment ``i``'s own right-context frames,
    * utterance frames ``[max(i * S - L, 0), min((i + 1) * S, U))`` (its left context and itself),
    * memory elements ``[max(i - max_memory_size, 0), i)``, except for the summary query.

    Args:
        utterance_length: ``U``, utterance frames (without right context), ``>= 1``.
        segment_length: ``S``, frames per segment.
        right_context_length: ``R``, look-ahead frames per segment.
        left_context_length: ``L``, look-back frames per segment.
        max_memory_size: Memory elements visible to a segment; 0 disables memory (no memory keys and no
            summary queries).
        device: Where to build the mask.

    Returns:
        Bool ``(N * R + U + N_sum, N_mem + N * R + U)`` with ``N_sum = N`` and ``N_mem = N - 1`` when
        memory is used, both 0 otherwise.

    Example:
        >>> attention_mask(4, 2, 1, 0, 0).int()  # queries: rc0 rc1 u0 u1 u2 u3; keys: rc0 rc1 u0-u3
        tensor([[0, 1, 0, 0, 1, 1],
                [1, 0, 1, 1, 0, 0],
                [0, 1, 0, 0, 1, 1],
                [0, 1, 0, 0, 1, 1],
                [1, 0, 1, 1, 0, 0],
                [1, 0, 1, 1, 0, 0]], dtype=torch.int32)
    """
    use_mem = max_memory_size > 0
    n_seg = num_segments(utterance_length, segment_length)
    rc_total = n_seg * right_context_length
    n_sum = n_seg if use_mem else 0
    n_mem = n_seg - 1 if use_mem else 0

    # Segment index of every query row, and whether the row is a summary.
    q_seg = torch.cat(
        [
            torch.arange(rc_total, device=device) // right_context_length
            if right_context_length > 0
            else torch.zeros(0, dtype=torch.long, device=device),
            torch.arange(utterance_length, device=device) // segment_length,
            torch.arange(n_sum, device=device),
        ]
    ).unsqueeze(1)
    q_is_summary = (torch.arange(q_seg.size(0), device=device) >= rc_total + utterance_length).unsqueeze(1)

    # Memory keys: element j is visible to segment i when i - max_memory_size <= j < i.
    mem_j = torch.arange(n_mem, device=device).unsqueeze(0)
    mem_ok = (mem_j < q_seg) & (mem_j >= q_seg - max_memory_size) & ~q_is_summary

    # Right-context keys: only the query's own segment's block.
    if right_context_length > 0:
        rc_seg = (torch.arange(rc_total, device=device) // right_context_length).unsqueeze(0)
    else:
        rc_seg = torch.zeros(1, 0, dtype=torch.long, device=device)
    rc_ok = rc_seg == q_seg

    # Utterance keys: left context and the query's own segment.
    t = torch.arange(utterance_length, device=device).unsqueeze(0)
    seg_start = q_seg * segment_length
    utt_ok = (t >= seg_start - left_context_length) & (t < seg_start + segment_length)

    return ~torch.cat([mem_ok, rc_ok, utt_ok], dim=1)


def key_padding_mask(lengths: torch.Tensor, num_prefix_keys: int, utterance_length: int) -> Optional[torch.Tensor]:
    """Key mask hiding padded utterance frames (``True`` = hidden), by torchaudio's rule.

    Keys are ``num_prefix_keys`` always-valid keys (memory, right context, left context) followed by
    ``utterance_length`` (``U``) utterance frames. torchaudio counts padding from the end of the batch:
    item ``b`` sees the first ``P + U - (max(lengths) - lengths[b])`` of the ``P + U`` keys
    (``P = num_prefix_keys``), so exactly its ``lengths[b]`` frames when the batch is padded to its
    longest item (``max(lengths) == U``) and ``U - max(lengths)`` padded frames more otherwise; a batch
    of one item is not masked at all. Lengths longer than ``U`` (``forward`` accepts up to the input's
    full length, right context included, as torchaudio does) only shift the rule: an item more than
    ``U`` frames shorter than the longest one also loses the last keys of the prefix (right context).
    This is torchaudio's behaviour (its ``_gen_padding_mask``), kept so that its checkpoints give the
    same outputs on the same input.

    Args:
        lengths: ``(batch,)`` valid frames per batch item.
        num_prefix_keys: Keys before the utterance frames.
        utterance_length: ``U``, utterance frames in the key sequence.

    Returns:
        Bool ``(batch, num_prefix_keys + U)``, or ``None`` when ``batch == 1``.

    Example:
        >>> key_padding_mask(torch.tensor([3, 1]), 1, 3).int()  # padded to the longest item: exact
        tensor([[0, 0, 0, 0],
                [0, 0, 1, 1]], dtype=torch.int32)
        >>> key_padding_mask(torch.tensor([2, 1]), 1, 3).int()  # one frame longer than the longest
        tensor([[0, 0, 0, 0],
                [0, 0, 0, 1]], dtype=torch.int32)
        >>> key_padding_mask(torch.tensor([5, 1]), 1, 3).int()  # 4 shorter: one prefix key hidden too
        tensor([[0, 0, 0, 0],
                [1, 1, 1, 1]], dtype=torch.int32)
        >>> key_padding_mask(torch.tensor([1]), 1, 3) is None
        True
    """
    if lengths.size(0) == 1:
        return None
    num_keys = num_prefix_keys + utterance_length
    visible = lengths - lengths.max() + num_keys
    t = torch.arange(num_keys, device=lengths.device).unsqueeze(0)
    return t >= visible.unsqueeze(1)
