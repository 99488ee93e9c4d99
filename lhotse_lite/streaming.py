"""Helpers for designing and checking streaming (chunk-by-chunk) models.

Four small tools, after SpeechBrain's ``speechbrain.utils.streaming``:

* :func:`split_fixed_chunks` cuts a sequence into fixed-size chunks along any dimension;
* :func:`split_wav_lens` turns batch-level relative lengths (``wav_lens``) into per-chunk ones;
* :func:`infer_dependency_matrix` finds, by perturbing one input frame at a time, which output frames
  depend on which input frames: a model fit for streaming has no output depending on future inputs;
* :func:`plot_dependency_matrix` draws that matrix (needs the optional ``plot`` extra, matplotlib).

Differences from SpeechBrain: ``split_fixed_chunks`` splits along the ``dim`` it is given (SpeechBrain
always splits dimension 1); ``infer_dependency_matrix`` also accepts ``(batch, time)`` input shapes and
models returning a tuple, takes a ``torch.Generator`` for reproducible perturbations, and can perturb
each frame several times (``num_trials``) to make a missed dependency less likely.

Example:
    >>> import torch
    >>> from lhotse_lite.streaming import split_fixed_chunks, split_wav_lens
    >>> chunks = split_fixed_chunks(torch.zeros(3, 20, 80), 8, dim=1)
    >>> [c.shape[1] for c in chunks]
    [8, 8, 4]
    >>> split_wav_lens([8, 8, 4], torch.tensor([1.0, 0.65, 0.85]))[1]
    tensor([1.0000, 0.6250, 1.0000])
"""

from __future__ import annotations

import logging
from typing import Any, Callable, List, Optional, Sequence, Tuple

import torch

from lhotse_lite.checks import check_int
from lhotse_lite.errors import ConfigError, ShapeError

__all__ = [
    "split_fixed_chunks",
    "split_wav_lens",
    "infer_dependency_matrix",
    "plot_dependency_matrix",
]

logger = logging.getLogger(__name__)


def split_fixed_chunks(x: torch.Tensor, chunk_size: int, dim: int = -1) -> List[torch.Tensor]:
    """Split a tensor into consecutive chunks of ``chunk_size`` along dimension ``dim``.

    When ``x.size(dim)`` is not a multiple of ``chunk_size`` the last chunk is shorter. The chunks are
    views of ``x`` (no copy); ``torch.cat(chunks, dim)`` gives ``x`` back.

    Args:
        x: Any tensor, typically ``(batch, time, feature)`` features or ``(batch, samples)`` audio.
        chunk_size: Maximum size of each chunk along ``dim`` (frames or samples), at least 1.
        dim: The dimension to split, typically time. Negative values count from the end.

    Returns:
        ``ceil(x.size(dim) / chunk_size)`` tensors; each has ``size(dim) <= chunk_size`` and the other
        dimensions of ``x``.

    Raises:
        ConfigError: ``chunk_size`` is not a positive integer.
        ShapeError: ``dim`` is out of range for ``x``.

    Example:
        >>> import torch
        >>> chunks = split_fixed_chunks(torch.zeros(16, 10000, 80), 128, dim=1)
        >>> len(chunks), chunks[0].shape, chunks[-1].shape
        (79, torch.Size([16, 128, 80]), torch.Size([16, 16, 80]))
        >>> [c.shape for c in split_fixed_chunks(torch.zeros(2, 5), 2)]
        [torch.Size([2, 2]), torch.Size([2, 2]), torch.Size([2, 1])]
    """
    hint = "pass the number of frames (or samples) per chunk"
    check_int("split_fixed_chunks", "chunk_size", chunk_size, minimum=1, hint=hint)
    if not -x.dim() <= dim < max(x.dim(), 1):
        raise ShapeError(
            f"split_fixed_chunks: dim={dim} is out of range for a tensor of shape {tuple(x.shape)}; "
            f"use a dim in [{-x.dim()}, {x.dim() - 1}]"
        )
    return list(torch.split(x, chunk_size, dim=dim))


