"""Blank lines of a JSONL manifest are skipped without a parse (and without an exception each).

A ``.gz`` of millions of blank lines used to cost one failed ``orjson.loads`` per line (about 3 CPU-hours for 2 GB).
"""

import gzip

import orjson
import pytest

from lhotse_lite.manifest import load_manifest, load_manifest_lazy
from lhotse_lite.manifest.formats import iter_jsonl_dicts

ITEM = b'{"id": "s1", "recording_id": "r1", "start": 0.0, "duration": 1.0}'


@pytest.fixture
def counted_parses(monkeypatch):
    calls = []
    real = orjson.loads

    def loads(data):
        calls.append(len(data))
        return real(data)

    monkeypatch.setattr(orjson, "loads", loads)
    return calls


@pytest.mark.parametrize("name", ["sups.jsonl", "sups.jsonl.gz"])
def test_blank_lines_are_not_parsed(tmp_path, counted_parses, name):
    content = b"\n" * 300_000 + ITEM + b"\n" + b"\n" * 300_000 + b"\r\n  \n" + ITEM.replace(b"s1", b"s2") + b"\n\n"
    path = tmp_path / name
    path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    assert [(n, d["id"]) for n, d in iter_jsonl_dicts(path)] == [(300_001, "s1"), (600_004, "s2")]
    # the two items and the two lines of only spaces (rare; each tried once) are parsed, the 600,000 empty lines not
    assert len(counted_parses) == 4
    assert load_manifest(path).ids == ["s1", "s2"] and len(load_manifest_lazy(path)) == 2


def test_a_bad_line_after_blank_lines_names_its_number(tmp_path):
    path = tmp_path / "sups.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n" * 1_000_000 + b"{oops\n"))
    with pytest.raises(ValueError, match=r"sups\.jsonl\.gz:1000001: malformed JSON line"):
        list(iter_jsonl_dicts(path))
