"""Keyword spotting end to end: Speech Commands -> 64-dim MFCC -> MatchboxNet-3x1x64 on CPU.

Stages (each re-runnable: finished outputs in ``work_dir`` are reused)::

    1 prepare   manifests from validation_list.txt / testing_list.txt   work_dir/manifests/
    2 features  64-dim MFCC (64 mel filters, as NeMo's MatchboxNet configs) in lilcom_chunky
                storage, plus speed-perturbed copies of the training set  work_dir/features/
    3 stats     global mean/std of the training MFCC                     work_dir/stats.pkl
    4 train     MatchboxNet-3x1x64, AdamW + warm-up + cosine decay, SpecAugment masks and random
                time shifts, batches of ``batch_duration`` seconds
    5 evaluate  accuracy and confusion matrix on the test split (text + PNG), checkpoint saved and
                reloaded (the reloaded model must give the same predictions)

Run it on the bundled demo keywords (10 words; test voices never heard in training), or point it
at an unpacked Google Speech Commands v1/v2 (all word folders become classes unless ``--words``)::

    python -m recipes.kws_matchboxnet demo_data/speech_commands exp/kws
    python -m recipes.kws_matchboxnet data/SpeechCommands2 exp/gsc --epochs 30 -w yes -w no -w up -w down

(from the repository root, which holds the ``recipes`` package).

Measured results are in ``docs/end_to_end.rst``.

Example:
    >>> cm = confusion_matrix([0, 1, 1], [0, 1, 0], num_classes=2)
    >>> cm.tolist()
    [[1, 0], [1, 1]]
    >>> print(format_confusion(cm, ["yes", "no"]))
    ref\\hyp  yes   no
    yes        1    0
    no         1    1
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import click
import numpy as np
import torch

from lhotse_lite.dataset import (
    DynamicBucketingSampler,
    GlobalMVN,
    KeywordSpottingDataset,
    LabelTargets,
    SupervisionDataset,
    random_time_shift,
    spec_augment,
)
from lhotse_lite.errors import UnknownIdError
from lhotse_lite.features.builder import FeatureSetBuilder
from lhotse_lite.features.io import get_writer
from lhotse_lite.features.manifest import FeatureSet
from lhotse_lite.features.stats import compute_global_stats
from lhotse_lite.models.matchbox import matchboxnet_3x1x64
from lhotse_lite.recipes.preparation import Pathlike, manifest_paths
from lhotse_lite.recipes.speechcommands import prepare_speechcommands
from lhotse_lite.supervision import SupervisionSet
from recipes._kws_evaluation import (
    KwsResult,
    confusion_matrix,
    format_confusion,
    load_checkpoint,
    mfcc_extractor,
    plot_confusion,
    predict,
    save_checkpoint,
)

__all__ = [
    "KwsConfig",
    "KwsResult",
    "mfcc_extractor",
    "prepare_features",
    "build_dataset",
    "train_model",
    "predict",
    "confusion_matrix",
    "format_confusion",
    "plot_confusion",
    "save_checkpoint",
    "load_checkpoint",
    "run",
    "main",
]

logger = logging.getLogger(__name__)

SPEECHCOMMANDS_VERSION = "2"
"""The layout version the manifests are prepared with (v1 and v2 share it; it names the files)."""
MANIFEST_PREFIX = f"speechcommands{SPEECHCOMMANDS_VERSION}"


@dataclass(frozen=True)
class KwsConfig:
    """Options of the recipe (defaults: the measured demo run of ``docs/end_to_end.rst``).

    Args:
        words: Classes (word folders); ``None``: every word folder of the corpus.
        num_mfcc: MFCC coefficients = mel filters (NeMo's MatchboxNet: 64).
        speed_factors: Extra speed-perturbed copies of the training set (``()``: none).
        epochs: Passes over the (perturbed) training set.
        batch_duration: Seconds of audio per batch (``max_duration`` of ``DynamicBucketingSampler``).
        lr: Peak learning rate of AdamW.
        weight_decay: AdamW weight decay.
        warmup_fraction: Fraction of the steps with a linear warm-up, then cosine decay to 0.
        time_masks, time_mask_width, freq_masks, freq_mask_width: SpecAugment options.
        time_shift: Largest random shift of a clip's frames, in frames (10 ms each).
        max_train_items: Keep only this many training supervisions (smoke tests); ``None``: all.
        max_minutes: Training time budget (wall clock). The warm-up + cosine schedule follows
            whichever is further along, the steps of ``epochs`` or the clock, so the learning rate
            reaches 0 when either runs out (on a loaded machine, fewer epochs are done).
        num_threads: Torch threads for training.
        num_jobs: Processes for feature extraction.
        seed: Seed of the initialisation, shuffles and augmentation.
    """

    words: Optional[Tuple[str, ...]] = None
    num_mfcc: int = 64
    speed_factors: Tuple[float, ...] = (0.9, 1.1)
    epochs: int = 40
    batch_duration: float = 64.0
    lr: float = 5e-3
    weight_decay: float = 1e-3
    warmup_fraction: float = 0.05
    time_masks: int = 2
    time_mask_width: int = 10
    freq_masks: int = 2
    freq_mask_width: int = 8
    time_shift: int = 10
    max_train_items: Optional[int] = None
    max_minutes: float = 9.0
    num_threads: int = 2
    num_jobs: int = 1
    seed: int = 0


# ---- stages 1-3: manifests, features, statistics ----------------------------------------------------


def _manifests(corpus_dir: Pathlike, out: Path, words: Optional[Sequence[str]]) -> Dict[str, Dict[str, Any]]:
    """Every word's manifests (prepared once, then reused), restricted to ``words``."""
    from lhotse_lite.audio import RecordingSet

    paths = {split: manifest_paths(out, MANIFEST_PREFIX, split) for split in ("train", "valid", "test")}
    if not all(p.is_file() for ps in paths.values() for p in ps.values()):
        prepare_speechcommands(SPEECHCOMMANDS_VERSION, corpus_dir, out)
    manifests = {}
    for split, ps in paths.items():
        recordings, supervisions = (
            RecordingSet.from_file(ps["recordings"]),
            SupervisionSet.from_file(ps["supervisions"]),
        )
        if words is not None:
            missing = sorted(set(words) - {s.text for s in supervisions})
            if missing:
                raise UnknownIdError(
                    f"{ps['supervisions']}: no clips of the word(s) {missing}; the words "
                    f"present are {sorted({s.text for s in supervisions})}"
                )
            supervisions = supervisions.filter(lambda s, keep=frozenset(words): s.text in keep)
            recordings = recordings.filter(lambda r, ids=frozenset(s.recording_id for s in supervisions): r.id in ids)
        manifests[split] = {"recordings": recordings, "supervisions": supervisions}
    return manifests


def prepare_features(
    corpus_dir: Pathlike, work_dir: Pathlike, config: KwsConfig
) -> Dict[str, Tuple[SupervisionSet, FeatureSet]]:
    """Stages 1-2: manifests and stored MFCC for ``train`` (with speed-perturbed copies), ``valid``, ``test``.

    Args:
        corpus_dir: The unpacked Speech Commands corpus (or the bundled demo).
        work_dir: Output folder (``manifests/``, ``features/``).
        config: The recipe options (``words``, ``num_mfcc``, ``speed_factors``, ``max_train_items``, ``num_jobs``).

    Returns:
        ``{split: (supervisions, features)}``; the train supervisions include the perturbed copies.
    """
    work = Path(work_dir)
    manifests = _manifests(corpus_dir, work / "manifests", config.words)
    extractor = mfcc_extractor(config.num_mfcc)
    result = {}
    for split, parts in manifests.items():
        recordings, supervisions = parts["recordings"], parts["supervisions"]
        if split == "train" and config.max_train_items is not None:
            supervisions = SupervisionSet(list(supervisions)[: config.max_train_items])
            recordings = recordings.filter(lambda r, ids={s.recording_id for s in supervisions}: r.id in ids)
        variants = [(1.0, recordings, supervisions)]
        if split == "train":
            rates = {r.id: r.sampling_rate for r in recordings}
            for factor in config.speed_factors:
                variants.append(
                    (
                        factor,
                        recordings.perturb_speed(factor),
                        supervisions.map(lambda s, f=factor, rates=rates: s.perturb_speed(f, rates[s.recording_id])),
                    )
                )
        all_sups, all_feats = [], []
        for factor, recs, sups in variants:
            name = f"{split}" if factor == 1.0 else f"{split}_sp{factor}"
            storage = work / "features" / f"mfcc{config.num_mfcc}_{name}"
            storage.parent.mkdir(parents=True, exist_ok=True)
            with get_writer("lilcom_chunky")(str(storage)) as writer:
                feats = FeatureSetBuilder(extractor, writer).process_and_store_recordings(
                    recs,
                    output_manifest=work / "features" / f"mfcc{config.num_mfcc}_{name}.jsonl.gz",
                    num_jobs=config.num_jobs,
                    progress_bar=False,
                )
            all_sups.extend(sups)
            all_feats.extend(feats)
        result[split] = (SupervisionSet(all_sups), FeatureSet(all_feats))
    return result


# ---- stage 4: training ------------------------------------------------------------------------------


def build_dataset(
    supervisions: SupervisionSet, features: FeatureSet, labels: LabelTargets, normalizer: GlobalMVN
) -> SupervisionDataset:
    """A normalised dataset whose feature matrices are held in memory (``memory_npy``, lossless)."""
    in_memory = features.map(lambda f: f.move_to_memory())
    return SupervisionDataset(supervisions, features=in_memory, target_fn=labels, normalizer=normalizer)


def _lr_factor(progress: float, warmup_fraction: float) -> float:
    """Linear warm-up over ``warmup_fraction`` of training, then cosine decay to 0 at ``progress = 1``."""
    if progress < warmup_fraction:
        return max(progress / warmup_fraction, 1e-3)
    rest = (progress - warmup_fraction) / max(1e-9, 1.0 - warmup_fraction)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, rest)))


