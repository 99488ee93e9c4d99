"""Cutting a signal into Kaldi's frames, offline and as a stream.

Kaldi's frame ``f`` starts at sample ``f * shift`` with ``snip_edges=True`` (only frames that fit in
the signal are kept), and at ``f * shift + shift // 2 - length // 2`` with ``snip_edges=False``; there
the signal is mirrored at both edges (sample ``-1`` is sample ``0``, sample ``N`` is sample ``N - 1``,
repeatedly for signals shorter than the padding), and the frame count is
``(N + shift // 2) // shift`` (:func:`lhotse_lite.units.kaldi_num_frames`).

Frames are returned ``width >= length`` samples wide (the FFT size), as strided views where possible:
the samples past ``length`` are whatever follows in the signal (or zeros, or mirrored samples) and the
analysis multiplies them by zero weights, which saves a padding copy.

Streaming state. :func:`frame_stream` is stateless: everything it needs is in the *remainder* tensor
``(batch, n)`` it returns and expects back as ``context``:

* warm-up (no frame emitted yet, ``n < length - pad`` where ``pad = length // 2 - shift // 2``): the
  raw samples received so far; the left mirror needs them all before the first frame can be cut;
* running (``n >= length``, only after the first frame): the mirrored signal from the first sample of
  the last emitted frame onwards (``snip_edges=True``: from the first sample of the next frame).

``last=True`` ends the stream: the remaining frames are cut with the right-edge mirror, exactly as the
offline path does, and an empty remainder is returned (feeding it back starts a new stream).

Example:
    >>> import torch
    >>> from lhotse_lite.features.kaldi.framing import frame_signal, frame_stream
    >>> x = torch.arange(1000.0).unsqueeze(0)
    >>> frame_signal(x, 400, 160, 512, snip_edges=False).shape
    torch.Size([1, 6, 512])
    >>> a, rem = frame_stream(x[:, :600], None, 400, 160, 512, snip_edges=False, last=False)
    >>> b, rem = frame_stream(x[:, 600:], rem, 400, 160, 512, snip_edges=False, last=True)
    >>> a.shape[1] + b.shape[1]
    6
"""

from __future__ import annotations

from typing import Optional, Tuple

import torch

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.units import kaldi_num_frames

__all__ = [
    "first_frame_offset",
    "reflect_indices",
    "frame_signal",
    "frame_signal_with_previous",
    "frame_stream",
    "frame_stream_with_previous",
]


def first_frame_offset(length: int, shift: int, snip_edges: bool) -> int:
    """The (non-positive) signal index where frame 0 starts.

    Example:
        >>> first_frame_offset(400, 160, False), first_frame_offset(1102, 441, False)
        (-120, -331)
    """
    if snip_edges:
        return 0
    return shift // 2 - length // 2


def reflect_indices(start: int, stop: int, num_samples: int, device: torch.device) -> torch.Tensor:
    """Indices ``start .. stop - 1`` mirrored into ``[0, num_samples)`` the way Kaldi does (repeatedly).

    Example:
        >>> reflect_indices(-3, 5, 2, torch.device("cpu")).tolist()
        [1, 1, 0, 0, 1, 1, 0, 0]
    """
    idx = torch.arange(start, stop, device=device)
    period = 2 * num_samples
    m = torch.remainder(idx, period)
    return torch.where(m < num_samples, m, period - 1 - m)


def _unfold(
    signal: torch.Tensor, offset: int, count: int, width: int, shift: int
) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """``count`` frames of ``width`` samples starting at ``offset``, zero-extending the signal if short.

    Also returns the same frames moved one sample to the left (each frame's *previous* samples, which
    pre-emphasis needs) as a second strided view when ``offset >= 1``, else ``None``.
    """
    if count <= 0:
        empty = signal.new_zeros(signal.size(0), 0, width)
        return empty, empty
    need = offset + (count - 1) * shift + width
    if need > signal.size(1):
        signal = torch.cat([signal, signal.new_zeros(signal.size(0), need - signal.size(1))], dim=1)
    # ``as_strided`` views (one call each instead of a slice and an unfold).
    size = [signal.size(0), count, width]
    stride = [signal.stride(0), shift * signal.stride(1), signal.stride(1)]
    base = signal.storage_offset()
    frames = signal.as_strided(size, stride, base + offset * signal.stride(1))
    if offset < 1:
        return frames, None
    return frames, signal.as_strided(size, stride, base + (offset - 1) * signal.stride(1))


