"""The LibriSpeech recipe on a tiny copy of the real layout (and against Lhotse's own recipe)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lhotse_lite.audio import RecordingSet
from lhotse_lite.errors import AudioNotFoundError, ManifestFormatError
from lhotse_lite.supervision import SupervisionSet
from recipes.librispeech import find_librispeech_splits, main, prepare_librispeech

TRANSCRIPTS = {
    ("dev-clean", "84", "121123"): ["GO DO YOU HEAR", "BUT IN LESS THAN FIVE MINUTES"],
    ("dev-clean", "174", "50561"): ["FORGOTTEN TOO THE NAME OF GILLIAN"],
    ("dev-clean-2", "1272", "135031"): ["IT'S A SMALL WORLD"],
}


@pytest.fixture
def libri(tmp_path, audio_writer) -> Path:
    root = tmp_path / "LibriSpeech"
    for (split, spk, chapter), texts in TRANSCRIPTS.items():
        chapter_dir = root / split / spk / chapter
        lines = []
        for n, text in enumerate(texts):
            utt = f"{spk}-{chapter}-{n:04d}"
            audio_writer(chapter_dir / f"{utt}.flac", 0.5 + 0.25 * n, seed=n)
            lines.append(f"{utt} {text}")
        (chapter_dir / f"{spk}-{chapter}.trans.txt").write_text("\n".join(lines) + "\n")
    (root / "README.TXT").write_text("not a split")
    return root


def test_finds_librispeech_and_mini_librispeech_splits(libri):
    assert find_librispeech_splits(libri) == ["dev-clean", "dev-clean-2"]


def test_manifests_per_utterance(libri, tmp_path):
    out = tmp_path / "out"
    manifests = prepare_librispeech(libri, out)
    assert sorted(manifests) == ["dev-clean", "dev-clean-2"]
    recs, sups = manifests["dev-clean"]["recordings"], manifests["dev-clean"]["supervisions"]
    assert sorted(recs.ids) == ["174-50561-0000", "84-121123-0000", "84-121123-0001"]
    rec = recs["84-121123-0001"]
    assert (rec.sampling_rate, rec.num_samples, rec.duration) == (16000, 12000, 0.75)
    assert Path(rec.sources[0].source) == (libri / "dev-clean/84/121123/84-121123-0001.flac").resolve()
    sup = sups["84-121123-0001"]
    assert (sup.recording_id, sup.start, sup.duration, sup.channel) == ("84-121123-0001", 0.0, 0.75, 0)
    assert (sup.text, sup.speaker, sup.language) == ("BUT IN LESS THAN FIVE MINUTES", "84", "English")
    assert manifests["dev-clean-2"]["supervisions"]["1272-135031-0000"].text == "IT'S A SMALL WORLD"
    for split in manifests:
        assert (
            RecordingSet.from_file(out / f"librispeech_recordings_{split}.jsonl.gz") == manifests[split]["recordings"]
        )
        assert (
            SupervisionSet.from_file(out / f"librispeech_supervisions_{split}.jsonl.gz")
            == manifests[split]["supervisions"]
        )


def test_selected_parts_and_lower_case(libri):
    manifests = prepare_librispeech(libri, dataset_parts="dev-clean-2", normalize_text="lower")
    assert list(manifests) == ["dev-clean-2"]
    assert manifests["dev-clean-2"]["supervisions"]["1272-135031-0000"].text == "it's a small world"
    with pytest.raises(AudioNotFoundError, match="train-other-500"):
        prepare_librispeech(libri, dataset_parts=["train-other-500"])
    with pytest.raises(ValueError, match="normalize_text"):
        prepare_librispeech(libri, normalize_text="upper")


def test_missing_audio_fails_or_is_skipped(libri):
    (libri / "dev-clean/84/121123/84-121123-0000.flac").unlink()
    with pytest.raises(AudioNotFoundError, match=r"84-121123.trans.txt:1: no audio file 84-121123-0000"):
        prepare_librispeech(libri, dataset_parts="dev-clean")
    manifests = prepare_librispeech(libri, dataset_parts="dev-clean", allow_missing_audio=True)
    assert len(manifests["dev-clean"]["recordings"]) == 2


def test_malformed_transcript_names_file_and_line(libri):
    trans = libri / "dev-clean/174/50561/174-50561.trans.txt"
    trans.write_text(trans.read_text() + "oops no id\n")
    with pytest.raises(ManifestFormatError, match=r"174-50561.trans.txt:2"):
        prepare_librispeech(libri, dataset_parts="dev-clean")


def test_main_writes_manifests_and_reports_errors(libri, tmp_path, capsys):
    assert main([str(libri), str(tmp_path / "out"), "--dataset-parts", "dev-clean", "--log-level", "WARNING"]) == 0
    assert "dev-clean: 3 recordings" in capsys.readouterr().out
    assert (tmp_path / "out/librispeech_supervisions_dev-clean.jsonl.gz").is_file()
    assert main([str(tmp_path / "nowhere"), str(tmp_path / "out")]) == 1
    assert capsys.readouterr().out.startswith("Error: corpus directory")


def test_runs_as_a_script(libri, tmp_path):
    script = Path(__file__).resolve().parents[2] / "recipes" / "librispeech.py"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, str(script), str(libri), str(tmp_path / "out"), "--log-level", "WARNING"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "dev-clean-2: 1 recordings" in done.stdout


def test_same_manifests_as_lhotse(libri):
    lhotse_recipe = pytest.importorskip("lhotse.recipes.librispeech")
    ours = prepare_librispeech(libri, dataset_parts=["dev-clean"])["dev-clean"]
    theirs = lhotse_recipe.prepare_librispeech(libri, dataset_parts=["dev-clean"])["dev-clean"]

    def canonical(recording_dict):
        sources = [{**s, "source": os.path.realpath(s["source"])} for s in recording_dict["sources"]]
        return {**recording_dict, "sources": sources}

    assert sorted(map(canonical, ours["recordings"].to_dicts()), key=lambda d: d["id"]) == sorted(
        (canonical(r.to_dict()) for r in theirs["recordings"]), key=lambda d: d["id"])
    assert sorted(ours["supervisions"].to_dicts(), key=lambda d: d["id"]) == sorted(
        (s.to_dict() for s in theirs["supervisions"]), key=lambda d: d["id"])
