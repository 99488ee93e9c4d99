"""Streaming ASR, briefly: LibriSpeech layout -> 40-dim fbank -> a small ConvEmformer + CTC over characters.

A short recipe that shows the training loader at work on a streaming model: the training loss falls, and
a run interrupted at any step resumes with the same batches and the same losses as an uninterrupted run.

Stages (re-runnable: finished outputs in ``work_dir`` are reused)::

    1 prepare   recordings and supervisions of every split found          work_dir/manifests/
    2 features  40-dim fbank in lilcom_chunky storage, global mean/std      work_dir/features/
    3 train     ConvEmformer + a linear CTC head over characters, batches from
                DynamicBucketingSampler + SpeechRecognitionDataset; a checkpoint every
                ``checkpoint_every`` steps with the loader state beside it  work_dir/exp/

Every step is logged to ``work_dir/exp/train_log.jsonl`` (step, epoch, batch index, item ids, loss).
When ``work_dir/exp/checkpoint.pt`` exists the run resumes from it: model, optimiser and loader state
(:func:`~lhotse_lite.dataset.load_loader_state`) are restored and the log is cut back to the checkpoint's
step. Run on the bundled demo corpus (from the repository root)::

    python -m recipes.asr_conv_emformer demo_data/LibriSpeech exp/asr --steps 60

Example:
    >>> tokenize = CharTokenizer()
    >>> tokenize("HI THERE"), tokenize.decode([10, 0, 11])
    ([10, 11, 1, 22, 10, 7, 20, 7], 'HI')
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import click
import torch

from lhotse_lite.dataset import (
    DynamicBucketingSampler,
    LoaderProgress,
    SpeechRecognitionDataset,
    load_loader_state,
    save_loader_state,
)
from lhotse_lite.features.builder import FeatureSetBuilder
from lhotse_lite.features.io import get_writer
from lhotse_lite.features.kaldi.extractors import Fbank, FbankConfig
from lhotse_lite.features.manifest import FeatureSet
from lhotse_lite.models.conv_emformer import ConvEmformer
from lhotse_lite.output_lock import OutputLock
from lhotse_lite.recipes.librispeech import prepare_librispeech
from lhotse_lite.recipes.preparation import Pathlike
from lhotse_lite.supervision import SupervisionSet

__all__ = ["AsrConfig", "CharTokenizer", "CtcConvEmformer", "prepare", "train", "main"]

logger = logging.getLogger(__name__)

_ALPHABET = " 'ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class CharTokenizer:
    """Characters to ids: 0 is the CTC blank, then space, apostrophe, A-Z (case-insensitive).

    Characters outside that alphabet are left out. Picklable (a module-level class), so it works in
    ``DataLoader`` workers.
    """

    def __init__(self) -> None:
        self.ids = {c: i + 1 for i, c in enumerate(_ALPHABET)}

    @property
    def vocab_size(self) -> int:
        """Ids including the blank."""
        return len(_ALPHABET) + 1

    def __call__(self, text: str) -> List[int]:
        """Token ids of ``text``."""
        return [self.ids[c] for c in text.upper() if c in self.ids]

    def decode(self, ids: Iterable[int]) -> str:
        """The text of ``ids`` (blanks, 0, left out)."""
        return "".join(_ALPHABET[i - 1] for i in ids if i > 0)


@dataclass(frozen=True)
class AsrConfig:
    """Options of the recipe (defaults: a model small enough to train for a minute on a CPU).

    Args:
        num_filters: Fbank bins (the encoder's width).
        num_heads, ffn_dim, num_layers, segment_length, kernel_size, right_context_length: ConvEmformer's.
        max_duration: Seconds per batch, padding counted (the sampler's ``max_duration``).
        lr: Adam learning rate.
        steps: Optimiser steps of the whole run (a resumed run continues up to it).
        stop_after: Stop (with a checkpoint) after this many steps of *this* invocation: how the tests
            interrupt a run. ``None``: run to ``steps``.
        checkpoint_every: Steps between checkpoints.
        num_workers: ``DataLoader`` workers.
        seed: Seed of the initialisation and the shuffles.
    """

    num_filters: int = 40
    num_heads: int = 4
    ffn_dim: int = 64
    num_layers: int = 2
    segment_length: int = 8
    kernel_size: int = 3
    right_context_length: int = 2
    max_duration: float = 30.0
    lr: float = 3e-3
    steps: int = 60
    stop_after: Optional[int] = None
    checkpoint_every: int = 5
    num_workers: int = 0
    seed: int = 0


class CtcConvEmformer(torch.nn.Module):
    """ConvEmformer encoder and a linear layer to character log-probabilities for CTC.

    Args:
        config: The recipe options (model sizes).
        vocab_size: Output classes, blank included.
    """

    def __init__(self, config: AsrConfig, vocab_size: int) -> None:
        super().__init__()
        self.encoder = ConvEmformer(
            config.num_filters,
            config.num_heads,
            config.ffn_dim,
            config.num_layers,
            config.segment_length,
            config.kernel_size,
            right_context_length=config.right_context_length,
        )
        self.output = torch.nn.Linear(config.num_filters, vocab_size)

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(batch, time + R, feature)`` features -> ``(time, batch, vocab)`` log-probs and ``(batch,)`` lengths."""
        encoded, out_lengths = self.encoder(inputs, lengths)
        return self.output(encoded).log_softmax(-1).transpose(0, 1), out_lengths


def prepare(corpus_dir: Pathlike, work_dir: Pathlike, config: AsrConfig) -> Tuple[SupervisionSet, FeatureSet]:
    """Stages 1-2: manifests of every split, stored fbank; returns all supervisions and their features."""
    work = Path(work_dir)
    manifests = prepare_librispeech(corpus_dir, output_dir=work / "manifests")
    extractor = Fbank(FbankConfig(num_filters=config.num_filters))
    supervisions: List[Any] = []
    features: List[Any] = []
    for split in sorted(manifests):
        out = work / "features" / f"fbank{config.num_filters}_{split}.jsonl.gz"
        if out.exists():
            feats = FeatureSet.from_file(out)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            with get_writer("lilcom_chunky")(str(out.with_suffix("").with_suffix(""))) as writer:
                feats = FeatureSetBuilder(extractor, writer).process_and_store_recordings(
                    manifests[split]["recordings"], output_manifest=out, progress_bar=False
                )
        supervisions.extend(manifests[split]["supervisions"])
        features.extend(feats)
    return SupervisionSet(supervisions), FeatureSet(features)


def _read_log(path: Path, up_to_step: int) -> List[Dict[str, Any]]:
    if not path.exists():
        return []
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [e for e in entries if e["step"] <= up_to_step]


def _save(path: Path, payload: Dict[str, Any], progress: LoaderProgress) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    torch.save(payload, tmp)
    os.replace(tmp, path)
    save_loader_state(path, progress)  # written after the model: a crash between leaves the older pair


def train(corpus_dir: Pathlike, work_dir: Pathlike, config: AsrConfig = AsrConfig()) -> List[Dict[str, Any]]:
    """Stages 1-3; resumes from ``work_dir/exp/checkpoint.pt`` when it exists.

    The run holds the lock of ``work_dir/exp`` (:class:`~lhotse_lite.output_lock.OutputLock`) from
    its start to its end: a second run on the same ``work_dir`` fails at once instead of mixing its
    checkpoints and log lines into this one's.

    Returns:
        The training log of the whole run so far: ``{"step", "epoch", "batch_index", "ids", "loss"}`` per step.

    Raises:
        OutputLockedError: Another run is training in ``work_dir``.
    """
    with OutputLock(Path(work_dir) / "exp"):
        return _train(corpus_dir, work_dir, config)


def _train(corpus_dir: Pathlike, work_dir: Pathlike, config: AsrConfig) -> List[Dict[str, Any]]:
    supervisions, features = prepare(corpus_dir, work_dir, config)
    stats = features.compute_global_stats()
    tokenizer = CharTokenizer()
    sampler = DynamicBucketingSampler(supervisions, max_duration=config.max_duration, shuffle=True, seed=config.seed)
    dataset = SpeechRecognitionDataset(
        supervisions,
        tokenizer=tokenizer,
        pad_id=0,
        features=features,
        normalizer=stats,
        right_context_frames=config.right_context_length,
        seed=config.seed,
    )
    loader = torch.utils.data.DataLoader(dataset, sampler=sampler, batch_size=None, num_workers=config.num_workers)
    torch.manual_seed(config.seed)
    model = CtcConvEmformer(config, tokenizer.vocab_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    progress = LoaderProgress(sampler, dataset)
    exp = Path(work_dir) / "exp"
    exp.mkdir(parents=True, exist_ok=True)
    checkpoint, log_path = exp / "checkpoint.pt", exp / "train_log.jsonl"
    step = 0
    if checkpoint.exists():
        saved = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        step = int(saved["step"])
        load_loader_state(checkpoint, progress)
        logger.info("resumed at step %d (epoch %d)", step, sampler.epoch)
    log = _read_log(log_path, step)
    log_path.write_text("".join(json.dumps(e) + "\n" for e in log), encoding="utf-8")
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    stop = config.steps if config.stop_after is None else min(config.steps, step + config.stop_after)
    epoch = sampler.epoch
    model.train()
    while step < stop:
        sampler.set_epoch(epoch)  # keeps a restored position in the restored epoch
        for batch in loader:
            log_probs, lengths = model(batch["inputs"], batch["input_lens"])
            loss = ctc(log_probs, batch["token_ids"], lengths, batch["token_lens"])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            progress.update(batch)
            step += 1
            entry = {
                "step": step,
                "epoch": batch["epoch"],
                "batch_index": batch["batch_index"],
                "ids": batch["ids"],
                "loss": loss.item(),
            }
            log.append(entry)
            with open(log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
            if step % config.checkpoint_every == 0 or step == stop:
                _save(
                    checkpoint,
                    {
                        "model": model.state_dict(),
                        "optimizer": optimizer.state_dict(),
                        "step": step,
                        "config": asdict(config),
                    },
                    progress,
                )
            if step == stop:
                break
        else:
            epoch += 1
    return log


@click.command()
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("work_dir", type=click.Path(file_okay=False))
@click.option("--steps", type=int, default=AsrConfig.steps, show_default=True, help="Optimiser steps in all.")
@click.option("--stop-after", type=int, default=None, help="Stop after this many steps of this run (resume later).")
@click.option("--num-workers", type=int, default=0, show_default=True, help="DataLoader workers.")
@click.option("-v", "--verbose", is_flag=True, help="Log progress.")
def main(
    corpus_dir: str, work_dir: str, steps: int, stop_after: Optional[int], num_workers: int, verbose: bool
) -> None:
    """Train a small ConvEmformer with CTC on CORPUS_DIR (LibriSpeech layout); WORK_DIR holds everything.

    Prints the mean loss of the first and the last ten steps.
    """
    from lhotse_lite.errors import LhotseLiteError

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        log = train(corpus_dir, work_dir, AsrConfig(steps=steps, stop_after=stop_after, num_workers=num_workers))
    except LhotseLiteError as err:
        raise click.ClickException(str(err)) from err
    losses = [e["loss"] for e in log]
    head, tail = losses[:10], losses[-10:]
    click.echo(
        f"{len(losses)} steps; mean loss of the first {len(head)}: {sum(head) / max(len(head), 1):.3f}, "
        f"of the last {len(tail)}: {sum(tail) / max(len(tail), 1):.3f}"
    )


if __name__ == "__main__":
    main()
