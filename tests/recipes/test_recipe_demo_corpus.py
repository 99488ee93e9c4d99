"""The committed demo corpus: the LibriSpeech and Speech Commands recipes on it, and its split."""

import importlib.util
from collections import Counter

import pytest
import soundfile as sf

from lhotse_lite.recipes.librispeech import prepare_librispeech
from lhotse_lite.recipes.speechcommands import WORDS, prepare_speechcommands


def _generator(demo_dir):
    """demo_data/generate.py as a module (its constants; importing it needs no espeak-ng)."""
    spec = importlib.util.spec_from_file_location("demo_generate", demo_dir / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_corpus_is_small(demo_dir):
    total = sum(p.stat().st_size for p in demo_dir.rglob("*") if p.is_file())
    assert total < 8 * 2**20, f"demo_data is {total / 2**20:.1f} MiB"
    assert all(sf.info(str(p)).format == "FLAC" for p in list(demo_dir.rglob("*.flac"))[::25])


def test_librispeech_recipe_on_the_demo(demo_dir, tmp_path):
    manifests = prepare_librispeech(demo_dir / "LibriSpeech", output_dir=tmp_path)
    assert {k: len(v["recordings"]) for k, v in manifests.items()} == {"dev-clean-demo": 12, "test-clean-demo": 6}
    dev = manifests["dev-clean-demo"]
    assert {s.speaker for s in dev["supervisions"]} == {"1001", "1002", "1003"}
    assert {s.speaker for s in manifests["test-clean-demo"]["supervisions"]} == {"3001", "3002"}
    for rec in dev["recordings"]:
        assert (rec.sampling_rate, rec.num_channels) == (16000, 1) and 2.0 < rec.duration < 8.0
    sup = dev["supervisions"]["1002-2002-0001"]
    assert sup.text == "THE TRAIN WAS LATE AGAIN SO WE WALKED HOME ALONG THE FROZEN CANAL"
    assert sorted(p.name for p in tmp_path.iterdir())[0] == "librispeech_recordings_dev-clean-demo.jsonl.gz"
    audio = dev["recordings"].load_audio("1001-2001-0000")
    assert audio.shape == (1, dev["recordings"]["1001-2001-0000"].num_samples) and 0.3 < abs(audio).max() <= 1.0


def test_speech_commands_recipe_on_the_demo(demo_dir, tmp_path):
    manifests = prepare_speechcommands("2", demo_dir / "speech_commands", tmp_path)
    sups = {split: manifests[split]["supervisions"] for split in ("train", "valid", "test")}
    assert {k: len(v) for k, v in sups.items()} == {"train": 450, "valid": 60, "test": 160}
    for split, segments in sups.items():  # every word, equally often, in every split
        counts = Counter(s.text for s in segments)
        assert sorted(counts) == sorted(WORDS) and len(set(counts.values())) == 1, split
    speakers = {split: {s.speaker for s in segments} for split, segments in sups.items()}
    assert (len(speakers["train"]), len(speakers["valid"]), len(speakers["test"])) == (45, 6, 8)
    assert not speakers["train"] & speakers["test"] and not speakers["train"] & speakers["valid"]
    assert not speakers["valid"] & speakers["test"]
    for rec in manifests["test"]["recordings"]:
        assert (rec.sampling_rate, rec.num_samples) == (16000, 16000)


def test_keyword_split_matches_the_generator(demo_dir):
    """The committed lists and SPEAKERS.tsv are what generate.py's constants describe."""
    gen = _generator(demo_dir)
    root = demo_dir / "speech_commands"
    rows = [line.split("\t") for line in (root / "SPEAKERS.tsv").read_text().splitlines()[1:]]
    expected = [[gen.speaker_hash(v), v, split] for split, voices in gen.KEYWORD_VOICES.items() for v in voices]
    assert rows == expected
    variants = {split: {v.split("+")[1] for v in voices} for split, voices in gen.KEYWORD_VOICES.items()}
    assert not variants["train"] & (variants["validation"] | variants["test"])  # unseen variants
    assert not variants["validation"] & variants["test"]
    for split, name in (("validation", "validation_list.txt"), ("test", "testing_list.txt")):
        listed = (root / name).read_text().split()
        hashes = {gen.speaker_hash(v) for v in gen.KEYWORD_VOICES[split]}
        assert {entry.split("/")[1].split("_")[0] for entry in listed} == hashes
        assert len(listed) == len(hashes) * len(gen.KEYWORDS) * gen.TAKES_PER_SPLIT[split]
        assert all((root / entry).is_file() for entry in listed)


@pytest.mark.parametrize("text, expected", [("Hello, world!", "HELLO WORLD"), ("It's late.", "IT'S LATE")])
def test_generator_transcript_normalisation(demo_dir, text, expected):
    assert _generator(demo_dir).normalise_transcript(text) == expected
