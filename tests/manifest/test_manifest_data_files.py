"""Plain data files (manifest/data_files.py) and loading/storing by detected type (manifest/detect.py)."""

import gzip

import pytest

from lhotse_lite.errors import ManifestFormatError, ManifestNotFoundError, NotStreamableError, UnknownFormatError
from lhotse_lite.serialization import (
    extension_contains,
    load_json,
    load_jsonl,
    load_manifest,
    load_manifest_lazy,
    load_yaml,
    save_to_json,
    save_to_jsonl,
    save_to_yaml,
    store_manifest,
)
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def test_json_yaml_and_jsonl_round_trips(tmp_path):
    data = [{"id": "a", "v": [1, 2.5, None]}, {"id": "é"}]
    save_to_json(data, tmp_path / "d.json.gz")
    assert gzip.decompress((tmp_path / "d.json.gz").read_bytes()).startswith(b'[\n  {\n    "id": "a"')
    assert load_json(tmp_path / "d.json.gz") == data
    save_to_yaml({"b": 1, "a": [1]}, tmp_path / "d.yaml")
    assert (tmp_path / "d.yaml").read_text() == "a:\n- 1\nb: 1\n"
    assert load_yaml(tmp_path / "d.yaml") == {"a": [1], "b": 1}
    save_to_jsonl(data, tmp_path / "d.txt")
    assert (tmp_path / "d.txt").read_text(encoding="utf-8") == '{"id":"a","v":[1,2.5,null]}\n{"id":"é"}\n'
    assert list(load_jsonl(tmp_path / "d.txt")) == data


def test_errors_name_the_file(tmp_path):
    with pytest.raises(ManifestNotFoundError, match=r"nope\.json"):
        load_json(tmp_path / "nope.json")
    with pytest.raises(FileNotFoundError):
        list(load_jsonl(tmp_path / "nope.jsonl"))
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ManifestFormatError, match=r"bad\.json:1: malformed JSON"):
        load_json(tmp_path / "bad.json")
    (tmp_path / "bad.jsonl").write_text('1\n{"a": \n')
    with pytest.raises(ManifestFormatError, match=r"bad\.jsonl:2"):
        list(load_jsonl(tmp_path / "bad.jsonl"))


def test_writes_are_atomic(tmp_path):
    save_to_json({"old": True}, tmp_path / "d.json")

    def broken():
        yield {"a": 1}
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        save_to_jsonl(broken(), tmp_path / "d.json")
    assert load_json(tmp_path / "d.json") == {"old": True} and len(list(tmp_path.iterdir())) == 1


def test_extension_contains():
    assert extension_contains(".jsonl", "a/b.v1.jsonl.gz") and not extension_contains(".json", "a.jsonl")
    assert not extension_contains(".jsonl", "dir.jsonl/file")


def test_load_and_store_by_type(tmp_path):
    sups = SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)])
    store_manifest(sups, tmp_path / "s.yaml")
    assert load_manifest(tmp_path / "s.yaml") == sups
    assert load_manifest(tmp_path / "s.yaml", manifest_cls=SupervisionSet) == sups
    with pytest.raises(UnknownFormatError):
        store_manifest(sups, tmp_path / "s.csv")
    (tmp_path / "empty.jsonl").write_text("\n")
    assert load_manifest_lazy(tmp_path / "empty.jsonl") is None  # as in Lhotse
    with pytest.raises(ManifestFormatError, match="empty"):
        load_manifest(tmp_path / "empty.jsonl")
    assert load_manifest(tmp_path / "empty.jsonl", manifest_cls=SupervisionSet) == SupervisionSet()
    with pytest.raises(NotStreamableError, match="use load_manifest"):
        load_manifest_lazy(tmp_path / "s.yaml")
    with pytest.raises(AssertionError):
        load_manifest_lazy(tmp_path / "s.yaml")