def train_model(
    train: SupervisionDataset, valid: Optional[SupervisionDataset], num_classes: int, config: KwsConfig
) -> Tuple[torch.nn.Module, List[Dict[str, float]], int, int]:
    """Stage 4: trains MatchboxNet-3x1x64 on ``train``.

    Returns:
        ``(model, history, epochs_done, steps_done)``; ``history`` has one dict per epoch (loss,
        validation accuracy, elapsed seconds).
    """
    torch.manual_seed(config.seed)
    model = matchboxnet_3x1x64(num_classes=num_classes, feat_in=config.num_mfcc)
    augment = [
        functools.partial(random_time_shift, max_shift=config.time_shift),
        functools.partial(
            spec_augment,
            num_time_masks=config.time_masks,
            max_time_width=config.time_mask_width,
            num_freq_masks=config.freq_masks,
            max_freq_width=config.freq_mask_width,
        ),
    ]
    batches = KeywordSpottingDataset(
        train.segments,
        train.target_fn,
        features=train.source.features,
        normalizer=train.normalizer,
        transforms=augment,
        seed=config.seed,
    )
    sampler = DynamicBucketingSampler(
        durations=train.durations, max_duration=config.batch_duration, shuffle=True, seed=config.seed
    )
    loader = torch.utils.data.DataLoader(batches, sampler=sampler, batch_size=None)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    total = config.epochs * len(sampler)
    budget = 60.0 * config.max_minutes
    start, step, history, progress = time.perf_counter(), 0, [], 0.0
    epoch = 0
    while progress < 1.0 and epoch < config.epochs:
        epoch += 1
        model.train()
        sampler.set_epoch(epoch)
        losses = []
        for batch in loader:  # (batch, feature, time) inputs, time-shifted and SpecAugment-masked
            # the schedule runs on steps or on the time budget, whichever is further along
            progress = max(step / total, (time.perf_counter() - start) / budget)
            if progress >= 1.0:
                break
            for group in optimiser.param_groups:
                group["lr"] = config.lr * _lr_factor(progress, config.warmup_fraction)
            logits = model(batch["inputs"], batch["input_lens"])
            loss = torch.nn.functional.cross_entropy(logits, batch["labels"])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
            step += 1
        record = {
            "epoch": epoch,
            "loss": float(np.mean(losses)) if losses else float("nan"),
            "lr": optimiser.param_groups[0]["lr"],
            "seconds": time.perf_counter() - start,
        }
        if valid is not None and (epoch % 2 == 0 or epoch == config.epochs or progress >= 1.0):
            predicted, reference = predict(model, valid)
            record["valid_accuracy"] = float((predicted == reference).mean())
        history.append(record)
        logger.info("epoch %d: %s", epoch, ", ".join(f"{k}={v:.4g}" for k, v in record.items() if k != "epoch"))
    if progress >= 1.0 and step < total:
        logger.warning(
            "time budget max_minutes=%s used up after %d of %d planned steps (epoch %d); the "
            "learning-rate schedule followed the clock",
            config.max_minutes,
            step,
            total,
            epoch,
        )
    return model.eval(), history, epoch, step