def frame_signal(x: torch.Tensor, length: int, shift: int, width: int, snip_edges: bool) -> torch.Tensor:
    """Cut ``x`` into Kaldi's frames.

    Args:
        x: Signal, shape ``(batch, num_samples)``.
        length: Frame length in samples.
        shift: Frame shift in samples.
        width: Returned frame width (``>= length``); samples past ``length`` are not meaningful.
        snip_edges: Kaldi's ``--snip-edges``.

    Returns:
        Frames, shape ``(batch, num_frames, width)`` (often a strided view of ``x``).

    Example:
        >>> frame_signal(torch.zeros(2, 399), 400, 160, 400, snip_edges=True).shape
        torch.Size([2, 0, 400])
    """
    return frame_signal_with_previous(x, length, shift, width, snip_edges)[0]


def frame_signal_with_previous(
    x: torch.Tensor, length: int, shift: int, width: int, snip_edges: bool
) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """:func:`frame_signal`, plus the frames moved one sample left (``None`` where no sample precedes).

    The second view holds, at column ``i``, the sample before column ``i`` of the first (what
    pre-emphasis subtracts); column 0 of the first frame may be a placeholder (the analysis weights it
    with zero).

    Example:
        >>> frames, previous = frame_signal_with_previous(torch.arange(10.0)[None], 4, 2, 4, snip_edges=False)
        >>> frames[0, 1].tolist(), previous[0, 1].tolist()
        ([1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 2.0, 3.0])
    """
    num_samples = x.size(1)
    count = kaldi_num_frames(num_samples, length, shift, snip_edges)
    if count <= 0:
        empty = x.new_zeros(x.size(0), 0, width)
        return empty, empty
    start = first_frame_offset(length, shift, snip_edges)
    stop = start + (count - 1) * shift + length
    if start >= 0 and stop <= num_samples:
        end = min(num_samples, start + (count - 1) * shift + width)
        if start >= 1:
            return _unfold(x[:, start - 1 : end], 1, count, width, shift)
        return _unfold(x[:, start:end], 0, count, width, shift)
    extra = width - length
    if start < 0 and 1 - start <= num_samples and stop + extra <= 2 * num_samples:
        # The common snip_edges=False case in one copy: mirror the edges (Kaldi: sample -k is sample
        # k - 1, sample N + j is sample N - 1 - j). The head mirror runs one sample further (the
        # placeholder before frame 0 for ``previous``) and the tail mirror ``width - length`` samples
        # further (the last frame's padded width); the analysis weights both with zero.
        parts = [torch.flip(x[:, : 1 - start], [1])]
        end = stop + extra
        parts.append(x if end >= num_samples else x[:, :end])
        if end > num_samples:
            parts.append(torch.flip(x[:, 2 * num_samples - end :], [1]))
        return _unfold(torch.cat(parts, dim=1), 1, count, width, shift)
    if -start <= num_samples and stop - num_samples <= num_samples:
        # Mirror only the edges (Kaldi: sample -k is sample k - 1); one leading sample feeds ``previous``.
        parts = [x[:, :1]]
        if start < 0:
            parts.append(torch.flip(x[:, :-start], [1]))
        parts.append(x if start <= 0 and stop >= num_samples else x[:, max(start, 0) : min(stop, num_samples)])
        if stop > num_samples:
            parts.append(torch.flip(x[:, 2 * num_samples - stop :], [1]))
        if width > length:  # the padded width of the last frame, in the same copy
            parts.append(x.new_zeros(x.size(0), width - length))
        segment = torch.cat(parts, dim=1)
    else:
        segment = x[:, reflect_indices(start - 1, stop, num_samples, x.device)]
    return _unfold(segment, 1, count, width, shift)


