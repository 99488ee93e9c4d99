"""The machinery every Kaldi layer shares: framing, streaming and block processing.

:class:`KaldiFrontend` is an ``nn.Module`` base class built from the frozen, validated
:class:`~lhotse_lite.features.kaldi.options.FrameOptions` every layer shares (re-exported here). It keeps the
analysis weights as non-persistent buffers, and implements the two entry points on one private
core (``_process``): the offline path (``_offline``) and the streaming path (``online_inference`` and
``flush``). Subclasses (the layers in :mod:`lhotse_lite.features.kaldi.layers`) only define
``_features(windowed_frames, log_energy)``.

Input scale: the layers compute exactly what Kaldi computes *on the sample values they are given*.
Lhotse feeds float audio in ``[-1, 1]``, and so do the lhotse_lite extractors; Kaldi's command-line
tools read 16-bit integers, i.e. values ``32768`` times larger. Multiply by :data:`INT16_SCALE` to
reproduce ``compute-fbank-feats`` output; every log-energy feature then moves by
``log(32768 ** 2)`` (except values sitting on a floor).

Example:
    >>> import torch
    >>> from lhotse_lite.features.kaldi.layers import Wav2LogFilterBank
    >>> x = torch.rand(1, 16000) * 2 - 1
    >>> kaldi_scale = Wav2LogFilterBank()(x * INT16_SCALE)
    >>> lhotse_scale = Wav2LogFilterBank()(x)
    >>> round(float((kaldi_scale - lhotse_scale).mean()), 2) == round(2 * math.log(INT16_SCALE), 2)
    True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, List, Optional, Tuple

import torch
from torch import nn

from lhotse_lite.errors import ConfigError, ShapeError, SignalValueError
from lhotse_lite.features.kaldi.analysis import analysis_weights, window_frames
from lhotse_lite.features.kaldi.framing import frame_signal_with_previous, frame_stream_with_previous
from lhotse_lite.features.kaldi.options import DEFAULT_ENERGY_FLOOR, FrameOptions
from lhotse_lite.features.kaldi.windows import frame_window

__all__ = ["INT16_SCALE", "DEFAULT_ENERGY_FLOOR", "FrameOptions", "KaldiFrontend", "next_power_of_2"]

INT16_SCALE = 32768.0
"""Multiply ``[-1, 1]`` float audio by this to get Kaldi's (16-bit integer) sample scale."""

_BLOCK_FRAMES = 512  # frames per block in the offline path: ~1 MB temporaries, reused from the heap (measured:
# 2048-frame blocks made glibc hand their 4 MB temporaries back to the OS and fault them in again on every
# call, up to 2-3x slower at 10-60 s; 256 adds per-block overhead)


def next_power_of_2(x: int) -> int:
    """The smallest power of two ``>= x`` (the FFT size of a window of ``x`` samples; Lhotse's name).

    Example:
        >>> next_power_of_2(400), next_power_of_2(512), next_power_of_2(1102)
        (512, 512, 2048)
    """
    return 1 if x <= 1 else 2 ** (x - 1).bit_length()