# ---- all stages (stage 5's helpers are in recipes/_kws_evaluation.py) -----------------------------


def run(corpus_dir: Pathlike, work_dir: Pathlike, config: KwsConfig = KwsConfig()) -> KwsResult:
    """All stages; writes ``work_dir/{manifests,features}/``, ``stats.pkl``, ``matchboxnet.pt``,
    ``confusion.txt``, ``confusion.png`` and ``result.json``.

    Args:
        corpus_dir: The unpacked Speech Commands corpus (or ``demo_data/speech_commands``).
        work_dir: Output folder (created).
        config: Options.

    Returns:
        The :class:`KwsResult`.
    """
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(config.num_threads)
    t0 = time.perf_counter()
    data = prepare_features(corpus_dir, work, config)
    feature_seconds = time.perf_counter() - t0
    train_sups, train_feats = data["train"]
    affixes = tuple(f"_sp{factor}" for factor in config.speed_factors)
    originals = [f for f in train_feats if not (affixes and (f.recording_id or "").endswith(affixes))]
    stats = compute_global_stats(originals, storage_path=work / "stats.pkl")
    normalizer = GlobalMVN.from_stats(stats)
    labels = LabelTargets(list(config.words) if config.words else sorted({s.text for s in train_sups}))
    datasets = {split: build_dataset(sups, feats, labels, normalizer) for split, (sups, feats) in data.items()}
    logger.info("classes %s; items: %s", labels.labels, {k: len(v) for k, v in datasets.items()})

    t0, cpu0 = time.perf_counter(), time.process_time()
    model, history, epochs, steps = train_model(datasets["train"], datasets["valid"], len(labels), config)
    train_seconds, train_cpu_seconds = time.perf_counter() - t0, time.process_time() - cpu0

    predicted, reference = predict(model, datasets["test"])
    cm = confusion_matrix(reference, predicted, len(labels))
    test_accuracy = float(np.trace(cm) / cm.sum())
    valid_predicted, valid_reference = predict(model, datasets["valid"])
    table = format_confusion(cm, labels.labels)
    (work / "confusion.txt").write_text(table + "\n", encoding="utf-8")
    png = plot_confusion(
        cm, labels.labels, work / "confusion.png", title=f"MatchboxNet-3x1x64 test accuracy {100 * test_accuracy:.1f}%"
    )
    checkpoint = save_checkpoint(work / "matchboxnet.pt", model, labels.labels, normalizer, config)
    reloaded, _, _, _ = load_checkpoint(checkpoint)
    reloaded_predicted, _ = predict(reloaded, datasets["test"])
    result = KwsResult(
        labels=labels.labels,
        test_accuracy=test_accuracy,
        valid_accuracy=float((valid_predicted == valid_reference).mean()),
        reloaded_accuracy=float((reloaded_predicted == reference).mean()),
        confusion=cm.tolist(),
        train_seconds=train_seconds,
        train_cpu_seconds=train_cpu_seconds,
        feature_seconds=feature_seconds,
        epochs=epochs,
        steps=steps,
        checkpoint=str(checkpoint),
        confusion_png=str(png),
        history=history,
    )
    (work / "result.json").write_text(json.dumps(dataclasses.asdict(result), indent=1), encoding="utf-8")
    return result