def frame_stream(
    x: torch.Tensor,
    context: Optional[torch.Tensor],
    length: int,
    shift: int,
    width: int,
    snip_edges: bool,
    last: bool,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Cut the frames that ``context`` followed by ``x`` completes; see the module docstring for the state.

    Args:
        x: New samples, shape ``(batch, chunk)`` (``chunk`` may be 0).
        context: The remainder returned by the previous call, or ``None`` at the start of a stream.
        length: Frame length in samples.
        shift: Frame shift in samples (``<= length``).
        width: Returned frame width (``>= length``).
        snip_edges: Kaldi's ``--snip-edges``.
        last: End of stream: cut every remaining frame (mirroring the right edge) and return an empty
            remainder.

    Returns:
        ``(frames, remainder)``: frames ``(batch, num_new_frames, width)`` and the remainder
        ``(batch, n)`` to pass as ``context`` next time.
    """
    frames, _, remainder = frame_stream_with_previous(x, context, length, shift, width, snip_edges, last)
    return frames, remainder


def frame_stream_with_previous(
    x: torch.Tensor,
    context: Optional[torch.Tensor],
    length: int,
    shift: int,
    width: int,
    snip_edges: bool,
    last: bool,
) -> Tuple[torch.Tensor, Optional[torch.Tensor], torch.Tensor]:
    """:func:`frame_stream`, plus the frames moved one sample left as in :func:`frame_signal_with_previous`.

    Returns:
        ``(frames, previous, remainder)``; ``previous`` is ``None`` where no sample precedes the first frame.

    Example:
        >>> x = torch.arange(1000.0).unsqueeze(0)
        >>> frames, previous, rem = frame_stream_with_previous(x, None, 400, 160, 512, False, False)
        >>> frames.shape, previous.shape, rem.shape
        (torch.Size([1, 5, 512]), torch.Size([1, 5, 512]), torch.Size([1, 480]))
    """
    n = x.size(1) if context is None else context.size(1) + x.size(1)
    if width > length:
        # One copy: the zeros the last frame's padded width may read are appended here, not per frame.
        tail = x.new_zeros(x.size(0), width - length)
        buf = torch.cat([x, tail] if context is None else [context, x, tail], dim=1)
    else:
        buf = x if context is None else torch.cat([context, x], dim=1)
    if snip_edges:
        count = 0 if n < length else 1 + (n - length) // shift
        frames, previous = _unfold(buf, 0, count, width, shift)
        return frames, previous, (buf[:, :0] if last else buf[:, count * shift : n])
    pad = length // 2 - shift // 2
    if context is None or context.size(1) < length - pad:
        # Warm-up: no frame emitted yet, ``buf`` is the raw signal from its first sample.
        if last:
            frames, previous = frame_signal_with_previous(buf[:, :n], length, shift, width, False)
            return frames, previous, buf[:, :0]
        if n < length - pad:
            empty = buf.new_zeros(buf.size(0), 0, width)
            return empty, empty, buf[:, :n]
        # One leading sample (any value: it is weighted by zero) so that ``previous`` exists.
        padded = torch.cat([buf[:, :1], torch.flip(buf[:, :pad], [1]), buf], dim=1)
        count = (n + pad - length) // shift + 1
        frames, previous = _unfold(padded, 1, count, width, shift)
        return frames, previous, padded[:, 1 + (count - 1) * shift : 1 + n + pad]
    # Running: ``buf`` starts at the first sample of the last emitted frame.
    if last:
        count = (n - pad + shift // 2) // shift - 1
        stop = count * shift + length
        buf = buf[:, :n]
        if stop > n:
            buf = torch.cat([buf, torch.flip(buf[:, 2 * n - stop :], [1])], dim=1)
        frames, previous = _unfold(buf, shift, count, width, shift)
        return frames, previous, buf[:, :0]
    count = (n - length) // shift
    frames, previous = _unfold(buf, shift, count, width, shift)
    return frames, previous, buf[:, count * shift : n]


# ---- Lhotse's framing helpers (``lhotse.features.kaldi.layers``), with these frames -------------------


def _check_batch(name: str, waveform: torch.Tensor) -> None:
    if waveform.dim() != 2:
        raise ShapeError(
            f"{name}: expected a waveform of shape (batch, num_samples), got shape {tuple(waveform.shape)}"
        )


def _get_strided_batch(waveform: torch.Tensor, window_length: int, window_shift: int, snip_edges: bool) -> torch.Tensor:
    """Lhotse's name for :func:`frame_signal` with frames ``window_length`` wide.

    The frames are Kaldi's (those of the layers). They equal Lhotse's, except that with
    ``snip_edges=False``, an even ``window_length`` and an odd ``window_shift`` Lhotse's start one
    sample later, that a signal shorter than the edge padding is mirrored repeatedly (Lhotse fails),
    and that no frame gives shape ``(batch, 0, window_length)`` (Lhotse: ``(0, 0, 0)``).

    Args:
        waveform: Shape ``(batch, num_samples)``.
        window_length: Frame length in samples.
        window_shift: Frame shift in samples.
        snip_edges: Kaldi's ``--snip-edges``: only frames that fit (``True``), or mirrored edges.

    Returns:
        Frames, shape ``(batch, num_frames, window_length)``.

    Raises:
        ShapeError: ``waveform`` is not 2-D (also an ``AssertionError``, as Lhotse's ``assert``).

    Example:
        >>> _get_strided_batch(torch.arange(10.0)[None], 4, 2, snip_edges=True)[0, :2].tolist()
        [[0.0, 1.0, 2.0, 3.0], [2.0, 3.0, 4.0, 5.0]]
    """
    _check_batch("_get_strided_batch", waveform)
    return frame_signal(waveform, window_length, window_shift, window_length, snip_edges)


def _get_strided_batch_streaming(
    waveform: torch.Tensor,
    window_shift: int,
    window_length: int,
    prev_remainder: Optional[torch.Tensor] = None,
    snip_edges: bool = False,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Lhotse's streaming framing: the frames that fit in ``prev_remainder`` + ``waveform``, and the rest.

    The state is the remainder: the samples from the first sample of the next frame on. The first call
    (``prev_remainder=None``) mirrors the left edge as :func:`frame_signal` does with
    ``snip_edges=False``; the right edge is never reached (the stream has no end), so the frames
    of all calls are the first frames of :func:`_get_strided_batch` on the whole signal. Outputs equal
    Lhotse's except as noted in :func:`_get_strided_batch` (the left padding, and shape
    ``(batch, 0, window_length)`` when no frame fits, where Lhotse gives ``(batch, 0, 0)`` or fails).

    Args:
        waveform: New samples, shape ``(batch, num_samples)``.
        window_shift: Frame shift in samples (``<= window_length``).
        window_length: Frame length in samples.
        prev_remainder: The remainder of the previous call, ``(batch, n)``; ``None`` starts a stream.
        snip_edges: Kaldi's ``--snip-edges`` (no left mirror).

    Returns:
        ``(frames, remainder)``: ``(batch, num_frames, window_length)`` and ``(batch, n)``.

    Raises:
        ConfigError: ``window_shift > window_length``.
        ShapeError: a tensor is not 2-D, the batch sizes differ, or a stream's first chunk is shorter
            than the left mirror needs (``window_length // 2 - window_shift // 2`` samples).

    Example:
        >>> x = torch.arange(1000.0)[None]
        >>> a, rest = _get_strided_batch_streaming(x[:, :333], 160, 400)
        >>> b, rest = _get_strided_batch_streaming(x[:, 333:], 160, 400, prev_remainder=rest)
        >>> torch.equal(torch.cat([a, b], 1), _get_strided_batch(x, 400, 160, False)[:, : a.size(1) + b.size(1)])
        True
    """
    if window_shift > window_length:
        raise ConfigError(
            f"_get_strided_batch_streaming: window_shift ({window_shift}) must be <= window_length ({window_length})"
        )
    _check_batch("_get_strided_batch_streaming", waveform)
    if prev_remainder is None:
        if not snip_edges:
            pad = -first_frame_offset(window_length, window_shift, snip_edges)
            if waveform.size(1) < pad:
                raise ShapeError(
                    f"_get_strided_batch_streaming: the first chunk of a stream needs at least {pad} samples "
                    f"for the left mirror, got {waveform.size(1)}; pass a longer first chunk"
                )
            waveform = torch.cat([torch.flip(waveform[:, :pad], [1]), waveform], dim=1)
    else:
        _check_batch("_get_strided_batch_streaming (prev_remainder)", prev_remainder)
        if prev_remainder.size(0) != waveform.size(0):
            raise ShapeError(
                f"_get_strided_batch_streaming: prev_remainder has batch size {prev_remainder.size(0)}, "
                f"the waveform {waveform.size(0)}"
            )
        waveform = torch.cat([prev_remainder, waveform], dim=1)
    n = waveform.size(1)
    count = 0 if n < window_length else 1 + (n - window_length) // window_shift
    frames, _ = _unfold(waveform, 0, count, window_length, window_shift)
    return frames, waveform[:, count * window_shift :]
