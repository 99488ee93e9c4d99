"""The LibriSpeech recipe on a tiny copy of the real layout, and its download (Lhotse's recipe: tests/lhotse_parity)."""

import tarfile
import zipfile
from pathlib import Path

import pytest

from lhotse_lite.audio import RecordingSet
from lhotse_lite.errors import AudioNotFoundError, ConfigError, DownloadError, ManifestFormatError
from lhotse_lite.recipes.librispeech import (
    download_librispeech,
    find_librispeech_splits,
    parse_alignments,
    prepare_librispeech,
)
from lhotse_lite.supervision import SupervisionSet

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
    manifests = prepare_librispeech(libri, output_dir=out)
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
    with pytest.raises(ConfigError, match="num_jobs must be an int >= 1, got 0"):
        prepare_librispeech(libri, num_jobs=0)
    # Lhotse's corpus names stand for those of their splits that are present
    assert list(prepare_librispeech(libri, dataset_parts="mini_librispeech")) == ["dev-clean-2"]
    assert list(prepare_librispeech(libri, dataset_parts="librispeech")) == ["dev-clean"]


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


ALIGNMENT = '84-121123-0001 ",BUT,IN,LESS,THAN,FIVE,MINUTES," "0.3,0.41,0.5,0.62,0.71,0.74,0.75,0.75"\n'


def test_word_alignments_beside_the_transcripts_or_in_their_own_folder(libri, tmp_path):
    (libri / "dev-clean/84/121123/84-121123.alignment.txt").write_text(ALIGNMENT)
    sups = prepare_librispeech(libri, dataset_parts="dev-clean")["dev-clean"]["supervisions"]
    words = sups["84-121123-0001"].alignment["word"]
    assert [(w.symbol, w.start, w.duration) for w in words[:3]] == [
        ("", 0.0, 0.3),
        ("BUT", 0.3, 0.11),
        ("IN", 0.41, 0.09),
    ]
    assert words[-1].symbol == "" and words[-1].duration == 0.0 and len(words) == 8
    assert sups["84-121123-0000"].alignment is None and sups["174-50561-0000"].alignment is None
    elsewhere = tmp_path / "LibriSpeech-Alignments"
    (elsewhere / "dev-clean/84/121123").mkdir(parents=True)
    chapter = "dev-clean/84/121123/84-121123.alignment.txt"
    (libri / chapter).rename(elsewhere / chapter)
    again = prepare_librispeech(libri, alignments_dir=elsewhere, dataset_parts="dev-clean")["dev-clean"]
    assert again["supervisions"]["84-121123-0001"].alignment["word"] == words


def test_malformed_alignment_names_file_and_line(tmp_path):
    path = tmp_path / "1-2.alignment.txt"
    path.write_text(ALIGNMENT + '1-2-0003 ",A,B" "0.5,x,1.0"\n')
    with pytest.raises(ManifestFormatError, match=r"1-2.alignment.txt:2: expected"):
        parse_alignments(path)
    path.write_text('1-2-0003 ",A,B" "0.5,1.0"\n')
    with pytest.raises(ManifestFormatError, match=r"1-2.alignment.txt:1: 3 words but 2 end times"):
        parse_alignments(path)


def _mirror(tmp_path, libri, part):
    """An OpenSLR-like folder with ``31/<part>.tar.gz`` holding ``LibriSpeech/<part>/...``."""
    (tmp_path / "mirror" / "31").mkdir(parents=True)
    with tarfile.open(tmp_path / "mirror" / "31" / f"{part}.tar.gz", "w:gz") as tar:
        tar.add(libri / part, arcname=f"LibriSpeech/{part}")
    return (tmp_path / "mirror").as_uri()


def test_download_unpacks_each_split_once(libri, tmp_path):
    base_url = _mirror(tmp_path, libri, "dev-clean-2")
    corpus = download_librispeech(tmp_path / "data", "dev-clean-2", base_url=base_url)
    assert corpus == tmp_path / "data" / "LibriSpeech"
    assert (corpus / "dev-clean-2" / ".completed").is_file() and (tmp_path / "data" / "dev-clean-2.tar.gz").is_file()
    assert prepare_librispeech(corpus)["dev-clean-2"]["supervisions"][0].text == "IT'S A SMALL WORLD"
    (tmp_path / "mirror" / "31" / "dev-clean-2.tar.gz").unlink()  # complete: not fetched again
    assert download_librispeech(tmp_path / "data", ["dev-clean-2"], base_url=base_url) == corpus
    with pytest.raises(DownloadError, match=r"31/train-clean-5\.tar\.gz"):
        download_librispeech(tmp_path / "data", "mini_librispeech", base_url=base_url)
    with pytest.raises(ConfigError, match="unknown LibriSpeech split 'dev-clena'"):
        download_librispeech(tmp_path / "data", ["dev-clean", "dev-clena"], base_url=base_url)


def test_download_alignments(libri, tmp_path):
    base_url = _mirror(tmp_path, libri, "dev-clean-2")
    zipped = tmp_path / "mirror" / "alignments.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("LibriSpeech-Alignments/dev-clean-2/1272/135031/1272-135031.alignment.txt", "x")
    download_librispeech(
        tmp_path / "data", "dev-clean-2", alignments=True, base_url=base_url, alignments_url=zipped.as_uri()
    )
    assert (tmp_path / "data/LibriSpeech-Alignments/dev-clean-2/1272/135031/1272-135031.alignment.txt").is_file()
    page = tmp_path / "mirror" / "confirm.html"
    page.write_text("<html>Google Drive can't scan this file for viruses</html>")
    with pytest.raises(DownloadError, match="did not give a zip file"):
        download_librispeech(
            tmp_path / "other", "dev-clean-2", alignments=True, base_url=base_url, alignments_url=page.as_uri()
        )
    assert not (tmp_path / "other" / "LibriSpeech-Alignments.zip").exists()  # no broken file left to reuse
