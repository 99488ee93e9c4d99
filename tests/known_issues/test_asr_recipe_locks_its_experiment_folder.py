"""The ConvEmformer recipe holds the lock of ``work_dir/exp`` while it trains: a second run fails at once."""

from pathlib import Path

import pytest

from lhotse_lite.errors import OutputLockedError
from lhotse_lite.output_lock import OutputLock, lock_path_of
from recipes.asr_conv_emformer import AsrConfig, train


def test_a_second_run_on_the_same_work_dir_is_refused(tmp_path):
    with OutputLock(tmp_path / "exp"), pytest.raises(OutputLockedError, match="exp"):
        train(tmp_path / "no_corpus_needed", tmp_path, AsrConfig(steps=1))
    assert not list(tmp_path.glob("manifests"))  # refused before any stage wrote anything


def test_the_lock_is_released_when_the_run_ends(tmp_path, monkeypatch):
    import recipes.asr_conv_emformer as recipe

    seen = []
    monkeypatch.setattr(recipe, "_train", lambda *args: seen.append(lock_path_of(tmp_path / "exp").exists()) or [])
    assert train(tmp_path / "corpus", tmp_path, AsrConfig(steps=1)) == []
    assert seen == [True] and not Path(lock_path_of(tmp_path / "exp")).exists()
