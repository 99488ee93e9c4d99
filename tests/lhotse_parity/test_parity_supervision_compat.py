"""SupervisionSet interchange with Lhotse 1.33, compared live: its files load here and ours load there for
every format, random values survive both writers, ``find`` selects the same segments, and RTTM/CTM files
read and write the same.

The same files are pinned without Lhotse (literal files Lhotse wrote, in tests/fixtures) by
tests/supervision/test_supervision_compat.py.
"""

import pytest

from lhotse_lite.manifest import load_manifest
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from tests.supervision.test_supervision_set import CTM, RTTM, _write, sups3


def _lhotse():
    return pytest.importorskip("lhotse", reason="Lhotse 1.33 reads our files in this test")


FORMATS = ["jsonl.gz", "jsonl", "json", "yaml"]


@pytest.mark.parametrize("ext", FORMATS)
def test_lhotse_files_load_here(lhotse_compat_dir, ext):
    path = lhotse_compat_dir / f"supervisions.{ext}"
    ours = load_manifest(path)
    assert isinstance(ours, SupervisionSet) and len(ours) == 3
    assert [s.to_dict() for s in ours] == [s.to_dict() for s in load_manifest(lhotse_compat_dir / "supervisions.json")]
    assert ours["sup-1"].alignment["word"][1].score is None
    assert ours["sup-2"].channel == [0, 1]
    ref = _lhotse().load_manifest(path)
    assert [s.to_dict() for s in ours] == [s.to_dict() for s in ref]


@pytest.mark.parametrize("ext", FORMATS)
def test_our_files_load_in_lhotse(lhotse_compat_dir, tmp_path, ext):
    ours = load_manifest(lhotse_compat_dir / "supervisions.jsonl.gz")
    path = tmp_path / f"out.{ext}"
    ours.to_file(path)
    ref = _lhotse().load_manifest(path)
    assert [s.to_dict() for s in ref] == [s.to_dict() for s in ours]


def test_lhotse_writer_round_trip_with_random_values(tmp_path):
    import random

    lhotse = _lhotse()
    rng = random.Random(0)
    ref = lhotse.SupervisionSet.from_segments(
        lhotse.SupervisionSegment(
            id=f"s{k}",
            recording_id=f"r{k % 3}",
            start=rng.random() * 100,
            duration=rng.random() * 1e-3 if k % 2 else rng.random() * 10,
            text="ünïcødé ✓" if k % 3 == 0 else None,
            speaker=f"spk{k}",
        )
        for k in range(50)
    )
    ref.to_file(tmp_path / "ref.jsonl.gz")
    ours = SupervisionSet.from_file(tmp_path / "ref.jsonl.gz")
    assert [s.to_dict() for s in ours] == [s.to_dict() for s in ref]
    ours.to_file(tmp_path / "ours.jsonl.gz")
    back = lhotse.load_manifest(tmp_path / "ours.jsonl.gz")
    assert [s.to_dict() for s in back] == [s.to_dict() for s in ref]


def test_find_agrees_with_lhotse():
    lhotse = pytest.importorskip("lhotse")
    import random

    rng = random.Random(0)
    segs = [
        SupervisionSegment(
            f"s{k}",
            f"r{k % 4}",
            round(rng.uniform(0, 100), 2),
            round(rng.uniform(0, 5), 2),
            channel=rng.choice([0, 1, [0, 1]]),
        )
        for k in range(400)
    ]
    ours = SupervisionSet(segs)
    ref = lhotse.SupervisionSet.from_segments(lhotse.SupervisionSegment.from_dict(s.to_dict()) for s in segs)
    for _ in range(200):
        a = round(rng.uniform(0, 100), 2)
        kwargs = dict(
            recording_id=f"r{rng.randrange(5)}",
            channel=rng.choice([None, 0, 1]),
            start_after=a,
            end_before=rng.choice([None, a + rng.uniform(0, 20)]),
            adjust_offset=rng.random() < 0.5,
        )
        assert [s.to_dict() for s in ours.find(**kwargs)] == [s.to_dict() for s in ref.find(**kwargs)]


def test_rttm_matches_lhotse(tmp_path):
    lhotse = pytest.importorskip("lhotse")
    path = _write(tmp_path / "a.rttm", RTTM)
    ours = SupervisionSet.from_rttm(path)
    ref = lhotse.SupervisionSet.from_rttm(path)
    assert [s.to_dict() for s in ours] == [s.to_dict() for s in ref]
    both = SupervisionSet.from_rttm([path, _write(tmp_path / "b.rttm", "SPEAKER x 1 0 1 <NA> <NA> s <NA> <NA>\n")])
    assert len(both) == 4


@pytest.mark.parametrize("match_channel", [False, True])
def test_ctm_alignment_matches_lhotse(tmp_path, match_channel):
    lhotse = pytest.importorskip("lhotse")
    path = _write(tmp_path / "a.ctm", CTM)
    ours = sups3().with_alignment_from_ctm(path, match_channel=match_channel)
    ref = lhotse.SupervisionSet.from_dicts(s.to_dict() for s in sups3()).with_alignment_from_ctm(
        str(path), match_channel=match_channel
    )
    assert [s.to_dict() for s in ours] == [ref[s.id].to_dict() for s in ours]
    assert [i.symbol for i in ours["a"].alignment["word"]] == ["hello", "world"]
    assert ours["a"].alignment["word"][0].score == 0.91
    assert ours["c"].alignment == {"word": []}


def test_ctm_write_matches_lhotse(tmp_path):
    lhotse = pytest.importorskip("lhotse")
    path = _write(tmp_path / "a.ctm", CTM)
    ours = sups3().with_alignment_from_ctm(path)
    ours.write_alignment_to_ctm(tmp_path / "ours.ctm")
    ref = lhotse.SupervisionSet.from_dicts(s.to_dict() for s in ours)
    ref.write_alignment_to_ctm(tmp_path / "ref.ctm")
    assert (tmp_path / "ours.ctm").read_text() == (tmp_path / "ref.ctm").read_text()
    again = SupervisionSet([s.with_alignment("word", []) for s in sups3()]).with_alignment_from_ctm(
        tmp_path / "ours.ctm"
    )
    assert again == ours
