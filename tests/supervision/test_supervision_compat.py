"""Interchange with Lhotse 1.33 without the live library: files Lhotse wrote (in tests/fixtures) load here and
ours hold the same bytes (JSON, YAML) or the same JSON lines. The live comparisons (ours loaded by Lhotse)
are in tests/lhotse_parity/test_parity_supervision_compat.py."""

import json

import pytest

from lhotse_lite.manifest import load_manifest, load_manifest_lazy


def test_lazy_matches_eager(lhotse_compat_dir):
    path = lhotse_compat_dir / "supervisions.jsonl.gz"
    assert list(load_manifest_lazy(path)) == list(load_manifest(path))


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
