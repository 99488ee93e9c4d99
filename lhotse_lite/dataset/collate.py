"""Collating variable-length feature matrices into one padded batch.

A batch is a :class:`FeatureBatch` ``(features, lengths, targets)``: features ``(batch, frames,
dim)`` padded at the end of the time axis, the number of valid frames of each item, and the targets
stacked into a tensor when they are numbers (class indices) or kept as a list otherwise (texts).

Example:
    >>> import torch
    >>> batch = collate_features([(torch.ones(3, 2), 1), (torch.ones(5, 2), 0)])
    >>> tuple(batch.features.shape), batch.lengths.tolist(), batch.targets.tolist()
    ((2, 5, 2), [3, 5], [1, 0])
    >>> batch.features[0, 3:].abs().sum().item()
    0.0
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, List, NamedTuple, Sequence, Tuple, Union

import numpy as np
import torch

from lhotse_lite.errors import ShapeError

__all__ = ["FeatureBatch", "collate_features", "new_batch_tensor", "pad_features"]

Targets = Union[torch.Tensor, List[Any]]


class FeatureBatch(NamedTuple):
    """A padded batch; unpacks as ``features, lengths, targets = batch``.

    ``features`` is a ``(batch, max_frames, dim)`` float tensor, ``pad_value`` (0) after each item's
    valid frames; ``lengths`` the ``(batch,)`` int64 valid frames per item; ``targets`` a ``(batch,)``
    int64 (or float) tensor when every target is a number, a stacked tensor when they are tensors of
    one shape, else a list.
    """

    features: torch.Tensor
    lengths: torch.Tensor
    targets: Targets


def pad_features(
    matrices: Sequence[Union[torch.Tensor, np.ndarray]], pad_value: float = 0.0, extra_frames: int = 0
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Stacks ``(frames_i, dim)`` matrices into ``(batch, max_frames + extra_frames, dim)``, padding at the end.

    Args:
        matrices: Feature matrices with the same ``dim`` (tensors or numpy arrays).
        pad_value: Value of the padded frames.
        extra_frames: Frames of padding appended after the longest item (e.g. a streaming model's
            right context). (Default: ``0``)

    Returns:
        ``(features, lengths)``: the padded float tensor and the ``(batch,)`` int64 frame counts.

    Raises:
        ShapeError: No matrices, a matrix that is not 2-D, or differing feature dimensions.

    Example:
        >>> feats, lengths = pad_features([np.zeros((2, 3)), np.zeros((4, 3))], pad_value=-1.0)
        >>> tuple(feats.shape), lengths.tolist(), feats[0, 2, 0].item()
        ((2, 4, 3), [2, 4], -1.0)
    """
    if len(matrices) == 0:
        raise ShapeError("pad_features got an empty list; a batch needs at least one item")
    if extra_frames < 0:
        raise ShapeError(f"extra_frames must be >= 0, got {extra_frames}")
    arrays = [m for m in matrices if isinstance(m, np.ndarray) and m.ndim == 2]
    if len(arrays) == len(matrices) and len({m.shape[1] for m in arrays}) == 1:
        return _pad_arrays(arrays, pad_value, extra_frames)
    tensors = [m if isinstance(m, torch.Tensor) else torch.from_numpy(np.asarray(m)) for m in matrices]
    dims = {tuple(t.shape[1:]) for t in tensors}
    if any(t.ndim != 2 for t in tensors) or len(dims) != 1:
        shapes = [tuple(t.shape) for t in tensors]
        raise ShapeError(
            f"pad_features expects 2-D (frames, dim) matrices with one dim, got shapes {shapes[:8]}; "
            "check that every item was computed with the same extractor"
        )
    dtype = torch.promote_types(torch.float32, tensors[0].dtype) if tensors[0].is_floating_point() else torch.float32
    lengths = torch.tensor([t.shape[0] for t in tensors], dtype=torch.int64)
    out = torch.full((len(tensors), int(lengths.max()) + extra_frames, tensors[0].shape[1]), pad_value, dtype=dtype)
    for i, t in enumerate(tensors):
        out[i, : t.shape[0]] = t
    return out, lengths


