"""The short ConvEmformer recipe: the loss falls, and a run killed mid-way resumes with the same batches and losses."""

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from recipes import asr_conv_emformer
from recipes.asr_conv_emformer import AsrConfig, CharTokenizer, train

CORPUS = Path(__file__).resolve().parents[2] / "demo_data" / "LibriSpeech"
CONFIG = AsrConfig(steps=12, checkpoint_every=5, max_duration=30.0)


def test_the_tokenizer_maps_characters_and_back():
    tokenize = CharTokenizer()
    assert tokenize("It's ok!") == [11, 22, 2, 21, 1, 17, 13]  # space 1, apostrophe 2, A 3, ..., Z 28
    assert tokenize.decode(tokenize("IT'S OK")) == "IT'S OK" and tokenize.vocab_size == 29


@pytest.mark.slow
def test_a_killed_run_resumes_with_the_same_batches_and_losses(tmp_path, monkeypatch):
    whole = train(CORPUS, tmp_path / "whole", CONFIG)
    assert [e["step"] for e in whole] == list(range(1, 13))
    losses = [e["loss"] for e in whole]
    assert sum(losses[-4:]) < 0.7 * sum(losses[:4])  # the loss falls
    assert len({e["epoch"] for e in whole}) > 1  # the run crosses an epoch boundary

    calls = {"n": 0}
    forward = asr_conv_emformer.CtcConvEmformer.forward

    def dies_at_step_8(self, inputs, lengths):
        calls["n"] += 1
        if calls["n"] == 8:
            raise KeyboardInterrupt  # killed after step 7; the last checkpoint is step 5's
        return forward(self, inputs, lengths)

    monkeypatch.setattr(asr_conv_emformer.CtcConvEmformer, "forward", dies_at_step_8)
    with pytest.raises(KeyboardInterrupt):
        train(CORPUS, tmp_path / "killed", CONFIG)
    monkeypatch.setattr(asr_conv_emformer.CtcConvEmformer, "forward", forward)
    log = tmp_path / "killed" / "exp" / "train_log.jsonl"
    assert len(log.read_text().splitlines()) == 7
    resumed = train(CORPUS, tmp_path / "killed", dataclasses.replace(CONFIG, num_workers=2))
    assert [json.loads(line) for line in log.read_text().splitlines()] == resumed
    assert [(e["step"], e["epoch"], e["batch_index"], e["ids"]) for e in resumed] == [
        (e["step"], e["epoch"], e["batch_index"], e["ids"]) for e in whole
    ]
    assert [e["loss"] for e in resumed] == pytest.approx(losses, rel=1e-5)


def test_the_command_line(tmp_path):
    done = CliRunner().invoke(asr_conv_emformer.main, ["--help"])
    assert done.exit_code == 0 and "LibriSpeech layout" in done.output
    done = CliRunner().invoke(asr_conv_emformer.main, [str(CORPUS), str(tmp_path), "--steps", "2"])
    assert done.exit_code == 0, done.output
    assert "2 steps; mean loss of the first 2" in done.output
    missing = CliRunner().invoke(asr_conv_emformer.main, [str(tmp_path / "nowhere"), str(tmp_path)])
    assert missing.exit_code != 0 and "does not exist" in missing.output
