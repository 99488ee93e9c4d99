"""Saving and restoring the data-loading position next to a model checkpoint.

A DataLoader with workers asks its sampler for batches ahead of the training loop (``prefetch_factor``
per worker), so the sampler's own count runs ahead of what was trained on. :class:`LoaderProgress`
counts what the loop *consumed*: call :meth:`LoaderProgress.update` with every batch the loop
finishes (the batch datasets' outputs carry ``epoch`` and ``batch_index``), and save its
:meth:`~LoaderProgress.state_dict` with the model. After a restart, :meth:`~LoaderProgress.restore`
puts the sampler at the batch after the last consumed one; the datasets' randomness is a function of
``(seed, epoch, batch index)``, so the restored run yields batch ``k + 1, k + 2, ...`` exactly as the
uninterrupted run, with any number of workers.

The state is JSON: ``{"sampler": ..., "dataset_seed": ..., "epoch": ..., "num_skipped": ...,
"skipped_ids": [...]}``; :func:`save_loader_state` / :func:`load_loader_state` write and read it as a
``.json`` file (atomically) beside the checkpoint.

Example:
    >>> from lhotse_lite.dataset.bucketing import DynamicBucketingSampler
    >>> sampler = DynamicBucketingSampler(durations=[1.0] * 6, max_cuts=2)
    >>> progress = LoaderProgress(sampler)
    >>> for batch in sampler:
    ...     progress.update({"epoch": batch.epoch, "batch_index": batch.index, "skipped_ids": []})
    ...     if batch.index == 0:
    ...         break
    >>> restarted = DynamicBucketingSampler(durations=[1.0] * 6, max_cuts=2)
    >>> LoaderProgress(restarted).restore(progress.state_dict())
    >>> [b.indices.tolist() for b in restarted]
    [[2, 3], [4, 5]]
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from lhotse_lite.dataset.bucketing import DynamicBucketingSampler, SampledBatch
from lhotse_lite.errors import ConfigError

__all__ = ["LoaderProgress", "load_loader_state", "save_loader_state"]

_MAX_SKIPPED_IDS = 1000  # ids kept in the state; the count is always exact


class LoaderProgress:
    """What the training loop consumed: the last batch's position and the items skipped so far.

    Args:
        sampler: The sampler feeding the DataLoader.
        dataset: The batch dataset (its ``seed`` is saved and checked on restore); optional.
    """

    def __init__(self, sampler: DynamicBucketingSampler, dataset: Any = None) -> None:
        self.sampler = sampler
        self.dataset = dataset
        self.last: Optional[Dict[str, int]] = None
        self.num_skipped = 0
        self.skipped_ids: List[str] = []

    def update(self, batch: Union[Dict[str, Any], SampledBatch]) -> None:
        """Records that the loop finished ``batch`` (a batch dataset's output, or a ``SampledBatch``)."""
        if isinstance(batch, SampledBatch):
            self.last = {"epoch": batch.epoch, "batch_index": batch.index}
            return
        self.last = {"epoch": int(batch["epoch"]), "batch_index": int(batch["batch_index"])}
        skipped = list(batch.get("skipped_ids") or ())
        self.num_skipped += len(skipped)
        self.skipped_ids.extend(skipped[: max(0, _MAX_SKIPPED_IDS - len(self.skipped_ids))])

    def state_dict(self) -> Dict[str, Any]:
        """The JSON-serialisable state (module docstring)."""
        sampler_state = self.sampler.state_dict(self.last if self.last is not None else 0)
        return {
            "sampler": sampler_state,
            "epoch": sampler_state["epoch"],
            "dataset_seed": getattr(self.dataset, "seed", None),
            "num_skipped": self.num_skipped,
            "skipped_ids": list(self.skipped_ids),
        }

    def restore(self, state: Dict[str, Any]) -> None:
        """Puts the sampler after the last consumed batch of ``state``.

        Raises:
            ConfigError: The sampler's configuration or data differ from the saved one, or the
                dataset's seed differs (its batches would differ).
        """
        saved_seed = state.get("dataset_seed")
        seed = getattr(self.dataset, "seed", None)
        if self.dataset is not None and saved_seed is not None and saved_seed != seed:
            raise ConfigError(
                f"the loader state was saved with dataset seed {saved_seed}, this dataset has "
                f"seed {seed}; build the dataset with seed={saved_seed} to resume exactly"
            )
        self.sampler.load_state_dict(state["sampler"])
        sampler_state = state["sampler"]
        self.last = (
            {"epoch": sampler_state["epoch"], "batch_index": sampler_state["batches_consumed"] - 1}
            if sampler_state["batches_consumed"] > 0
            else None
        )
        self.num_skipped = int(state.get("num_skipped", 0))
        self.skipped_ids = list(state.get("skipped_ids", []))


def loader_state_path(checkpoint_path: Union[str, Path]) -> Path:
    """``<checkpoint>.loader.json``: where :func:`save_loader_state` writes beside a checkpoint."""
    return Path(f"{checkpoint_path}.loader.json")


def save_loader_state(checkpoint_path: Union[str, Path], progress: LoaderProgress) -> Path:
    """Writes ``progress`` to ``<checkpoint_path>.loader.json`` atomically; returns that path.

    Example:
        >>> import tempfile
        >>> sampler = DynamicBucketingSampler(durations=[1.0] * 4, max_cuts=2)
        >>> progress = LoaderProgress(sampler); progress.update(next(iter(sampler)))
        >>> path = save_loader_state(tempfile.mkdtemp() + "/model.pt", progress)
        >>> restarted = DynamicBucketingSampler(durations=[1.0] * 4, max_cuts=2)
        >>> _ = load_loader_state(path.with_name("model.pt"), LoaderProgress(restarted))
        >>> [b.index for b in restarted]
        [1]
    """
    path = loader_state_path(checkpoint_path)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(progress.state_dict(), f)
    os.replace(tmp, path)
    return path


def load_loader_state(checkpoint_path: Union[str, Path], progress: LoaderProgress) -> LoaderProgress:
    """Restores ``progress`` (and its sampler) from ``<checkpoint_path>.loader.json``; returns it.

    Raises:
        FileNotFoundError: No loader state beside the checkpoint.
        ConfigError: See :meth:`LoaderProgress.restore`.
    """
    with open(loader_state_path(checkpoint_path), encoding="utf-8") as f:
        progress.restore(json.load(f))
    return progress