def split_wav_lens(chunk_lens: Sequence[int], wav_lens: torch.Tensor) -> List[torch.Tensor]:
    """Turn batch-relative lengths into chunk-relative lengths, one tensor per chunk.

    ``wav_lens[b]`` is the fraction of the padded sequence (of ``sum(chunk_lens)`` frames) that utterance
    ``b`` really covers. For chunk ``i`` starting at frame ``s_i`` the result is
    ``clamp((wav_lens * sum(chunk_lens) - s_i) / chunk_lens[i], 0, 1)``: the fraction of that chunk
    holding real (non-padding) frames.

    Args:
        chunk_lens: Length of every chunk in frames, e.g. ``[c.size(1) for c in chunks]`` after
            :func:`split_fixed_chunks`. Chunks may have different lengths.
        wav_lens: Relative lengths in ``[0, 1]``, shape ``(batch,)``.

    Returns:
        ``len(chunk_lens)`` tensors of shape ``(batch,)`` with values in ``[0, 1]``.

    Raises:
        ConfigError: ``chunk_lens`` is empty or holds a non-positive length.

    Example:
        >>> import torch
        >>> # 20 padded frames; the utterances have 20, 13 and 17 frames
        >>> for lens in split_wav_lens([8, 8, 4], torch.tensor([1.0, 0.65, 0.85])):
        ...     print(lens)
        tensor([1., 1., 1.])
        tensor([1.0000, 0.6250, 1.0000])
        tensor([1.0000, 0.0000, 0.2500])
    """
    chunk_lens = list(chunk_lens)
    if not chunk_lens or any(int(n) != n or n < 1 for n in chunk_lens):
        raise ConfigError(f"split_wav_lens: expected a non-empty list of positive chunk lengths, got {chunk_lens!r}")
    wav_frames = wav_lens * float(sum(chunk_lens))
    result: List[torch.Tensor] = []
    start = 0
    for chunk_len in chunk_lens:
        result.append(torch.clamp((wav_frames - start) / chunk_len, 0.0, 1.0))
        start += chunk_len
    return result


def _first_tensor(output: Any, where: str) -> torch.Tensor:
    """The model's output tensor; a tuple/list output contributes its first element."""
    if isinstance(output, (tuple, list)) and output:
        output = output[0]
    if not isinstance(output, torch.Tensor) or output.dim() < 2:
        shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
        raise ShapeError(
            f"{where}: expected the model to return a tensor shaped (batch, time, ...) (or a tuple "
            f"starting with one), got {shape}; wrap the model in a function that returns it"
        )
    return output


def _changed_frames(test: torch.Tensor, base: torch.Tensor, rtol: float, atol: float) -> torch.Tensor:
    """``(time,)`` bool: which output frames of ``test`` differ from ``base`` in any batch item/feature."""
    same = torch.isclose(test, base, rtol=rtol, atol=atol, equal_nan=True)
    return ~same.transpose(0, 1).reshape(base.size(1), -1).all(dim=1)


