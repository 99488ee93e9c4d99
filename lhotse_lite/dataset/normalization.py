"""Global mean and variance normalisation with the statistics of :func:`compute_global_stats`.

Example:
    >>> import numpy as np
    >>> mvn = GlobalMVN(means=np.array([1.0, 2.0]), stds=np.array([2.0, 0.5]))
    >>> mvn(np.array([[3.0, 2.5]], dtype=np.float32)).tolist()
    [[1.0, 1.0]]
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Mapping, Union, overload

import numpy as np
import torch

from lhotse_lite.errors import ConfigError, ShapeError

__all__ = ["GlobalMVN"]

ArrayLike = Union[np.ndarray, torch.Tensor]


class GlobalMVN:
    """Per-bin ``(x - mean) / max(std, eps)`` for ``(frames, dim)`` (or ``(..., dim)``) features.

    Picklable (it holds two float32 arrays), so it travels to ``DataLoader`` workers.

    Args:
        means: ``(dim,)`` per-bin means.
        stds: ``(dim,)`` per-bin standard deviations.
        eps: Floor of the standard deviations (constant bins would divide by zero).

    Raises:
        ShapeError: ``means`` and ``stds`` are not 1-D of one length.
        ConfigError: ``eps`` is not positive.

    Example:
        >>> import torch
        >>> GlobalMVN([0.0, 10.0], [1.0, 0.0], eps=0.5)(torch.tensor([[1.0, 11.0]])).tolist()
        [[1.0, 2.0]]
    """

    def __init__(self, means: ArrayLike, stds: ArrayLike, eps: float = 1e-5) -> None:
        means = np.asarray(means, dtype=np.float32)
        stds = np.asarray(stds, dtype=np.float32)
        if means.ndim != 1 or means.shape != stds.shape:
            raise ShapeError(
                f"GlobalMVN needs 1-D means and stds of one length, got {means.shape} and {stds.shape}; "
                "pass the dict of compute_global_stats"
            )
        if not eps > 0:
            raise ConfigError(f"GlobalMVN: eps must be > 0, got {eps}")
        self.means = means
        self.stds = np.maximum(stds, np.float32(eps))
        self.eps = eps

    @classmethod
    def from_stats(cls, stats: Mapping[str, ArrayLike], eps: float = 1e-5) -> "GlobalMVN":
        """From ``{"norm_means": ..., "norm_stds": ...}`` (the result of ``compute_global_stats``).

        Raises:
            ConfigError: A key is missing.

        Example:
            >>> GlobalMVN.from_stats({"norm_means": [0.0], "norm_stds": [1.0]}).dim
            1
        """
        missing = [k for k in ("norm_means", "norm_stds") if k not in stats]
        if missing:
            raise ConfigError(
                f"GlobalMVN.from_stats: missing {missing} in {sorted(stats)}; "
                "pass the dict compute_global_stats returns"
            )
        return cls(stats["norm_means"], stats["norm_stds"], eps=eps)

    @classmethod
    def from_file(cls, path: Union[str, Path], eps: float = 1e-5) -> "GlobalMVN":
        """From the pickle ``compute_global_stats(..., storage_path=path)`` wrote (a trusted file)."""
        with open(path, "rb") as file:
            return cls.from_stats(pickle.load(file), eps=eps)

    @property
    def dim(self) -> int:
        """Feature dimension."""
        return int(self.means.shape[0])

    @overload
    def __call__(self, features: np.ndarray) -> np.ndarray: ...

    @overload
    def __call__(self, features: torch.Tensor) -> torch.Tensor: ...

    def __call__(self, features: ArrayLike) -> ArrayLike:
        """Normalised copy of ``features`` ``(..., dim)``, numpy or torch like the input.

        Raises:
            ShapeError: The last axis is not ``dim`` long.
        """
        if features.shape[-1] != self.dim:
            raise ShapeError(
                f"GlobalMVN expects features (..., {self.dim}), got {tuple(features.shape)}; "
                "the statistics were computed for other features"
            )
        if isinstance(features, torch.Tensor):
            means = torch.from_numpy(self.means).to(features.device, features.dtype)
            stds = torch.from_numpy(self.stds).to(features.device, features.dtype)
            return (features - means) / stds
        return ((features - self.means) / self.stds).astype(np.float32, copy=False)

    def __repr__(self) -> str:
        return f"GlobalMVN(dim={self.dim}, eps={self.eps})"