class KaldiFrontend(nn.Module):
    """Base class of the Kaldi layers: framing, pre-processing, streaming (not used directly).

    Args:
        options: The framing and pre-processing options (see :class:`FrameOptions`).
        width: Width of the windowed frames handed to ``_features`` (the FFT size), ``>=`` the window;
            ``None``: the window length.
        energy_mode: Which energy ``_features`` receives (``analysis.ENERGY_*``).

    Attributes:
        options: The :class:`FrameOptions`; its fields are also attributes of the layer (Lhotse's).

    Raises:
        ConfigError: ``width`` is shorter than the window.
    """

    if TYPE_CHECKING:  # the buffers of __init__ (TorchScript cannot read postponed annotations)
        _window: torch.Tensor
        _w_sample: torch.Tensor
        _w_difference: torch.Tensor

    def __init__(self, options: FrameOptions, width: Optional[int], energy_mode: int) -> None:
        super().__init__()
        length = options.window_length
        width = length if width is None else int(width)
        if width < length:
            raise ConfigError(
                f"{type(self).__name__}: the padded frame length ({width} samples) cannot be shorter than the "
                f"window ({length} samples, frame_length={options.frame_length} s at {options.sampling_rate} Hz)"
            )
        self.options = options
        self._layer_name = type(self).__name__
        self._block_frames = _BLOCK_FRAMES
        self.sampling_rate = options.sampling_rate
        self.frame_length = options.frame_length
        self.frame_shift = options.frame_shift
        self.remove_dc_offset = bool(options.remove_dc_offset)
        self.preemph_coeff = float(options.preemph_coeff)
        self.window_type = options.window_type
        self.dither = float(options.dither)
        self.snip_edges = bool(options.snip_edges)
        self.energy_floor = float(options.energy_floor)
        self.raw_energy = bool(options.raw_energy)
        self._length = length
        self._shift = options.window_shift
        self._width = width
        self._energy_mode = int(energy_mode)
        window = frame_window(length, options.window_type, dtype=torch.float64)
        self.register_buffer("_window", window.float(), persistent=False)
        weights = analysis_weights(window, width, self.preemph_coeff).float()
        self.register_buffer("_w_sample", weights[0].contiguous(), persistent=False)
        self.register_buffer("_w_difference", weights[1].contiguous(), persistent=False)

    def _buffer(self, name: str) -> torch.Tensor:
        """A registered buffer, read from ``self._buffers`` in eager mode (see :meth:`_weights`)."""
        buf = self._buffers[name]
        if buf is None:  # never: every buffer of the layers is a tensor
            raise KeyError(name)
        return buf

    def _weights(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """The two analysis weight buffers.

        ``nn.Module`` serves buffers from its ``__getattr__`` fallback, which Python reaches only after a
        failed normal lookup: about 3 us per access here, paid several times per call, a tenth of a
        streaming call. Eager mode therefore reads ``self._buffers`` directly (always the live tensors,
        whatever moved or replaced them); TorchScript compiles only the first branch.
        """
        if torch.jit.is_scripting():
            return self._w_sample, self._w_difference
        return self._buffer("_w_sample"), self._buffer("_w_difference")

    @property
    def window_length(self) -> int:
        """Frame length in samples."""
        return self._length

    @property
    def window_shift(self) -> int:
        """Frame shift in samples."""
        return self._shift

    def _check_input(self, x: torch.Tensor, name: str) -> None:
        if x.dim() != 2:
            raise ShapeError(
                f"{self._layer_name}: {name} must have shape (batch, num_samples), got {list(x.shape)}; "
                "use x.unsqueeze(0) for a single signal"
            )
        if x.dtype != torch.float32 and x.dtype != torch.float64:
            raise ShapeError(
                f"{self._layer_name}: {name} must be float32 or float64 audio in [-1, 1], got {x.dtype}; "
                "convert int16 samples with x.float() / 32768"
            )
        values = x.detach() if x.requires_grad else x  # (no "requires_grad to scalar" warning)
        if not torch.jit.is_scripting() and torch.compiler.is_compiling():
            # torch.export / torch.compile cannot branch on data: the check becomes a runtime assert op.
            finite = torch.isfinite(values.sum())
            torch._assert_async(finite, f"{self._layer_name}: {name} holds NaN or infinite samples")
        elif not math.isfinite(float(values.sum())):  # one cheap reduction; NaN/inf anywhere shows in the sum
            raise SignalValueError(f"{self._layer_name}: {name} holds NaN or infinite samples; clean the audio first")

    def _dithered(self, x: torch.Tensor) -> torch.Tensor:
        if self.dither != 0.0:
            return x + self.dither * torch.randn_like(x)
        return x

    def _features(self, windowed: torch.Tensor, log_energy: Optional[torch.Tensor]) -> torch.Tensor:
        """Turn windowed frames ``(batch, frames, width)`` into features; defined by each layer."""
        raise NotImplementedError

    def _process(
        self, frames: torch.Tensor, previous_frames: Optional[torch.Tensor]
    ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """The one core of ``forward`` and ``online_inference``: frames to ``(features, log_energy)``."""
        sample_weights, difference_weights = self._weights()
        if frames.dtype != sample_weights.dtype:
            sample_weights, difference_weights = sample_weights.to(frames.dtype), difference_weights.to(frames.dtype)
        windowed, log_e = window_frames(
            frames,
            sample_weights,
            difference_weights,
            self._length,
            self.remove_dc_offset,
            self.preemph_coeff,
            self._energy_mode,
            self.energy_floor,
            previous_frames,
        )
        return self._features(windowed, log_e), log_e

    def _offline(self, x: torch.Tensor) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        self._check_input(x, "x")
        frames, previous = frame_signal_with_previous(
            self._dithered(x), self._length, self._shift, self._width, self.snip_edges
        )
        num_frames = frames.size(1)
        block = max(1, self._block_frames // max(1, frames.size(0)))
        if num_frames <= block:
            return self._process(frames, previous)
        feats: List[torch.Tensor] = []
        energies: List[torch.Tensor] = []
        for start in range(0, num_frames, block):
            block_previous: Optional[torch.Tensor] = None
            if previous is not None:
                block_previous = previous[:, start : start + block]
            f, e = self._process(frames[:, start : start + block], block_previous)
            feats.append(f)
            if e is not None:
                energies.append(e)
        log_e: Optional[torch.Tensor] = None
        if len(energies) > 0:
            log_e = torch.cat(energies, dim=1)
        return torch.cat(feats, dim=1), log_e

    @torch.jit.export
    def online_inference(
        self, x: torch.Tensor, context: Optional[torch.Tensor] = None, last: bool = False
    ) -> Tuple[Tuple[torch.Tensor, Optional[torch.Tensor]], torch.Tensor]:
        """Streaming version of ``forward``: features for the frames that the new samples complete.

        Stateless: the returned remainder is the state; pass it back as ``context`` with the next chunk.
        Chunks may have any length (also shorter than a frame, or 0). With ``last=True`` (or a final
        :meth:`flush`) the frames that need the right-edge mirror are emitted too, so the frames of all
        calls together equal ``forward`` on the whole signal.

        Args:
            x: New samples ``(batch, chunk)``, same batch size, dtype and scale as the offline input.
            context: The remainder from the previous call; ``None`` starts a stream.
            last: This is the final chunk: emit every remaining frame, return an empty remainder.

        Returns:
            ``((features, log_energy), remainder)``: features ``(batch, new_frames, dim)``, log energy
            ``(batch, new_frames)`` or ``None`` (when the layer computes none), remainder ``(batch, n)``.

        Raises:
            ShapeError: wrong rank or dtype, or a context that does not match ``x``.
            SignalValueError: NaN or infinite samples.
        """
        self._check_input(x, "x")
        if context is not None and (context.dim() != 2 or context.size(0) != x.size(0) or context.dtype != x.dtype):
            raise ShapeError(
                f"{self._layer_name}.online_inference: context {list(context.shape)} {context.dtype} does "
                f"not match x {list(x.shape)} {x.dtype}; pass back the remainder of the previous call"
            )
        frames, previous, remainder = frame_stream_with_previous(
            self._dithered(x), context, self._length, self._shift, self._width, self.snip_edges, last
        )
        return self._process(frames, previous), remainder

    @torch.jit.export
    def flush(self, context: Optional[torch.Tensor]) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """End a stream: ``(features, log_energy)`` of the frames still pending in ``context``.

        Equivalent to ``online_inference(empty_chunk, context, last=True)[0]``. With ``context=None``
        (nothing was ever fed) the result has 0 frames and batch size 1.

        Args:
            context: The remainder returned by the last ``online_inference`` call (or ``None``).

        Returns:
            ``(features, log_energy)`` as in :meth:`online_inference`.
        """
        if context is None:
            context = self._window.new_zeros(1, 0)
        (feats, log_e), _ = self.online_inference(context[:, :0], context, True)
        return feats, log_e