def infer_dependency_matrix(
    model: Callable[[torch.Tensor], Any],
    seq_shape: Tuple[int, ...],
    in_stride: int = 1,
    *,
    num_trials: int = 1,
    generator: Optional[torch.Generator] = None,
    rtol: float = 1e-5,
    atol: float = 1e-8,
) -> torch.Tensor:
    """Find which output frames of ``model`` depend on which input frames, by perturbation.

    The model runs once on a random input of ``seq_shape``; then, for every ``in_stride``-th input frame,
    that frame alone is replaced by new random values and the output frames that change (beyond
    ``torch.isclose(rtol, atol)`` in any batch item or feature) are recorded as dependent on it. A model
    usable for streaming has no ``True`` below the "diagonal" of its own latency: an output never depends
    on inputs that arrive after it.

    The model must be deterministic (put it in ``eval()`` mode so dropout is off); this is checked by
    running it twice on the same input. It runs under ``torch.no_grad()``. The cost is one model call per
    tested frame and trial, so keep ``seq_shape`` short or raise ``in_stride`` for raw audio.

    Args:
        model: A module or function mapping a ``seq_shape`` tensor to a tensor shaped
            ``(batch, out_time, ...)``, or to a tuple whose first element is one (e.g. ``(out, lengths)``).
            Random weights are enough.
        seq_shape: Input shape, ``(batch, time, feature)`` or ``(batch, time)`` (raw audio); time is
            dimension 1. ``batch`` may be 1.
        in_stride: Test only every ``in_stride``-th input frame (frames ``0, in_stride, 2 * in_stride``).
        num_trials: Perturb each tested frame this many times (each with new random values); a
            dependency found in any trial counts. More trials make a missed dependency (a perturbation
            that happens not to change the output, e.g. behind a ReLU) less likely.
        generator: Random source for the base input and the perturbations; seed it for reproducible runs.
            ``None`` uses torch's global generator.
        rtol: Relative tolerance when comparing output frames.
        atol: Absolute tolerance when comparing output frames.

    Returns:
        Bool tensor ``(ceil(time / in_stride), out_time)``; ``deps[i, j]`` is ``True`` when output frame
        ``j`` depends on input frame ``i * in_stride``.

    Raises:
        ConfigError: ``seq_shape``, ``in_stride`` or ``num_trials`` is invalid, or the model is not
            deterministic (two runs on the same input differ).
        ShapeError: The model does not return a ``(batch, time, ...)`` tensor.

    Example:
        >>> import torch
        >>> conv = torch.nn.Conv1d(1, 1, kernel_size=3, padding=1)  # looks 1 frame ahead
        >>> model = lambda x: conv(x.transpose(1, 2)).transpose(1, 2)
        >>> deps = infer_dependency_matrix(model, (1, 6, 1), generator=torch.Generator().manual_seed(0))
        >>> deps.int()
        tensor([[1, 1, 0, 0, 0, 0],
                [1, 1, 1, 0, 0, 0],
                [0, 1, 1, 1, 0, 0],
                [0, 0, 1, 1, 1, 0],
                [0, 0, 0, 1, 1, 1],
                [0, 0, 0, 0, 1, 1]], dtype=torch.int32)
        >>> bool(deps.triu(1).any())  # does an output depend on a future input?
        True
    """
    where = "infer_dependency_matrix"
    seq_shape = tuple(int(n) for n in seq_shape)
    if len(seq_shape) not in (2, 3) or min(seq_shape) < 1:
        raise ConfigError(
            f"{where}: expected seq_shape (batch, time, feature) or (batch, time) with positive sizes, got {seq_shape}"
        )
    check_int(where, "in_stride", in_stride, minimum=1)
    check_int(where, "num_trials", num_trials, minimum=1)

    batch, seq_len = seq_shape[0], seq_shape[1]
    frame_shape = (batch, *seq_shape[2:])
    base_seq = torch.rand(seq_shape, generator=generator)
    with torch.no_grad():
        base_out = _first_tensor(model(base_seq), where)
        again = _first_tensor(model(base_seq.clone()), where)
        if again.shape != base_out.shape or not torch.equal(again, base_out):
            raise ConfigError(
                f"{where}: expected a deterministic model, but two runs on the same input gave "
                "different outputs; call model.eval() (dropout and other random layers must be off) "
                "and avoid sampling inside forward"
            )
        out_len = base_out.size(1)
        deps = torch.zeros(((seq_len + in_stride - 1) // in_stride, out_len), dtype=torch.bool)
        for row, in_frame in enumerate(range(0, seq_len, in_stride)):
            for _ in range(num_trials):
                test_seq = base_seq.clone()
                test_seq[:, in_frame] = torch.rand(frame_shape, generator=generator)
                test_out = _first_tensor(model(test_seq), where)
                if test_out.shape != base_out.shape:
                    raise ShapeError(
                        f"{where}: the output shape changed from {tuple(base_out.shape)} to "
                        f"{tuple(test_out.shape)} when input frame {in_frame} was perturbed; the model "
                        "must map one input shape to one output shape"
                    )
                deps[row] |= _changed_frames(test_out, base_out, rtol, atol)
    logger.debug("dependency matrix %s: %d dependencies", tuple(deps.shape), int(deps.sum()))
    return deps


def plot_dependency_matrix(deps: torch.Tensor) -> Any:
    """Draw a dependency matrix from :func:`infer_dependency_matrix` as a matplotlib figure.

    Input frames run along the x axis, output frames along the y axis; a red cell means the output frame
    depends on the input frame. A causal model shows red only on and below the diagonal (for equal
    input and output rates); a bidirectional RNN or a full-attention transformer is red everywhere.

    The figure is a plain ``matplotlib.figure.Figure`` (not registered with pyplot, so nothing leaks);
    save it with ``fig.savefig(path)``.

    Args:
        deps: Bool tensor ``(in_frames, out_frames)``, indexed ``[in_frame, out_frame]``.

    Returns:
        A ``matplotlib.figure.Figure`` with one axes.

    Raises:
        ImportError: matplotlib is not installed (install the ``plot`` extra:
            ``pip install 'lhotse_lite[plot]'``).
        ShapeError: ``deps`` is not 2-D.

    Example:
        >>> import torch
        >>> fig = plot_dependency_matrix(torch.ones(4, 4, dtype=torch.bool).tril())
        >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
        ('input frame', 'output frame')
    """
    try:
        from matplotlib.colors import ListedColormap
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError(
            "plot_dependency_matrix needs matplotlib, which is the optional 'plot' extra of lhotse_lite; "
            "install it with: pip install 'lhotse_lite[plot]' (or pip install matplotlib)"
        ) from err
    if deps.dim() != 2:
        raise ShapeError(
            f"plot_dependency_matrix: expected a 2-D [in_frame, out_frame] matrix, got shape "
            f"{tuple(deps.shape)}; pass the result of infer_dependency_matrix"
        )
    fig = Figure()
    ax = fig.add_subplot()
    image = deps.detach().to(torch.bool).cpu().t().numpy().astype("float32")
    ax.pcolormesh(
        image,
        cmap=ListedColormap(["white", "red"]),
        vmin=0.0,
        vmax=1.0,
        edgecolors="gray",
        linewidth=0.5,
    )
    ax.set_title("Dependency matrix")
    ax.set_xlabel("input frame")
    ax.set_ylabel("output frame")
    ax.set_aspect("equal")
    return fig
