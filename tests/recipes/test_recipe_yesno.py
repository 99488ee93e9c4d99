"""The yesno recipe on a tiny copy of the real layout, and its download (Lhotse's recipe: tests/lhotse_parity)."""

import itertools
import tarfile

import pytest

from lhotse_lite.errors import DownloadError, ManifestFormatError
from lhotse_lite.manifest.sidecars import is_index_file
from lhotse_lite.recipes.yesno import download_yesno, prepare_yesno, words_from_name


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
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not is_index_file(p.name)) == [
        "yesno_recordings_test.jsonl.gz",
        "yesno_recordings_train.jsonl.gz",
        "yesno_supervisions_test.jsonl.gz",
        "yesno_supervisions_train.jsonl.gz",
    ]


def test_bad_names(waves, audio_writer):
    with pytest.raises(ManifestFormatError, match="eight 0/1 fields"):
        words_from_name("0_1_2")
    audio_writer(waves / "1_1_1.wav", 0.1, sampling_rate=8000)
    with pytest.raises(ManifestFormatError, match="'1_1_1'"):
        prepare_yesno(waves)


def test_a_second_run_reuses_the_written_splits(waves, tmp_path):
    first = prepare_yesno(waves, tmp_path / "out")
    for name in ("0_0_0_0_0_0_0_0", "0_0_0_0_0_0_0_1"):  # the corpus changes; the finished splits stay
        (waves / f"{name}.wav").unlink()
    again = prepare_yesno(waves, tmp_path / "out")
    assert again["train"]["recordings"] == first["train"]["recordings"]
    assert again["test"]["supervisions"] == first["test"]["supervisions"]
    (tmp_path / "out" / "yesno_supervisions_test.jsonl.gz").unlink()  # an unfinished split is redone
    redone = prepare_yesno(waves, tmp_path / "out")
    assert list(redone["test"]["recordings"].ids) == ["0_0_0_0_0_0_1_1"]


def test_download_unpacks_and_skips_when_complete(waves, tmp_path):
    archive = tmp_path / "mirror" / "waves_yesno.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(waves, arcname="waves_yesno")
    corpus = download_yesno(tmp_path / "data", url=archive.as_uri())
    assert corpus == tmp_path / "data" / "waves_yesno" and (corpus / ".completed").is_file()
    assert sorted(p.name for p in corpus.glob("*.wav")) == sorted(p.name for p in waves.glob("*.wav"))
    assert list(prepare_yesno(corpus)["train"]["recordings"].ids) == ["0_0_0_0_0_0_0_0", "0_0_0_0_0_0_1_0"]
    archive.unlink()  # complete: nothing is fetched again
    assert download_yesno(tmp_path / "data", url=archive.as_uri()) == corpus
    with pytest.raises(DownloadError, match=r"could not download file://.*waves_yesno.tar.gz"):
        download_yesno(tmp_path / "data", force_download=True, url=archive.as_uri())
