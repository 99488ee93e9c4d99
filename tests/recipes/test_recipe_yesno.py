"""The yesno recipe on a tiny copy of the real layout (and against Lhotse's own recipe)."""

import itertools
import os

import pytest

from lhotse_lite.errors import ManifestFormatError
from recipes.yesno import main, prepare_yesno, words_from_name


def _names(count):
    return ["_".join(bits) for bits in itertools.islice(itertools.product("01", repeat=8), count)]


@pytest.fixture
def waves(tmp_path, audio_writer):
    root = tmp_path / "waves_yesno"
    for n, name in enumerate(_names(4)):
        audio_writer(root / f"{name}.wav", 0.25 + 0.125 * n, sampling_rate=8000, seed=n)
    (root / "README").write_text("yes/no in Hebrew")
    return root


def test_alternate_files_go_to_train_and_test(waves, tmp_path):
    manifests = prepare_yesno(waves.parent, tmp_path / "out")  # the parent folder is accepted
    assert list(manifests["train"]["recordings"].ids) == ["0_0_0_0_0_0_0_0", "0_0_0_0_0_0_1_0"]
    assert list(manifests["test"]["recordings"].ids) == ["0_0_0_0_0_0_0_1", "0_0_0_0_0_0_1_1"]
    sup = manifests["test"]["supervisions"]["0_0_0_0_0_0_1_1"]
    assert (sup.text, sup.language, sup.start, sup.duration) == ("NO NO NO NO NO NO YES YES", "Hebrew", 0.0, 0.625)
    assert manifests["test"]["recordings"]["0_0_0_0_0_0_1_1"].sampling_rate == 8000
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "yesno_recordings_test.jsonl.gz", "yesno_recordings_train.jsonl.gz",
        "yesno_supervisions_test.jsonl.gz", "yesno_supervisions_train.jsonl.gz"]


def test_bad_names(waves, audio_writer):
    with pytest.raises(ManifestFormatError, match="eight 0/1 fields"):
        words_from_name("0_1_2")
    audio_writer(waves / "1_1_1.wav", 0.1, sampling_rate=8000)
    with pytest.raises(ManifestFormatError, match="'1_1_1'"):
        prepare_yesno(waves)


def test_main(waves, tmp_path, capsys):
    assert main([str(waves), str(tmp_path / "out"), "--log-level", "WARNING"]) == 0
    assert "train: 2 recordings" in capsys.readouterr().out


def test_same_manifests_as_lhotse(tmp_path, audio_writer):
    lhotse_recipe = pytest.importorskip("lhotse.recipes.yesno")
    root = tmp_path / "waves_yesno"
    for n, name in enumerate(_names(60)):  # Lhotse's recipe insists on the full 60 files
        audio_writer(root / f"{name}.wav", 0.05 + 0.01 * (n % 3), sampling_rate=8000, seed=n)
    ours = prepare_yesno(root)
    theirs = lhotse_recipe.prepare_yesno(root)

    def canonical(d):
        return {**d, "sources": [{**s, "source": os.path.realpath(s["source"])} for s in d["sources"]]}

    for split in ("train", "test"):
        assert [canonical(d) for d in ours[split]["recordings"].to_dicts()] == sorted(
            (canonical(r.to_dict()) for r in theirs[split]["recordings"]), key=lambda d: d["id"])
        assert list(ours[split]["supervisions"].to_dicts()) == sorted(
            (s.to_dict() for s in theirs[split]["supervisions"]), key=lambda d: d["id"])
