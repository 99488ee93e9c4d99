"""Global mean and standard deviation of feature bins in one pass (Chan, Golub and LeVeque, 1979).

Each matrix contributes its frame count ``n``, per-bin mean and per-bin sum of squared deviations
``M2``; two partial results merge exactly with

    ``n = na + nb``, ``delta = mean_b - mean_a``, ``mean = mean_a + delta * nb / n``,
    ``M2 = M2a + M2b + delta**2 * na * nb / n``

("Updating formulae and a pairwise algorithm for computing sample variances", Chan, Golub & LeVeque;
the same update scikit-learn and Lhotse use). The merge is associative, so accumulators filled in
parallel workers combine with :meth:`StatsAccumulator.merge`. Everything is accumulated in float64.

Example:
    >>> import numpy as np
    >>> data = np.arange(12, dtype=np.float32).reshape(6, 2)
    >>> acc = StatsAccumulator(feature_dim=2)
    >>> acc.update(data[:2]); acc.update(data[2:])
    >>> acc.norm_means.tolist(), bool(np.allclose(acc.norm_stds, data.std(axis=0)))
    ([5.0, 6.0], True)
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Dict, Iterable, Optional, Union

import numpy as np

from lhotse_lite.errors import ShapeError

__all__ = ["StatsAccumulator", "compute_global_stats", "write_global_stats"]


class StatsAccumulator:
    """Running per-bin mean and variance of feature matrices ``(num_frames, feature_dim)``.

    Args:
        feature_dim: Number of feature bins.

    Example:
        Accumulators filled separately (e.g. in two workers) merge into the stats of all frames:

        >>> rng = np.random.default_rng(0)
        >>> part_a, part_b = rng.normal(size=(30, 4)), rng.normal(3.0, 2.0, size=(50, 4))
        >>> acc_a, acc_b = StatsAccumulator(4), StatsAccumulator(4)
        >>> acc_a.update(part_a); acc_b.update(part_b)
        >>> acc_a.merge(acc_b)
        >>> everything = np.concatenate([part_a, part_b])
        >>> acc_a.total_frames, bool(np.allclose(acc_a.get()["norm_stds"], everything.std(axis=0)))
        (80, True)
    """

    def __init__(self, feature_dim: int) -> None:
        self.feature_dim = feature_dim
        self.total_frames = 0
        self._mean = np.zeros(feature_dim, dtype=np.float64)
        self._m2 = np.zeros(feature_dim, dtype=np.float64)

    def update(self, arr: np.ndarray) -> None:
        """Adds the frames of one matrix.

        Args:
            arr: Features, shape ``(num_frames, feature_dim)``; an empty matrix changes nothing.

        Raises:
            ShapeError: ``arr`` is not 2-D with ``feature_dim`` columns.
        """
        arr = np.asarray(arr)
        if arr.ndim != 2 or arr.shape[1] != self.feature_dim:
            raise ShapeError(
                f"StatsAccumulator expects matrices of shape (num_frames, {self.feature_dim}), got {arr.shape}"
            )
        if arr.shape[0] == 0:
            return
        arr = arr.astype(np.float64, copy=False)
        mean = arr.mean(axis=0)
        m2 = ((arr - mean) ** 2).sum(axis=0)
        self._combine(arr.shape[0], mean, m2)

    def merge(self, other: "StatsAccumulator") -> None:
        """Adds everything ``other`` has seen (e.g. an accumulator filled in another process).

        Raises:
            ShapeError: The feature dimensions differ.
        """
        if other.feature_dim != self.feature_dim:
            raise ShapeError(f"cannot merge stats of dimension {other.feature_dim} into {self.feature_dim}")
        if other.total_frames:
            self._combine(other.total_frames, other._mean, other._m2)

    def _combine(self, count: int, mean: np.ndarray, m2: np.ndarray) -> None:
        total = self.total_frames + count
        delta = mean - self._mean
        self._mean = self._mean + delta * (count / total)
        self._m2 = self._m2 + m2 + delta**2 * (self.total_frames * count / total)
        self.total_frames = total

    @property
    def total_sum(self) -> np.ndarray:
        """Per-bin sum of all frames seen."""
        return self._mean * self.total_frames

    @property
    def norm_means(self) -> np.ndarray:
        """Per-bin mean, shape ``(feature_dim,)`` (NaN before any frame)."""
        return self._mean.copy() if self.total_frames else np.full(self.feature_dim, np.nan)

    @property
    def norm_stds(self) -> np.ndarray:
        """Per-bin population standard deviation, shape ``(feature_dim,)`` (NaN before any frame)."""
        if not self.total_frames:
            return np.full(self.feature_dim, np.nan)
        return np.sqrt(self._m2 / self.total_frames)

    def get(self) -> Dict[str, np.ndarray]:
        """``{"norm_means": ..., "norm_stds": ...}``, as Lhotse returns."""
        return {"norm_means": self.norm_means, "norm_stds": self.norm_stds}


def compute_global_stats(
    feature_manifests: Iterable, storage_path: Optional[Union[str, Path]] = None
) -> Dict[str, np.ndarray]:
    """Per-bin mean and standard deviation over all frames of the given features, in one pass.

    Args:
        feature_manifests: ``Features`` items (anything with ``load()`` and ``num_features``),
            e.g. a ``FeatureSet``; each matrix is loaded once.
        storage_path: Optional file to store the result in (pickled dict, as Lhotse does).

    Returns:
        ``{"norm_means": (dim,) float64, "norm_stds": (dim,) float64}``.

    Raises:
        ShapeError: No features were given, or their dimensions differ.

    Example:
        >>> import numpy as np
        >>> from lhotse_lite.features.manifest import Features
        >>> from lhotse_lite.features.io import MemoryNpyWriter
        >>> feats = Features.from_array(np.ones((5, 3), dtype=np.float32), MemoryNpyWriter(),
        ...                             frame_shift=0.01, sampling_rate=16000)
        >>> compute_global_stats([feats])["norm_stds"].tolist()
        [0.0, 0.0, 0.0]
    """
    stats: Optional[StatsAccumulator] = None
    for features in feature_manifests:
        if stats is None:
            stats = StatsAccumulator(feature_dim=features.num_features)
        stats.update(features.load())
    if stats is None:
        raise ShapeError("compute_global_stats needs at least one Features item, got none")
    result = stats.get()
    if storage_path is not None:
        with open(storage_path, "wb") as file:
            pickle.dump(result, file)
    return result


def write_global_stats(stats: Dict[str, np.ndarray], path: Union[str, Path]) -> Path:
    """Writes statistics (as :func:`compute_global_stats` returns them) atomically, in the format of ``path``.

    ``.json``: a dict of lists; ``.npz``: NumPy arrays ``norm_means`` and ``norm_stds``; any other
    extension: the pickled dict, as Lhotse's ``storage_path`` holds it. ``lite feat stats`` writes
    with this function.

    Args:
        stats: ``{"norm_means": (dim,), "norm_stds": (dim,)}`` arrays.
        path: The file to write (its folder is created); a previous file is replaced only once the
            new one is complete.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Example:
        >>> import tempfile
        >>> stats = {"norm_means": np.array([1.0, 2.0]), "norm_stds": np.array([0.5, 0.25])}
        >>> path = write_global_stats(stats, Path(tempfile.mkdtemp()) / "stats.json")
        >>> json.loads(path.read_text())
        {'norm_means': [1.0, 2.0], 'norm_stds': [0.5, 0.25]}
        >>> sorted(np.load(write_global_stats(stats, path.with_suffix(".npz"))).files)
        ['norm_means', 'norm_stds']
    """
    from lhotse_lite.safe_writes import atomic_open

    target = Path(path)
    with atomic_open(target) as file:
        if target.suffix == ".json":
            text = json.dumps({key: np.asarray(value).tolist() for key, value in stats.items()}, indent=2)
            file.write(text.encode("utf-8"))
        elif target.suffix == ".npz":
            # numpy's stub also offers the keys to its ``allow_pickle: bool`` (numpy >= 2.1), no stats key
            np.savez(file, **stats)  # type: ignore[arg-type]
        else:
            pickle.dump(stats, file)
    return target
