"""The generic folder-of-audio recipe: sidecar transcripts, a Kaldi text file, speakers, splits."""

import pytest

from lhotse_lite.errors import DuplicateIdError, ManifestFormatError
from lhotse_lite.manifest.sidecars import is_index_file
from lhotse_lite.recipes.audio_folder import prepare_audio_folder


@pytest.fixture
def folder(tmp_path, audio_writer):
    root = tmp_path / "my_corpus"
    audio_writer(root / "alice" / "take 1.wav", 0.5)
    (root / "alice" / "take 1.txt").write_text("hello\n  world\n")
    audio_writer(root / "alice" / "take2.FLAC", 0.25)
    (root / "alice" / "take2.lab").write_text("second take")
    audio_writer(root / "bob" / "greeting.wav", 0.75, sampling_rate=8000, channels=2)
    (root / "bob" / "notes.md").write_text("not audio")
    return root


def test_one_supervision_per_file(folder, tmp_path):
    out = tmp_path / "out"
    manifests = prepare_audio_folder(folder, out, name="mine", speaker_from_parent=True, language="English")
    assert list(manifests) == ["all"]
    recs, sups = manifests["all"]["recordings"], manifests["all"]["supervisions"]
    assert list(recs.ids) == ["alice_take 1", "alice_take2", "bob_greeting"]
    assert (sups["alice_take 1"].text, sups["alice_take2"].text, sups["bob_greeting"].text) == (
        "hello world",
        "second take",
        None,
    )
    stereo = sups["bob_greeting"]
    assert (stereo.channel, stereo.duration, stereo.speaker, stereo.language) == ([0, 1], 0.75, "bob", "English")
    assert recs["bob_greeting"].sampling_rate == 8000
    assert sorted(p.name for p in out.iterdir() if not is_index_file(p.name)) == [
        "mine_recordings_all.jsonl.gz",
        "mine_supervisions_all.jsonl.gz",
    ]


def test_text_file_first_then_sidecars(folder, tmp_path):
    text = tmp_path / "text"
    text.write_text("alice_take2 FROM THE TEXT FILE\nbob/greeting BY RELATIVE PATH\n")
    sups = prepare_audio_folder(folder, text_file=text)["all"]["supervisions"]
    assert [s.text for s in sups] == ["hello world", "FROM THE TEXT FILE", "BY RELATIVE PATH"]  # sidecar fallback
    assert sups[0].speaker is None


def test_text_file_with_repeated_key(folder, tmp_path):
    text = tmp_path / "text"
    text.write_text("a one\nb two\na three\n")
    with pytest.raises(DuplicateIdError, match=r"text:3: key 'a' appears twice"):
        prepare_audio_folder(folder, text_file=text)


def test_split_by_folder(folder, audio_writer):
    with pytest.raises(ManifestFormatError, match="not inside a split folder"):
        audio_writer(folder / "loose.wav", 0.1)
        prepare_audio_folder(folder, split_by_folder=True)
    (folder / "loose.wav").unlink()
    manifests = prepare_audio_folder(folder, split_by_folder=True)
    assert {k: len(v["recordings"]) for k, v in manifests.items()} == {"alice": 2, "bob": 1}


def test_duplicate_ids(folder, audio_writer):
    audio_writer(folder / "bob" / "greeting.flac", 0.1)
    with pytest.raises(DuplicateIdError, match="bob_greeting"):
        prepare_audio_folder(folder)
