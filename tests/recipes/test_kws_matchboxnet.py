"""The keyword-spotting recipe end to end on a subset of the demo keywords (a few steps only)."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from recipes.kws_matchboxnet import (
    KwsConfig,
    confusion_matrix,
    format_confusion,
    load_checkpoint,
    main,
    mfcc_extractor,
    run,
)

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo_data" / "speech_commands"
needs_demo = pytest.mark.skipif(not (DEMO / "testing_list.txt").is_file(), reason="demo keywords not present")


@needs_demo
def test_recipe_runs_end_to_end_on_a_subset(tmp_path):
    config = KwsConfig(
        words=("yes", "no"),
        max_train_items=24,
        speed_factors=(1.1,),
        epochs=2,
        batch_duration=16.0,
        max_minutes=2.0,
        num_threads=1,
    )
    result = run(DEMO, tmp_path, config)
    assert result.labels == ["yes", "no"]
    # 24 training clips + their 1.1x copies, 2 epochs of 16-second batches
    assert result.epochs == 2 and result.steps >= 2 * 3
    cm = np.array(result.confusion)
    assert cm.shape == (2, 2) and cm.sum() == 32  # 8 test voices x 2 takes x 2 words
    assert result.test_accuracy == pytest.approx(np.trace(cm) / cm.sum())
    assert result.reloaded_accuracy == result.test_accuracy
    for name in ("confusion.png", "confusion.txt", "matchboxnet.pt", "stats.pkl", "result.json"):
        assert (tmp_path / name).is_file(), name
    assert (tmp_path / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "result.json").read_text())["labels"] == ["yes", "no"]
    assert sorted(p.name for p in (tmp_path / "features").glob("*.jsonl.gz")) == [
        "mfcc64_test.jsonl.gz",
        "mfcc64_train.jsonl.gz",
        "mfcc64_train_sp1.1.jsonl.gz",
        "mfcc64_valid.jsonl.gz",
    ]

    model, labels, normalizer, extractor = load_checkpoint(tmp_path / "matchboxnet.pt")
    assert labels == ["yes", "no"] and normalizer.dim == 64 and extractor.feature_dim(16000) == 64
    clip = sorted((DEMO / "no").glob("*.flac"))[0]
    import soundfile

    audio, rate = soundfile.read(clip, dtype="float32")
    feats = torch.from_numpy(normalizer(extractor.extract(audio, rate)))
    logits = model(feats.T.unsqueeze(0), torch.tensor([feats.shape[0]]))
    assert logits.shape == (1, 2) and torch.isfinite(logits).all()

    # a second run reuses the manifests and features (stages are re-runnable)
    again = run(DEMO, tmp_path, KwsConfig(**{**config.__dict__, "epochs": 1}))
    assert again.feature_seconds < result.feature_seconds or again.feature_seconds < 5


def test_confusion_matrix_counts_by_hand():
    cm = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], num_classes=3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    lines = format_confusion(cm, ["a", "bb", "c"]).splitlines()
    assert lines[0].split() == ["ref\\hyp", "a", "bb", "c"]
    assert lines[3].split() == ["c", "1", "0", "2"]


def test_mfcc_is_64_dimensional():
    assert mfcc_extractor().extract(np.zeros(16000, np.float32), 16000).shape == (100, 64)


def test_cli_help():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "MatchboxNet" in result.output and "--speed-factor" in result.output


def test_cli_reports_a_missing_corpus(tmp_path):
    result = CliRunner().invoke(main, [str(tmp_path / "nowhere"), str(tmp_path / "work")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: corpus directory") and "Traceback" not in result.output


def test_recipe_reads_a_google_speech_commands_layout(tmp_path, audio_writer):
    """The real corpus layout (WAV clips, lists naming .wav files, a _background_noise_ folder)."""
    corpus = tmp_path / "speech_commands_v0.02"
    lists = {"validation_list.txt": [], "testing_list.txt": []}
    for w, word in enumerate(["bed", "cat", "dog"]):
        for s in range(4):
            name = f"{word}/{s:08x}_nohash_0.wav"
            audio_writer(corpus / name, 1.0 if s else 0.8, seed=10 * w + s)
            if s == 2:
                lists["validation_list.txt"].append(name)
            if s == 3:
                lists["testing_list.txt"].append(name)
    audio_writer(corpus / "_background_noise_" / "white_noise.wav", 2.0)
    for list_name, names in lists.items():
        (corpus / list_name).write_text("\n".join(names) + "\n")
    result = run(tmp_path, tmp_path / "work", KwsConfig(speed_factors=(), epochs=1, batch_duration=4.0, num_threads=1))
    assert result.labels == ["bed", "cat", "dog"]  # every word folder, '_background_noise_' left out
    # 6 training clips (3 x 0.8 s + 3 x 1.0 s = 5.4 s) in batches of at most 4 s: 2 steps
    assert np.array(result.confusion).sum() == 3 and result.steps == 2


@needs_demo
def test_unknown_word_is_reported(tmp_path):
    result = CliRunner().invoke(main, [str(DEMO), str(tmp_path), "-w", "yes", "-w", "maybe"])
    assert result.exit_code == 1
    last_line = result.stderr.splitlines()[-1]  # after the progress bars
    assert last_line.startswith("Error: ") and "'maybe'" in last_line
