"""The VoxConverse recipe on a tiny copy of the real layout (RTTM turns on channel 1, as released), and its download."""

import zipfile

import pytest

from lhotse_lite.errors import AudioNotFoundError, DownloadError, ManifestError, ManifestFormatError
from lhotse_lite.recipes.voxconverse import download_voxconverse, prepare_voxconverse

TURNS = {  # recording -> (onset, duration, speaker); VoxConverse writes the mono channel as 1
    "abjxc": [(0.4, 1.6, "spk00"), (2.1, 0.9, "spk01"), (2.5, 0.0, "spk00")],
    "afjiv": [(0.0, 2.0, "spk00")],
    "aepyx": [(0.1, 1.0, "spk00"), (1.2, 1.5, "spk01")],
    "bvyvm": [(0.3, 0.5, "spk02"), (2.6, 0.4005, "spk00"), (3.1, 0.5, "spk01")],  # past the end: trimmed, dropped
}
PARTS = {"abjxc": "dev", "afjiv": "dev", "aepyx": "test", "bvyvm": "test"}


def _rttm(name, turns):
    return "".join(f"SPEAKER {name} 1 {on:.6f} {dur:.6f} <NA> <NA> {spk} <NA> <NA>\n" for on, dur, spk in turns)


@pytest.fixture
def voxconverse(tmp_path, audio_writer):
    root = tmp_path / "voxconverse"
    for n, (name, part) in enumerate(PARTS.items()):
        audio_writer(root / part / f"{name}.wav", 3.0, seed=n)
        (root / part / f"{name}.rttm").write_text(_rttm(name, TURNS[name]))
    return root


def test_turns_become_supervisions(voxconverse, tmp_path):
    out = tmp_path / "out"
    manifests = prepare_voxconverse(voxconverse, out)  # Lhotse's positional order: corpus, output
    assert sorted(manifests) == ["dev", "test"]
    assert list(manifests["dev"]["recordings"].ids) == ["abjxc", "afjiv"]
    sups = manifests["dev"]["supervisions"]
    assert list(sups.ids) == ["abjxc-000000", "abjxc-000001", "afjiv-000000"]  # zero-length turn dropped
    turn = sups["abjxc-000001"]
    assert (turn.recording_id, turn.start, turn.duration, turn.speaker, turn.channel, turn.language) == (
        "abjxc",
        2.1,
        0.9,
        "spk01",
        0,
        "English",
    )
    assert (out / "voxconverse_supervisions_test.jsonl.gz").is_file()


def test_split_test_and_separate_rttm_dir(voxconverse, tmp_path):
    rttm_dir = tmp_path / "annotations"
    for rttm in voxconverse.glob("*/*.rttm"):
        (rttm_dir / rttm.parent.name).mkdir(parents=True, exist_ok=True)
        rttm.rename(rttm_dir / rttm.parent.name / rttm.name)
    manifests = prepare_voxconverse(voxconverse, rttm_dir=rttm_dir, split_test=True)
    assert {k: list(v["recordings"].ids) for k, v in manifests.items()} == {
        "train": ["abjxc", "afjiv"],
        "dev": ["aepyx"],
        "test": ["bvyvm"],
    }


def test_turns_past_the_audio_are_trimmed_or_dropped(voxconverse):
    sups = prepare_voxconverse(voxconverse)["test"]["supervisions"]
    assert [(s.id, s.start, s.duration) for s in sups if s.recording_id == "bvyvm"] == [
        ("bvyvm-000000", 0.3, 0.5),
        ("bvyvm-000001", 2.6, 0.4),
    ]
    (voxconverse / "test" / "bvyvm.rttm").write_text(_rttm("bvyvm", [(3.5, 1.0, "spk02")]))
    test = prepare_voxconverse(voxconverse)["test"]  # bvyvm keeps its recording, with no turn (as in Lhotse)
    assert list(test["recordings"].ids) == ["aepyx", "bvyvm"] and {s.recording_id for s in test["supervisions"]} == {
        "aepyx"
    }
    for name in ("aepyx", "bvyvm"):
        (voxconverse / "test" / f"{name}.rttm").write_text(_rttm(name, [(3.5, 1.0, "spk02")]))
    with pytest.raises(ManifestError, match="no supervisions left"):
        prepare_voxconverse(voxconverse)


def test_problems_are_reported(voxconverse):
    (voxconverse / "test" / "bvyvm.rttm").write_text(_rttm("other", [(0.5, 1.0, "spk02")]))
    with pytest.raises(ManifestFormatError, match="names recording 'other'"):
        prepare_voxconverse(voxconverse)
    (voxconverse / "test" / "bvyvm.rttm").unlink()
    with pytest.raises(AudioNotFoundError, match="'bvyvm' has no RTTM"):
        prepare_voxconverse(voxconverse)


def _zip(path, files):
    with zipfile.ZipFile(path, "w") as zf:
        for name, source in files.items():
            zf.write(source, name)
    return path.as_uri()


def test_download_makes_the_layout_prepare_reads(voxconverse, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    urls = {  # the released zips: audio under audio/ and voxconverse_test_wav/, RTTMs in the repository
        "dev_audio_url": _zip(mirror / "dev.zip", {f"audio/{p.name}": p for p in voxconverse.glob("dev/*.wav")}),
        "test_audio_url": _zip(
            mirror / "test.zip", {f"voxconverse_test_wav/{p.name}": p for p in voxconverse.glob("test/*.wav")}
        ),
        "annotations_url": _zip(
            mirror / "master.zip",
            {f"voxconverse-master/{p.parent.name}/{p.name}": p for p in voxconverse.glob("*/*.rttm")},
        ),
    }
    corpus = download_voxconverse(tmp_path / "data", **urls)
    assert sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*")) == sorted(
        [".completed", *(str(p.relative_to(voxconverse)) for p in voxconverse.rglob("*"))]
    )
    assert not list(corpus.glob("*.zip"))
    downloaded, original = prepare_voxconverse(corpus), prepare_voxconverse(voxconverse)
    assert downloaded["test"]["supervisions"] == original["test"]["supervisions"]
    (mirror / "dev.zip").unlink()
    assert download_voxconverse(tmp_path / "data", **urls) == corpus  # complete: nothing fetched
    wrong = {**urls, "test_audio_url": _zip(mirror / "wrong.zip", {"README": voxconverse / "dev" / "abjxc.rttm"})}
    _zip(mirror / "dev.zip", {f"audio/{p.name}": p for p in voxconverse.glob("dev/*.wav")})
    with pytest.raises(DownloadError, match=r"test.zip holds no \*.wav files"):
        download_voxconverse(tmp_path / "other", **wrong)
