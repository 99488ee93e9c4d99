"""The Speech Commands recipe on a tiny copy of the real layout (v1/v2 share it)."""

from pathlib import Path

import pytest

from lhotse_lite.audio import RecordingSet
from lhotse_lite.errors import AudioNotFoundError, ManifestFormatError
from lhotse_lite.supervision import SupervisionSet
from recipes.speech_commands import main, prepare_speech_commands

SPEAKERS = ("0a7c2a8d", "0b09edd3", "0c40e715", "1b4c9b89")


@pytest.fixture
def commands(tmp_path, audio_writer) -> Path:
    """Two words x four speakers of 1 s WAV clips; speaker 2 is validation, speaker 3 is test."""
    root = tmp_path / "speech_commands_v0.02"
    for word in ("yes", "no"):
        for n, spk in enumerate(SPEAKERS):
            audio_writer(root / word / f"{spk}_nohash_0.wav", 1.0, seed=n)
        audio_writer(root / word / f"{SPEAKERS[0]}_nohash_1.wav", 0.8, seed=9)  # clips may be shorter
    audio_writer(root / "_background_noise_" / "white_noise.wav", 3.0)
    (root / "_background_noise_" / "README.md").write_text("noise")
    (root / "validation_list.txt").write_text(f"no/{SPEAKERS[2]}_nohash_0.wav\nyes/{SPEAKERS[2]}_nohash_0.wav\n")
    (root / "testing_list.txt").write_text(f"no/{SPEAKERS[3]}_nohash_0.wav\nyes/{SPEAKERS[3]}_nohash_0.wav\n")
    (root / "LICENSE").write_text("CC-BY-4.0")
    return root


def test_splits_follow_the_lists(commands, tmp_path):
    out = tmp_path / "out"
    manifests = prepare_speech_commands(commands, out)
    assert sorted(manifests) == ["test", "train", "valid"]
    assert sorted(manifests["test"]["recordings"].ids) == [f"no_{SPEAKERS[3]}_nohash_0", f"yes_{SPEAKERS[3]}_nohash_0"]
    assert sorted(manifests["valid"]["recordings"].ids) == [f"no_{SPEAKERS[2]}_nohash_0", f"yes_{SPEAKERS[2]}_nohash_0"]
    train = manifests["train"]["supervisions"]
    assert len(train) == 6 and {s.speaker for s in train} == {SPEAKERS[0], SPEAKERS[1]}
    sup = train[f"yes_{SPEAKERS[0]}_nohash_1"]
    assert (sup.text, sup.speaker, sup.language, sup.start, sup.duration, sup.channel) == (
        "yes", SPEAKERS[0], "English", 0.0, 0.8, 0)
    rec = manifests["train"]["recordings"][f"yes_{SPEAKERS[0]}_nohash_1"]
    assert (rec.sampling_rate, rec.num_samples) == (16000, 12800)
    for split in ("train", "valid", "test"):
        assert (
            RecordingSet.from_file(out / f"speechcommands_recordings_{split}.jsonl.gz")
            == manifests[split]["recordings"]
        )
        assert (
            SupervisionSet.from_file(out / f"speechcommands_supervisions_{split}.jsonl.gz")
            == manifests[split]["supervisions"]
        )
    assert not (out / "speechcommands_recordings_noise.jsonl.gz").exists()


def test_background_noise_is_its_own_split(commands):
    manifests = prepare_speech_commands(commands, include_background_noise=True)
    noise = manifests["noise"]["supervisions"]
    assert list(noise.ids) == ["_background_noise__white_noise"]
    assert (noise[0].text, noise[0].speaker, noise[0].duration) == (None, None, 3.0)
    assert all(not s.text.startswith("_") for s in manifests["train"]["supervisions"])


def test_flac_corpus_matches_wav_lists(commands, audio_writer):
    """A corpus converted to FLAC keeps its lists: entries match clips by path without extension."""
    for wav in commands.glob("*/*_nohash_*.wav"):
        audio_writer(wav.with_suffix(".flac"), 1.0)
        wav.unlink()
    manifests = prepare_speech_commands(commands)
    assert (len(manifests["train"]["recordings"]), len(manifests["valid"]["recordings"])) == (6, 2)
    assert manifests["test"]["recordings"][0].sources[0].source.endswith(".flac")


def test_word_selection_and_parent_folder(commands):
    manifests = prepare_speech_commands(commands.parent, words=["no"])
    assert {s.text for split in manifests.values() for s in split["supervisions"]} == {"no"}
    assert len(manifests["test"]["supervisions"]) == 1
    with pytest.raises(AudioNotFoundError, match=r"word\(s\) \['sheila'\]"):
        prepare_speech_commands(commands, words=["no", "sheila"])


def test_listed_clip_without_audio(commands):
    (commands / "yes" / f"{SPEAKERS[3]}_nohash_0.wav").unlink()
    with pytest.raises(AudioNotFoundError, match=r"testing_list.txt names 1 clip"):
        prepare_speech_commands(commands)


def test_malformed_list_and_missing_lists(commands):
    (commands / "validation_list.txt").write_text("yes_0a7c2a8d_nohash_0.wav\n")
    with pytest.raises(ManifestFormatError, match=r"validation_list.txt:1"):
        prepare_speech_commands(commands)
    (commands / "validation_list.txt").unlink()
    with pytest.raises(AudioNotFoundError, match=r"validation_list\.txt"):
        prepare_speech_commands(commands)


def test_main(commands, tmp_path, capsys):
    assert main([str(commands), str(tmp_path / "out"), "--words", "yes", "--log-level", "WARNING"]) == 0
    assert "train: 3 recordings" in capsys.readouterr().out