def _pad_arrays(
    arrays: Sequence[np.ndarray], pad_value: float, extra_frames: int = 0
) -> Tuple[torch.Tensor, torch.Tensor]:
    """:func:`pad_features` for numpy matrices: one numpy copy per item, no per-item torch calls.

    Only the padding after each item is written besides the items. In a ``DataLoader`` worker the
    batch is written straight into shared memory (as PyTorch's ``default_collate`` does), so sending
    it to the main process copies nothing; fresh shared memory reads as zeros, so a zero padding is
    not written there at all.
    """
    first = arrays[0].dtype
    dtype = np.result_type(np.float32, first) if np.issubdtype(first, np.floating) else np.float32
    lengths = np.array([a.shape[0] for a in arrays], dtype=np.int64)
    shape = (len(arrays), int(lengths.max()) + extra_frames, arrays[0].shape[1])
    tensor, zeroed = new_batch_tensor(shape, torch.from_numpy(np.empty(0, dtype=dtype)).dtype)
    out = tensor.numpy()
    for i, a in enumerate(arrays):
        out[i, : a.shape[0]] = a
        if a.shape[0] < shape[1] and not (zeroed and pad_value == 0):
            out[i, a.shape[0] :] = pad_value
    return tensor, torch.from_numpy(lengths)


def new_batch_tensor(shape: Tuple[int, ...], dtype: torch.dtype = torch.float32) -> Tuple[torch.Tensor, bool]:
    """An uninitialised CPU tensor for a batch: in shared memory inside a ``DataLoader`` worker.

    A worker's outputs reach the main process through shared memory; a tensor allocated there from
    the start is sent without the copy the ``DataLoader`` would otherwise make (PyTorch's
    ``default_collate`` does the same).

    Args:
        shape: The tensor's shape.
        dtype: Its dtype. (Default: ``torch.float32``)

    Returns:
        ``(tensor, zeroed)``: ``zeroed`` is ``True`` when the memory is known to read as zeros
        (fresh shared memory), ``False`` when it is uninitialised.

    Example:
        >>> tensor, zeroed = new_batch_tensor((2, 3))
        >>> tuple(tensor.shape), zeroed  # outside a worker: ordinary memory
        ((2, 3), False)
    """
    if torch.utils.data.get_worker_info() is None:
        return torch.empty(shape, dtype=dtype), False
    numel = int(np.prod(shape))
    storage = torch.empty(0, dtype=dtype)._typed_storage()._new_shared(numel, device="cpu")
    return torch.empty(0, dtype=dtype).new(storage).resize_(*shape), True


def _collate_targets(targets: Sequence[Any]) -> Targets:
    if targets and all(isinstance(t, Integral) and not isinstance(t, bool) for t in targets):
        return torch.tensor(list(targets), dtype=torch.int64)
    if targets and all(isinstance(t, Real) and not isinstance(t, bool) for t in targets):
        return torch.tensor(list(targets), dtype=torch.float32)
    if targets and all(isinstance(t, torch.Tensor) and t.shape == targets[0].shape for t in targets):
        return torch.stack(list(targets))
    return list(targets)


def collate_features(items: Sequence[Tuple[Any, Any]], pad_value: float = 0.0) -> FeatureBatch:
    """The ``collate_fn`` for :class:`~lhotse_lite.dataset.SupervisionDataset` items.

    Args:
        items: ``(features (frames, dim), target)`` pairs.
        pad_value: Value of padded frames (0 is the mean after global normalisation).

    Returns:
        A :class:`FeatureBatch`.

    Raises:
        ShapeError: See :func:`pad_features`.

    Example:
        >>> collate_features([(np.ones((2, 4)), "yes")]).targets
        ['yes']
    """
    features, lengths = pad_features([f for f, _ in items], pad_value=pad_value)
    return FeatureBatch(features, lengths, _collate_targets([t for _, t in items]))
