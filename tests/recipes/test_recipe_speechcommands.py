"""The Speech Commands recipe on tiny copies of the real layouts, and its download (Lhotse's: tests/lhotse_parity)."""

import tarfile
from pathlib import Path

import pytest

from lhotse_lite.audio import RecordingSet
from lhotse_lite.errors import AudioNotFoundError, ConfigError, DownloadError, ManifestFormatError
from lhotse_lite.recipes.speechcommands import download_speechcommands, prepare_speechcommands
from lhotse_lite.supervision import SupervisionSet

SPEAKERS = ("0a7c2a8d", "0b09edd3", "0c40e715", "1b4c9b89")


@pytest.fixture
def commands(tmp_path, audio_writer) -> Path:
    """Two words x four speakers of 1 s WAV clips; speaker 2 is validation, speaker 3 is test."""
    root = tmp_path / "SpeechCommands2" / "speech_commands_v0.02"
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


@pytest.fixture
def test_set(commands, audio_writer) -> Path:
    """The separately released test set beside the clips: a word, _silence_ and _unknown_."""
    root = commands.parent / "speech_commands_test_set_v0.02"
    audio_writer(root / "yes" / "f00d1234_nohash_0.wav", 1.0, seed=20)
    audio_writer(root / "_silence_" / "silence_0.wav", 1.0, seed=21)
    audio_writer(root / "_unknown_" / "bed_c0ffee00_nohash_1.wav", 1.0, seed=22)
    return root


def test_splits_follow_the_lists(commands, tmp_path):
    out = tmp_path / "out"
    manifests = prepare_speechcommands("2", commands.parent, out)
    assert sorted(manifests) == ["test", "train", "valid"]
    assert sorted(manifests["test"]["recordings"].ids) == [f"no_{SPEAKERS[3]}_nohash_0", f"yes_{SPEAKERS[3]}_nohash_0"]
    assert sorted(manifests["valid"]["recordings"].ids) == [f"no_{SPEAKERS[2]}_nohash_0", f"yes_{SPEAKERS[2]}_nohash_0"]
    train = manifests["train"]["supervisions"]
    assert len(train) == 6 and {s.speaker for s in train} == {SPEAKERS[0], SPEAKERS[1]}
    sup = train[f"yes_{SPEAKERS[0]}_nohash_1"]
    assert (sup.text, sup.speaker, sup.language, sup.start, sup.duration, sup.channel) == (
        "yes",
        SPEAKERS[0],
        "English",
        0.0,
        0.8,
        0,
    )
    rec = manifests["train"]["recordings"][f"yes_{SPEAKERS[0]}_nohash_1"]
    assert (rec.sampling_rate, rec.num_samples) == (16000, 12800)
    for split in ("train", "valid", "test"):  # Lhotse's file names, with the version
        assert (
            RecordingSet.from_file(out / f"speechcommands2_recordings_{split}.jsonl.gz")
            == manifests[split]["recordings"]
        )
        assert (
            SupervisionSet.from_file(out / f"speechcommands2_supervisions_{split}.jsonl.gz")
            == manifests[split]["supervisions"]
        )
    assert not (out / "speechcommands2_recordings_noise.jsonl.gz").exists()
    # the unpacked archive itself is accepted as corpus_dir too
    assert prepare_speechcommands("2", commands)["valid"]["recordings"] == manifests["valid"]["recordings"]


def test_the_separate_test_set_is_the_test_split(commands, test_set):
    manifests = prepare_speechcommands("2", commands.parent)
    test = manifests["test"]["supervisions"]
    assert [(s.id, s.text, s.speaker) for s in test] == [
        ("_silence__silence_0", "", None),
        ("_unknown__bed_c0ffee00_nohash_1", "bed", "c0ffee00"),
        ("yes_f00d1234_nohash_0", "yes", "f00d1234"),
    ]
    # the testing_list.txt clips are then in no split (as in Lhotse)
    assert all(s.speaker != SPEAKERS[3] for split in manifests.values() for s in split["supervisions"])
    assert len(manifests["train"]["supervisions"]) == 6


