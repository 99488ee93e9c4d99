"""Evaluation and checkpoints of the keyword-spotting recipe (:mod:`recipes.kws_matchboxnet`).

What a run measured (:class:`KwsResult`), the recipe's MFCC extractor (a checkpoint records
``num_mfcc`` and rebuilds it), predictions over a dataset, the confusion matrix (counts, aligned
text, PNG plot), and saving/loading checkpoints.
Imported back by :mod:`recipes.kws_matchboxnet`, which re-exports every public name here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Sequence, Tuple

import numpy as np
import torch

from lhotse_lite.dataset import (
    DurationBatchSampler,
    GlobalMVN,
    KeywordSpottingDataset,
    SampledBatch,
    SupervisionDataset,
)
from lhotse_lite.features.kaldi.extractors import Mfcc, MfccConfig
from lhotse_lite.models.matchbox import matchboxnet_3x1x64
from lhotse_lite.recipes.preparation import Pathlike

if TYPE_CHECKING:  # only for annotations: the recipe imports this module
    from recipes.kws_matchboxnet import KwsConfig

__all__ = [
    "KwsResult",
    "mfcc_extractor",
    "predict",
    "confusion_matrix",
    "format_confusion",
    "plot_confusion",
    "save_checkpoint",
    "load_checkpoint",
]


@dataclass
class KwsResult:
    """What :func:`run` measured (also written to ``work_dir/result.json``).

    Attributes:
        labels: Class names in index order.
        test_accuracy: Accuracy on the test split (held-out voices for the demo corpus).
        valid_accuracy: Accuracy on the validation split.
        reloaded_accuracy: Test accuracy of the checkpoint loaded back from disk.
        confusion: ``(classes, classes)`` test confusion matrix, rows = reference.
        train_seconds: Wall-clock seconds of the training stage.
        train_cpu_seconds: CPU seconds this process used in the training stage (all threads; on a
            shared machine far below ``num_threads * train_seconds``).
        feature_seconds: Wall-clock seconds of the feature stage (0 when reused).
        epochs: Epochs trained; steps: optimiser steps.
        checkpoint: Path of the saved checkpoint; confusion_png: path of the plot.
    """

    labels: List[str]
    test_accuracy: float
    valid_accuracy: float
    reloaded_accuracy: float
    confusion: List[List[int]]
    train_seconds: float
    train_cpu_seconds: float
    feature_seconds: float
    epochs: int
    steps: int
    checkpoint: str
    confusion_png: str
    history: List[Dict[str, float]] = field(default_factory=list)


def mfcc_extractor(num_mfcc: int = 64) -> Mfcc:
    """Kaldi MFCC with ``num_mfcc`` filters and coefficients (25 ms windows, 10 ms shift).

    Example:
        >>> mfcc_extractor(64).feature_dim(16000)
        64
    """
    return Mfcc(MfccConfig(num_filters=num_mfcc, num_ceps=num_mfcc))


@torch.no_grad()
def predict(
    model: torch.nn.Module, dataset: SupervisionDataset, batch_duration: float = 64.0
) -> Tuple[np.ndarray, np.ndarray]:
    """Class predictions and references for every item of ``dataset``, in item order.

    The batches are made by :class:`~lhotse_lite.dataset.KeywordSpottingDataset`, as in training, so they
    are already in MatchboxNet's ``(batch, feature, time)`` layout.

    Returns:
        ``(predicted, reference)`` int arrays of length ``len(dataset)``.
    """
    model.eval()
    batches = KeywordSpottingDataset(
        dataset.segments, dataset.target_fn, features=dataset.source.features, normalizer=dataset.normalizer
    )
    sampler = DurationBatchSampler(dataset.durations, batch_duration, shuffle=False, sort_pool=1)
    predicted, reference = [], []
    for indices in sampler:
        batch = batches[SampledBatch(np.asarray(indices, dtype=np.int64))]
        predicted.append(model(batch["inputs"], batch["input_lens"]).argmax(-1).numpy())
        reference.append(batch["labels"].numpy())
    return np.concatenate(predicted), np.concatenate(reference)


def confusion_matrix(reference: Sequence[int], predicted: Sequence[int], num_classes: int) -> np.ndarray:
    """``(classes, classes)`` counts: row = reference class, column = predicted class."""
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(reference, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return cm


def format_confusion(cm: np.ndarray, labels: Sequence[str]) -> str:
    """The confusion matrix as an aligned text table (rows = reference, columns = hypothesis)."""
    width = max(4, max(len(label) for label in labels), len(str(int(cm.max()))))
    first = max(len("ref\\hyp"), max(len(label) for label in labels)) + 1
    head = "ref\\hyp".ljust(first) + " ".join(label.rjust(width) for label in labels)
    rows = [label.ljust(first) + " ".join(str(int(v)).rjust(width) for v in row) for label, row in zip(labels, cm)]
    return "\n".join(line.rstrip() for line in [head, *rows])


def plot_confusion(cm: np.ndarray, labels: Sequence[str], path: Pathlike, title: str = "") -> Path:
    """Saves the confusion matrix as a PNG (matplotlib, Agg backend); returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.0 + 0.5 * len(labels), 1.0 + 0.5 * len(labels)))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("reference")
    for (i, j), value in np.ndenumerate(cm):
        ax.text(
            j,
            i,
            str(int(value)),
            ha="center",
            va="center",
            color="white" if value > cm.max() / 2 else "black",
            fontsize=8,
        )
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def save_checkpoint(
    path: Pathlike, model: torch.nn.Module, labels: Sequence[str], normalizer: GlobalMVN, config: KwsConfig
) -> Path:
    """Saves everything needed to classify new audio: weights, labels, MFCC options, statistics."""
    torch.save(
        {
            "model": model.state_dict(),
            "labels": list(labels),
            "num_mfcc": config.num_mfcc,
            "norm_means": torch.from_numpy(normalizer.means),
            "norm_stds": torch.from_numpy(normalizer.stds),
            "config": dataclasses.asdict(config),
        },
        path,
    )
    return Path(path)


def load_checkpoint(path: Pathlike) -> Tuple[torch.nn.Module, List[str], GlobalMVN, Mfcc]:
    """Loads a :func:`save_checkpoint` file (weights only; no pickled code is executed).

    Returns:
        ``(model in eval mode, labels, normalizer, extractor)``.
    """
    data = torch.load(path, map_location="cpu", weights_only=True)
    model = matchboxnet_3x1x64(num_classes=len(data["labels"]), feat_in=data["num_mfcc"])
    model.load_state_dict(data["model"])
    normalizer = GlobalMVN(data["norm_means"].numpy(), data["norm_stds"].numpy())
    return model.eval(), list(data["labels"]), normalizer, mfcc_extractor(data["num_mfcc"])