_DEFAULTS = KwsConfig()


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("corpus_dir", type=click.Path(file_okay=False))
@click.argument("work_dir", type=click.Path(file_okay=False))
@click.option("-w", "--word", "words", multiple=True, help="A class (repeat for several; default: every word folder).")
@click.option("--epochs", type=click.IntRange(min=1), default=_DEFAULTS.epochs, show_default=True)
@click.option("--lr", type=float, default=_DEFAULTS.lr, show_default=True, help="Peak learning rate.")
@click.option(
    "--batch-duration",
    type=float,
    default=_DEFAULTS.batch_duration,
    show_default=True,
    help="Seconds of audio per batch.",
)
@click.option(
    "--speed-factor",
    "speed_factors",
    type=float,
    multiple=True,
    help="Speed-perturbed copy of the training set (repeat; default 0.9 and 1.1).",
)
@click.option("--no-speed-perturbation", is_flag=True, help="Train on the original clips only.")
@click.option("--max-train-items", type=click.IntRange(min=1), help="Keep only this many training clips.")
@click.option(
    "--max-minutes",
    type=float,
    default=_DEFAULTS.max_minutes,
    show_default=True,
    help="Training time budget (wall clock).",
)
@click.option("--num-threads", type=click.IntRange(min=1), default=_DEFAULTS.num_threads, show_default=True)
@click.option(
    "--num-jobs",
    type=click.IntRange(min=1),
    default=_DEFAULTS.num_jobs,
    show_default=True,
    help="Feature extraction processes.",
)
@click.option("--seed", type=int, default=_DEFAULTS.seed, show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Log every epoch (INFO level) to stderr.")
def main(
    corpus_dir: str,
    work_dir: str,
    words: Tuple[str, ...],
    speed_factors: Tuple[float, ...],
    no_speed_perturbation: bool,
    verbose: bool,
    **options: Any,
) -> None:
    """Train and evaluate MatchboxNet-3x1x64 keyword spotting on CORPUS_DIR (Speech Commands layout).

    Prints the test confusion matrix and the accuracies; everything is written to WORK_DIR.
    """
    from lhotse_lite.errors import LhotseLiteError

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    factors = () if no_speed_perturbation else (speed_factors or _DEFAULTS.speed_factors)
    config = KwsConfig(words=words or None, speed_factors=tuple(factors), **options)
    try:
        result = run(corpus_dir, work_dir, config)
    except LhotseLiteError as err:
        raise click.ClickException(str(err)) from err
    click.echo(format_confusion(np.array(result.confusion), result.labels))
    click.echo(
        f"test accuracy {100 * result.test_accuracy:.2f}% (reloaded checkpoint: "
        f"{100 * result.reloaded_accuracy:.2f}%), valid {100 * result.valid_accuracy:.2f}%; "
        f"{result.epochs} epochs / {result.steps} steps in {result.train_seconds:.0f} s of training "
        f"({result.train_cpu_seconds:.0f} CPU s; features: {result.feature_seconds:.0f} s); "
        f"confusion plot {result.confusion_png}"
    )


if __name__ == "__main__":
    main()