def test_background_noise_is_its_own_split(commands):
    manifests = prepare_speechcommands("2", commands.parent, include_background_noise=True)
    noise = manifests["noise"]["supervisions"]
    assert list(noise.ids) == ["_background_noise__white_noise"]
    assert (noise[0].text, noise[0].speaker, noise[0].duration) == ("", None, 3.0)
    assert all(not s.text.startswith("_") and s.text for s in manifests["train"]["supervisions"])


def test_flac_corpus_matches_wav_lists(commands, audio_writer):
    """A corpus converted to FLAC keeps its lists: entries match clips by path without extension."""
    for wav in commands.glob("*/*_nohash_*.wav"):
        audio_writer(wav.with_suffix(".flac"), 1.0)
        wav.unlink()
    manifests = prepare_speechcommands("2", commands.parent)
    assert (len(manifests["train"]["recordings"]), len(manifests["valid"]["recordings"])) == (6, 2)
    assert manifests["test"]["recordings"][0].sources[0].source.endswith(".flac")


def test_word_selection(commands, test_set):
    manifests = prepare_speechcommands("2", commands.parent, words=["no"])
    assert {s.text for split in manifests.values() for s in split["supervisions"]} == {"no"}
    assert len(manifests["test"]["supervisions"]) == 0  # the separate test set has no "no" clip
    with pytest.raises(AudioNotFoundError, match=r"word\(s\) \['sheila'\]"):
        prepare_speechcommands("2", commands.parent, words=["no", "sheila"])


def test_wrong_version_or_layout(commands):
    with pytest.raises(ConfigError, match="speechcommands_version must be '1' or '2', got 3"):
        prepare_speechcommands(3, commands.parent)
    with pytest.raises(AudioNotFoundError, match=r"no speech_commands_v0.01/testing_list.txt"):
        prepare_speechcommands("1", commands.parent)


def test_listed_clip_without_audio(commands):
    (commands / "yes" / f"{SPEAKERS[3]}_nohash_0.wav").unlink()
    with pytest.raises(AudioNotFoundError, match=r"testing_list.txt names 1 clip"):
        prepare_speechcommands("2", commands.parent)


def test_malformed_list_and_missing_lists(commands):
    (commands / "validation_list.txt").write_text("yes_0a7c2a8d_nohash_0.wav\n")
    with pytest.raises(ManifestFormatError, match=r"validation_list.txt:1"):
        prepare_speechcommands("2", commands.parent)
    (commands / "validation_list.txt").unlink()
    with pytest.raises(AudioNotFoundError, match=r"validation_list\.txt"):
        prepare_speechcommands("2", commands.parent)


def test_download_unpacks_both_archives(commands, test_set, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for part in (commands, test_set):  # the archives have no top folder
        with tarfile.open(mirror / f"{part.name}.tar.gz", "w:gz") as tar:
            for path in part.iterdir():
                tar.add(path, arcname=path.name)
    corpus = download_speechcommands("2", tmp_path / "data", base_url=mirror.as_uri())
    assert corpus == tmp_path / "data" / "SpeechCommands2"
    assert (corpus / "speech_commands_v0.02" / "yes" / f"{SPEAKERS[0]}_nohash_1.wav").is_file()
    assert (corpus / "speech_commands_test_set_v0.02" / ".completed").is_file()
    downloaded = prepare_speechcommands("2", corpus)
    assert list(downloaded["test"]["supervisions"].ids) == list(
        prepare_speechcommands("2", commands.parent)["test"]["supervisions"].ids
    )
    with pytest.raises(DownloadError, match=r"speech_commands_v0\.01\.tar\.gz"):
        download_speechcommands("1", tmp_path / "data", base_url=mirror.as_uri())
