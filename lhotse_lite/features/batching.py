"""Lhotse's input and output conventions of ``FeatureExtractor.extract_batch``.

Inputs may be a list of 1-D signals, a ``(batch, samples)`` array or tensor, a padded batch with
``lengths``, or a single 1-D signal; :func:`split_batch` turns all of them into a list of 1-D signals.
Outputs are stacked into ``(batch, frames, dim)`` when every signal gives the same shape and returned
as a list otherwise (:func:`collate_results`). numpy in gives numpy out, torch in gives torch out;
torch is imported only when the input is torch.

Example:
    >>> import numpy as np
    >>> signals, is_list, is_torch = split_batch(np.zeros((2, 5)), lengths=[5, 3])
    >>> [len(s) for s in signals], is_list, is_torch
    ([5, 3], False, False)
    >>> collate_results([np.ones((2, 4)), np.ones((1, 4))], is_list, is_torch, single=False)[1].shape
    (1, 4)
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from lhotse_lite.errors import ShapeError

__all__ = ["split_batch", "collate_results", "is_single_signal"]


def is_single_signal(samples: Any) -> bool:
    """Whether ``samples`` is one 1-D signal (not a list and not a batch).

    Example:
        >>> is_single_signal(np.zeros(10)), is_single_signal(np.zeros((1, 10))), is_single_signal([np.zeros(10)])
        (True, False, False)
    """
    return not isinstance(samples, (list, tuple)) and getattr(samples, "ndim", 0) == 1


def split_batch(samples: Any, lengths: Optional[Sequence[int]]) -> Tuple[List[Any], bool, bool]:
    """Normalises the inputs of ``extract_batch`` to a list of 1-D signals.

    Args:
        samples: A list of signals ``(samples,)`` or ``(1, samples)``, a ``(batch, samples)`` array or
            tensor, or one 1-D signal.
        lengths: Valid samples of each row of a padded batch (``None``: every sample is valid).

    Returns:
        ``(signals, input_was_list, input_was_torch)``.

    Raises:
        ShapeError: ``lengths`` does not match the batch, or a signal is not 1-D.

    Example:
        >>> signals, is_list, _ = split_batch([np.zeros((1, 4)), np.zeros(6)], lengths=None)
        >>> [s.shape for s in signals], is_list
        ([(4,), (6,)], True)
        >>> split_batch(np.zeros((2, 5)), lengths=[5])
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ShapeError: extract_batch got 2 signals but 1 lengths; pass one length per signal
    """
    is_list = isinstance(samples, (list, tuple))
    items = list(samples) if is_list else ([samples] if is_single_signal(samples) else list(samples))
    is_torch = any(type(x).__module__.startswith("torch") for x in items)
    if lengths is not None:
        lengths = [int(n) for n in lengths]
        if len(lengths) != len(items):
            raise ShapeError(
                f"extract_batch got {len(items)} signals but {len(lengths)} lengths; pass one length per signal"
            )
        items = [x[:n] for x, n in zip(items, lengths)]
    flat = []
    for x in items:
        if x.ndim == 2 and x.shape[0] == 1:
            x = x[0]
        if x.ndim != 1:
            raise ShapeError(f"extract_batch expects 1-D signals (or (1, samples)), got shape {tuple(x.shape)}")
        flat.append(x)
    return flat, is_list, is_torch


def collate_results(results: List[Any], is_list: bool, is_torch: bool, single: bool) -> Any:
    """Lhotse's output convention for ``extract_batch``: stack equal shapes, else return a list.

    Args:
        results: Feature matrices ``(frames_i, dim)``, one per signal.
        is_list: The input was a list (a one-item list then gives a one-item list back).
        is_torch: Return torch tensors (else numpy arrays).
        single: The input was one 1-D signal: return its matrix alone.

    Returns:
        ``(batch, frames, dim)`` when all shapes are equal, else a list of ``(frames_i, dim)``.

    Example:
        >>> collate_results([np.zeros((3, 2)), np.zeros((3, 2))], is_list=True, is_torch=False, single=False).shape
        (2, 3, 2)
    """
    if is_torch:
        import torch

        results = [r if isinstance(r, torch.Tensor) else torch.from_numpy(np.asarray(r)) for r in results]
    else:
        results = [np.asarray(r) if not isinstance(r, np.ndarray) else r for r in results]
    if single:
        return results[0]
    if len(results) == 1 and is_list:
        return results
    if all(r.shape == results[0].shape for r in results[1:]):
        if is_torch:
            import torch

            return torch.stack(results)
        return np.stack(results)
    return results
