"""The streaming state of one ConvEmformer layer, as a named structure.

torchaudio keeps this state as an anonymous list ``[memory, left-context keys, left-context values,
past length, conv cache]``; :class:`ConvEmformerLayerState` holds the same five tensors, with the same
shapes and in the same order, under names. :meth:`ConvEmformerLayerState.from_list` and
:meth:`ConvEmformerLayerState.to_list` convert to and from torchaudio's lists.

Example:
    >>> import torch
    >>> state = init_state(batch_size=2, input_dim=8, max_memory_size=4, left_context_length=3,
    ...                    kernel_size=5, device=torch.device("cpu"), dtype=torch.float32)
    >>> [tuple(t.shape) for t in state]
    [(4, 2, 8), (3, 2, 8), (3, 2, 8), (1, 2), (2, 8, 4)]
    >>> ConvEmformerLayerState.from_list(state.to_list()).past_length.dtype
    torch.int32
"""

from typing import List, NamedTuple, Optional

import torch

from lhotse_lite.errors import ShapeError

__all__ = ["ConvEmformerLayerState", "init_state"]


class ConvEmformerLayerState(NamedTuple):
    """What one ConvEmformer layer carries from one ``infer`` call to the next.

    ``B`` is the batch size, ``D`` the model dimension, ``M`` ``max_memory_size``, ``L``
    ``left_context_length`` and ``K`` ``kernel_size``. Only the most recent entries are meaningful at
    the start of a stream: ``min(M, segments seen)`` memory elements and ``min(L, frames seen)`` left
    context frames, at the END of their buffers.

    Attributes:
        memory: ``(M, B, D)`` memory elements this layer attends to: the last ``M`` memory elements the
            layer received as input (the segment summaries of the layer below, or of the input).
        left_context_key: ``(L, B, D)`` attention keys of the last ``L`` utterance frames.
        left_context_val: ``(L, B, D)`` attention values of the last ``L`` utterance frames.
        past_length: ``(1, B)`` int32, utterance frames processed so far (equal across the batch).
        conv_cache: ``(B, D, K - 1)`` the last ``K - 1`` frames entering the depthwise convolution
            (after LayerNorm, Linear and GLU), i.e. its causal left padding for the next segment.

    Example:
        >>> import torch
        >>> s = ConvEmformerLayerState(torch.zeros(0, 1, 4), torch.zeros(2, 1, 4), torch.zeros(2, 1, 4),
        ...                            torch.zeros(1, 1, dtype=torch.int32), torch.zeros(1, 4, 2))
        >>> s.left_context_key.shape
        torch.Size([2, 1, 4])
    """

    memory: torch.Tensor
    left_context_key: torch.Tensor
    left_context_val: torch.Tensor
    past_length: torch.Tensor
    conv_cache: torch.Tensor

    def to_list(self) -> List[torch.Tensor]:
        """The five tensors in torchaudio's order, as a list.

        Returns:
            ``[memory, left_context_key, left_context_val, past_length, conv_cache]``.

        Example:
            >>> import torch
            >>> s = init_state(1, 4, 0, 0, 3, torch.device("cpu"), torch.float32)
            >>> len(s.to_list())
            5
        """
        return [self.memory, self.left_context_key, self.left_context_val, self.past_length, self.conv_cache]

    @staticmethod
    def from_list(tensors: List[torch.Tensor]) -> "ConvEmformerLayerState":
        """Build a state from torchaudio's per-layer list of five tensors.

        Args:
            tensors: ``[memory, left_context_key, left_context_val, past_length, conv_cache]``, as
                returned per layer by torchaudio's ``ConvEmformer.infer``.

        Returns:
            The same tensors under names (no copy).

        Raises:
            ShapeError: ``tensors`` does not hold exactly five tensors.

        Example:
            >>> import torch
            >>> s = init_state(1, 4, 2, 0, 3, torch.device("cpu"), torch.float32)
            >>> ConvEmformerLayerState.from_list(s.to_list()).memory.shape
            torch.Size([2, 1, 4])
        """
        if len(tensors) != 5:
            raise ShapeError(
                f"a ConvEmformer layer state is 5 tensors [memory, left_context_key, left_context_val, "
                f"past_length, conv_cache], got {len(tensors)}; pass one list per layer"
            )
        return ConvEmformerLayerState(tensors[0], tensors[1], tensors[2], tensors[3], tensors[4])


def init_state(
    batch_size: int,
    input_dim: int,
    max_memory_size: int,
    left_context_length: int,
    kernel_size: int,
    device: Optional[torch.device],
    dtype: torch.dtype,
) -> ConvEmformerLayerState:
    """The state of a layer before the first segment: zeros everywhere, nothing processed.

    Args:
        batch_size: ``B``.
        input_dim: ``D``, model dimension.
        max_memory_size: ``M``, memory slots.
        left_context_length: ``L``, cached left-context frames.
        kernel_size: ``K``, depthwise convolution kernel size (the cache keeps ``K - 1`` frames).
        device: Device of the tensors.
        dtype: Floating dtype of every tensor but ``past_length`` (int32).

    Returns:
        A :class:`ConvEmformerLayerState` of zeros with the shapes documented there.

    Example:
        >>> import torch
        >>> init_state(3, 8, 0, 0, 1, torch.device("cpu"), torch.float64).conv_cache.shape
        torch.Size([3, 8, 0])
    """
    return ConvEmformerLayerState(
        torch.zeros(max_memory_size, batch_size, input_dim, device=device, dtype=dtype),
        torch.zeros(left_context_length, batch_size, input_dim, device=device, dtype=dtype),
        torch.zeros(left_context_length, batch_size, input_dim, device=device, dtype=dtype),
        torch.zeros(1, batch_size, dtype=torch.int32, device=device),
        torch.zeros(batch_size, input_dim, kernel_size - 1, device=device, dtype=dtype),
    )
