"""Interchange with Lhotse 1.33: its files (written by Lhotse, in tests/fixtures) load here, ours load
there, for every format. Tests that need the live library skip without it; the others do not."""

import json

import pytest

from lhotse_lite.manifest import load_manifest, load_manifest_lazy
from lhotse_lite.supervision import SupervisionSet


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


def test_lazy_matches_eager(lhotse_compat_dir):
    path = lhotse_compat_dir / "supervisions.jsonl.gz"
    assert list(load_manifest_lazy(path)) == list(load_manifest(path))


@pytest.mark.parametrize("ext", FORMATS)
def test_our_files_load_in_lhotse(lhotse_compat_dir, tmp_path, ext):
    ours = load_manifest(lhotse_compat_dir / "supervisions.jsonl.gz")
    path = tmp_path / f"out.{ext}"
    ours.to_file(path)
    ref = _lhotse().load_manifest(path)
    assert [s.to_dict() for s in ref] == [s.to_dict() for s in ours]


@pytest.mark.parametrize("ext", ["json", "yaml"])
def test_json_and_yaml_are_byte_identical(lhotse_compat_dir, tmp_path, ext):
    ours = load_manifest(lhotse_compat_dir / f"supervisions.{ext}")
    ours.to_file(tmp_path / f"out.{ext}")
    assert (tmp_path / f"out.{ext}").read_bytes() == (lhotse_compat_dir / f"supervisions.{ext}").read_bytes()


def test_jsonl_lines_hold_the_same_json(lhotse_compat_dir, tmp_path):
    ours = load_manifest(lhotse_compat_dir / "supervisions.jsonl")
    ours.to_file(tmp_path / "out.jsonl")
    mine = (tmp_path / "out.jsonl").read_text().splitlines()
    ref = (lhotse_compat_dir / "supervisions.jsonl").read_text().splitlines()
    assert [json.loads(x) for x in mine] == [json.loads(x) for x in ref]
    assert [list(json.loads(x)) for x in mine] == [list(json.loads(x)) for x in ref]  # key order
    # floats print the same shortest text as Python's json module
    assert [json.dumps(json.loads(x)) for x in mine] == [json.dumps(json.loads(x)) for x in ref]


def test_lhotse_writer_round_trip_with_random_values(tmp_path):
    import random

    lhotse = _lhotse()
    rng = random.Random(0)
    ref = lhotse.SupervisionSet.from_segments(
        lhotse.SupervisionSegment(id=f"s{k}", recording_id=f"r{k % 3}", start=rng.random() * 100,
                                  duration=rng.random() * 1e-3 if k % 2 else rng.random() * 10,
                                  text="ünïcødé ✓" if k % 3 == 0 else None, speaker=f"spk{k}")
        for k in range(50))
    ref.to_file(tmp_path / "ref.jsonl.gz")
    ours = SupervisionSet.from_file(tmp_path / "ref.jsonl.gz")
    assert [s.to_dict() for s in ours] == [s.to_dict() for s in ref]
    ours.to_file(tmp_path / "ours.jsonl.gz")
    back = lhotse.load_manifest(tmp_path / "ours.jsonl.gz")
    assert [s.to_dict() for s in back] == [s.to_dict() for s in ref]
