"""A manifest line longer than the line bound is refused with file:line before more of it is read, and lines
of any length are read in one linear pass (a partial line is carried in a bytearray, not rebuilt per step).

A ``.jsonl.gz`` of one long line used to take time quadratic in its length (64 MB: 25 s) and had no bound.
"""

import gzip
import io

import pytest

from lhotse_lite.cli.manifest_io import read_manifest
from lhotse_lite.errors import ManifestFormatError
from lhotse_lite.manifest import lines as lines_module, load_manifest
from lhotse_lite.manifest.formats import iter_jsonl_dicts


def _item(k, text_len):
    return b'{"id": "s%d", "recording_id": "r", "start": 0.0, "duration": 1.0, "text": "%s"}' % (k, b"x" * text_len)


@pytest.mark.parametrize("name", ["sups.jsonl", "sups.jsonl.gz"])
def test_line_over_the_bound_is_refused(tmp_path, monkeypatch, name):
    monkeypatch.setenv("LHOTSE_LITE_MAX_LINE_BYTES", "1000")
    content = _item(1, 100) + b"\n\n" + _item(2, 5000) + b"\n" + _item(3, 100) + b"\n"
    path = tmp_path / name
    path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    with pytest.raises(ManifestFormatError, match=rf"{name}:3: the line is longer than 1000 bytes"):
        load_manifest(path)
    with pytest.raises(ManifestFormatError, match=r"<stdin>:3: the line is longer than 1000 bytes"):
        read_manifest("-", stdin=io.BytesIO(content))
    monkeypatch.setenv("LHOTSE_LITE_MAX_LINE_BYTES", "10000")
    assert load_manifest(path).ids == ["s1", "s2", "s3"]


def test_endless_line_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr(lines_module, "MAX_LINE_BYTES", 1 << 20)
    path = tmp_path / "endless.jsonl.gz"
    with gzip.open(path, "wb") as f:  # 64 MB of "x" with no line break: 64 KB compressed
        for _ in range(64):
            f.write(b"x" * (1 << 20))
    with pytest.raises(ManifestFormatError, match=r"endless\.jsonl\.gz:1: the line is longer than 1048576 bytes"):
        list(iter_jsonl_dicts(path))


def test_bad_bound_setting_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("LHOTSE_LITE_MAX_LINE_BYTES", "lots")
    (tmp_path / "a.jsonl").write_bytes(_item(1, 1) + b"\n")
    with pytest.raises(ManifestFormatError, match="LHOTSE_LITE_MAX_LINE_BYTES must be a positive number"):
        load_manifest(tmp_path / "a.jsonl")


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 18])
def test_lines_spanning_many_blocks_read_back(tmp_path, monkeypatch, block):
    monkeypatch.setattr(lines_module, "BLOCK_BYTES", block)
    items = [_item(k, n) for k, n in enumerate([0, 3, 2000, 1, 70000, 5])]
    content = b"\n".join(items[:3]) + b"\n\n\n" + b"\n".join(items[3:])  # no final line break
    for name, data in (("a.jsonl", content), ("a.jsonl.gz", gzip.compress(content))):
        (tmp_path / name).write_bytes(data)
        got = [(n, d["id"], len(d["text"])) for n, d in iter_jsonl_dicts(tmp_path / name)]
        assert got == [(1, "s0", 0), (2, "s1", 3), (3, "s2", 2000), (6, "s3", 1), (7, "s4", 70000), (8, "s5", 5)]
