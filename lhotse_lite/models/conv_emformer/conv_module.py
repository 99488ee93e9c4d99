"""ConvEmformer's convolution module: causal over the utterance, look-ahead convolved after each segment.

``LayerNorm -> Linear(D, 2D) -> GLU -> depthwise Conv1d(K) -> LayerNorm -> activation -> Linear(D, D)
-> Dropout``, plus a residual connection. The depthwise convolution has no padding of its own:

* utterance frames are convolved causally, the ``K - 1`` frames before the first one coming from a cache
  (zeros at the start of a stream), so an utterance frame never sees the future;
* the right-context (look-ahead) frames of segment ``i`` are convolved as a continuation of that
  segment: the ``K - 1`` utterance frames ending at the segment's end, then the ``R`` right-context
  frames. This is the "non-causal convolution" of Shi et al. 2022: a segment's look-ahead frames see its
  tail, and the segment's frames see them through attention only.

Parameter names (``pre_conv``, ``conv``, ``post_conv``) and Sequential indices match torchaudio's.

Example:
    >>> import torch
    >>> conv = ConvolutionModule(8, segment_length=4, right_context_length=2, kernel_size=3)
    >>> utt, rc = torch.rand(8, 2, 8), torch.rand(4, 2, 8)  # 2 segments, 2 right-context blocks
    >>> out_utt, out_rc, cache = conv(utt, rc, torch.zeros(2, 8, 2))
    >>> out_utt.shape, out_rc.shape, cache.shape
    (torch.Size([8, 2, 8]), torch.Size([4, 2, 8]), torch.Size([2, 8, 2]))
"""

from typing import Tuple

import torch

from lhotse_lite.models.activations import make_activation

__all__ = ["ConvolutionModule"]


class ConvolutionModule(torch.nn.Module):
    """Depthwise-convolution block of a ConvEmformer layer (time-first tensors).

    Args:
        input_dim: Model dimension ``D`` (channels of the depthwise convolution).
        segment_length: ``S``, frames per segment (locates each right-context block's tail).
        right_context_length: ``R``, right-context frames per segment.
        kernel_size: ``K``, depthwise kernel size (``>= 1``); the cache holds ``K - 1`` frames.
        activation: ``"relu"``, ``"gelu"`` or ``"silu"``, applied after the second LayerNorm.
        dropout: Dropout probability after the output projection.

    Raises:
        ConfigError: Unknown ``activation``.

    Example:
        >>> m = ConvolutionModule(80, 16, 4, 8)
        >>> m.conv.weight.shape
        torch.Size([80, 1, 8])
    """

    def __init__(
        self,
        input_dim: int,
        segment_length: int,
        right_context_length: int,
        kernel_size: int,
        activation: str = "silu",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.input_dim = input_dim
        self.segment_length = segment_length
        self.right_context_length = right_context_length
        self.cache_size = kernel_size - 1
        self.pre_conv = torch.nn.Sequential(
            torch.nn.LayerNorm(input_dim), torch.nn.Linear(input_dim, 2 * input_dim), torch.nn.GLU()
        )
        self.conv = torch.nn.Conv1d(input_dim, input_dim, kernel_size, stride=1, padding=0, groups=input_dim)
        self.post_conv = torch.nn.Sequential(
            torch.nn.LayerNorm(input_dim),
            make_activation(activation, "ConvEmformer"),
            torch.nn.Linear(input_dim, input_dim),
            torch.nn.Dropout(dropout),
        )

    def _convolve_right_context(self, padded: torch.Tensor, right_context: torch.Tensor) -> torch.Tensor:
        """Convolve each right-context block after the ``K - 1`` frames ending its segment.

        Args:
            padded: ``(B, D, K - 1 + U)`` cache followed by the utterance frames (after GLU).
            right_context: ``(N * R, B, D)`` right-context frames (after GLU).

        Returns:
            ``(N * R, B, D)`` convolved right-context frames.
        """
        batch = padded.size(0)
        utt_len = padded.size(2) - self.cache_size
        rc_len = self.right_context_length
        n_blocks = right_context.size(0) // rc_len
        # In ``padded`` coordinates, segment i's tail is [e_i, e_i + K - 1) with e_i = min((i+1) S, U).
        seg_ends = torch.clamp(torch.arange(1, n_blocks + 1, device=padded.device) * self.segment_length, max=utt_len)
        index = seg_ends.unsqueeze(1) + torch.arange(self.cache_size, device=padded.device).unsqueeze(0)
        tails = padded[:, :, index.reshape(-1)].reshape(batch, self.input_dim, n_blocks, self.cache_size)
        blocks = right_context.reshape(n_blocks, rc_len, batch, self.input_dim).permute(2, 3, 0, 1)
        windows = torch.cat([tails, blocks], dim=3)  # (B, D, N, K - 1 + R)
        windows = windows.permute(0, 2, 1, 3).reshape(batch * n_blocks, self.input_dim, -1)
        convolved = self.conv(windows).reshape(batch, n_blocks, self.input_dim, rc_len)
        return convolved.permute(1, 3, 0, 2).reshape(n_blocks * rc_len, batch, self.input_dim)

    def forward(
        self, utterance: torch.Tensor, right_context: torch.Tensor, cache: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Apply the module to utterance frames and their segments' right-context frames.

        Args:
            utterance: ``(U, B, D)`` utterance frames.
            right_context: ``(N * R, B, D)`` right-context frames, block ``i`` belonging to segment ``i``
                (``N = ceil(U / S)``; in streaming ``U = S`` and ``N = 1``).
            cache: ``(B, D, K - 1)`` post-GLU frames preceding the utterance (zeros at stream start).

        Returns:
            ``(utterance_out (U, B, D), right_context_out (N * R, B, D), new_cache (B, D, K - 1))``;
            ``new_cache`` holds the last ``K - 1`` post-GLU frames of cache + utterance.
        """
        rc_len = right_context.size(0)
        x = torch.cat([right_context, utterance])
        hidden = self.pre_conv(x)
        padded = torch.cat([cache, hidden[rc_len:].permute(1, 2, 0)], dim=2)  # (B, D, K - 1 + U)
        conv_utterance = self.conv(padded).permute(2, 0, 1)
        if rc_len > 0:
            conv_rc = self._convolve_right_context(padded, hidden[:rc_len])
            convolved = torch.cat([conv_rc, conv_utterance])
        else:
            convolved = conv_utterance
        output = self.post_conv(convolved) + x
        new_cache = padded[:, :, padded.size(2) - self.cache_size :]
        return output[rc_len:], output[:rc_len], new_cache
