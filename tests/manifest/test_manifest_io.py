"""Manifest files: formats by extension, round trips, type detection, bad input, atomic writes."""

import gzip
import os
import sys
from pathlib import Path

import pytest

from lhotse_lite.errors import (
    DuplicateIdError,
    LhotseLiteError,
    ManifestFieldError,
    ManifestFormatError,
    UnknownFormatError,
)
from lhotse_lite.manifest import (
    SUPPORTED_EXTENSIONS,
    formats,
    load_manifest,
    load_manifest_lazy,
)
from lhotse_lite.manifest.sidecars import is_index_file
from lhotse_lite.supervision import SupervisionSet
from tests.manifest.toy_items import Item, ItemSet, make

SUP_LINES = [
    '{"id": "s1", "recording_id": "r1", "start": 0.0, "duration": 1.0, "channel": 0}',
    '{"id": "s2", "recording_id": "r1", "start": 1.0, "duration": 2.5, "channel": 0, "text": "x"}',
]


def write_lines(path, lines):
    data = ("\n".join(lines) + "\n").encode()
    if str(path).endswith(".gz"):
        data = gzip.compress(data)
    Path(path).write_bytes(data)
    return path


@pytest.mark.parametrize("ext", SUPPORTED_EXTENSIONS)
def test_round_trip_every_format(tmp_path, ext):
    s = make(5)
    path = tmp_path / f"items{ext}"
    s.to_file(path)
    assert ItemSet.from_file(path) == s


@pytest.mark.parametrize("method,ext", [("jsonl", ".jsonl.gz"), ("json", ".json"), ("yaml", ".yaml")])
def test_named_methods(tmp_path, method, ext):
    s = make(3)
    path = tmp_path / f"x{ext}"
    getattr(s, f"to_{method}")(path)
    assert getattr(ItemSet, f"from_{method}")(path) == s


@pytest.mark.parametrize("method", ["jsonl", "json", "yaml"])
@pytest.mark.parametrize("name", ["x.txt", "x.gz", "x.json.jsonl"])
def test_named_methods_write_any_path_in_their_format(tmp_path, method, name):
    # The method names the format; only a .gz ending changes the bytes (compression).
    s = make(3)
    path = tmp_path / name
    getattr(s, f"to_{method}")(path)
    assert getattr(ItemSet, f"from_{method}")(path) == s
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    first = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    assert first[:1] == {"jsonl": b"{", "json": b"[", "yaml": b"-"}[method]


def test_unknown_extension_lists_supported(tmp_path):
    with pytest.raises(UnknownFormatError, match=r"\.jsonl\.gz.*\.yaml"):
        make(1).to_file(tmp_path / "x.csv")
    with pytest.raises(UnknownFormatError):
        ItemSet.from_file(tmp_path / "x.csv")


def test_to_file_reads_the_format_from_any_suffix(tmp_path):
    # Lhotse's rule: the first of .jsonl, .json, .yaml among the suffixes names the format.
    s = make(2)
    for name, first_byte in [("a.v2.jsonl.gz", b"{"), ("b.json.bak", b"["), ("c.yaml.tmp", b"-")]:
        s.to_file(tmp_path / name)
        raw = (tmp_path / name).read_bytes()
        assert (gzip.decompress(raw) if name.endswith(".gz") else raw)[:1] == first_byte
        assert ItemSet.from_file(tmp_path / name) == s


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        ItemSet.from_file(tmp_path / "nope.jsonl")
    with pytest.raises(FileNotFoundError):
        ItemSet.from_jsonl_lazy(tmp_path / "nope.jsonl")


@pytest.mark.parametrize("ext", [".jsonl", ".jsonl.gz"])
def test_malformed_json_line_names_file_and_line(tmp_path, ext):
    path = write_lines(tmp_path / f"bad{ext}", ['{"id": "a", "value": 1}', '{"id": "b", "value": ', '{"id": "c"}'])
    with pytest.raises(ManifestFormatError, match=rf"bad{ext}:2: malformed JSON"):
        ItemSet.from_file(path)
    with pytest.raises(ManifestFormatError, match=r":2:"):
        list(ItemSet.from_jsonl_lazy(path))


def test_non_object_line(tmp_path):
    path = write_lines(tmp_path / "bad.jsonl", ['{"id": "a"}', "[1, 2]"])
    with pytest.raises(ManifestFormatError, match=r"bad.jsonl:2: expected one JSON object"):
        ItemSet.from_file(path)


def test_blank_lines_are_not_items(tmp_path):
    path = write_lines(tmp_path / "x.jsonl", ['{"id": "a"}', "", '{"id": "b"}'])
    assert ItemSet.from_file(path).ids == ["a", "b"]


def test_truncated_gzip(tmp_path):
    path = tmp_path / "x.jsonl.gz"
    make(2000).to_file(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ManifestFormatError, match="truncated"):
        ItemSet.from_file(path)
    with pytest.raises(ManifestFormatError, match="truncated"):
        sum(1 for _ in ItemSet.from_jsonl_lazy(path))
    json_gz = tmp_path / "x.json.gz"
    make(2000).to_file(json_gz)
    json_gz.write_bytes(json_gz.read_bytes()[:-20])
    with pytest.raises(ManifestFormatError, match="truncated"):
        ItemSet.from_file(json_gz)


def test_missing_field_and_duplicate_name_file_line(tmp_path):
    path = write_lines(tmp_path / "x.jsonl", ['{"id": "a"}', '{"value": 3}'])
    with pytest.raises(ManifestFieldError, match=r"x.jsonl:2: missing 'id'"):
        ItemSet.from_file(path)
    path = write_lines(tmp_path / "d.jsonl", ['{"id": "a"}', '{"id": "b"}', '{"id": "a"}'])
    with pytest.raises(DuplicateIdError, match=r"d.jsonl:3: duplicate id 'a'"):
        ItemSet.from_file(path)
    path = write_lines(tmp_path / "t.jsonl", ['{"id": "a", "colour": "red"}'])
    with pytest.raises(ManifestFieldError, match=r"t.jsonl:1"):
        ItemSet.from_file(path)


def test_json_and_yaml_bad_input(tmp_path):
    (tmp_path / "x.json").write_text('[{"id": "a"}, ')
    with pytest.raises(ManifestFormatError, match="malformed JSON"):
        ItemSet.from_file(tmp_path / "x.json")
    (tmp_path / "y.json").write_text('{"id": "a"}')
    with pytest.raises(ManifestFormatError, match="list"):
        ItemSet.from_file(tmp_path / "y.json")
    (tmp_path / "z.yaml").write_text("- id: a\n- : [\n")
    with pytest.raises(ManifestFormatError, match="YAML"):
        ItemSet.from_file(tmp_path / "z.yaml")
    (tmp_path / "w.json").write_text('[{"id": "a"}, {"value": 1}]')
    with pytest.raises(ManifestFieldError, match=r"w.json\[item 1\]"):
        ItemSet.from_file(tmp_path / "w.json")


def test_yaml_is_loaded_safely(tmp_path):
    (tmp_path / "evil.yaml").write_text("- !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ManifestFormatError):
        ItemSet.from_file(tmp_path / "evil.yaml")


def test_errors_belong_to_one_tree():
    for cls in (ManifestFormatError, ManifestFieldError, UnknownFormatError, DuplicateIdError):
        assert issubclass(cls, LhotseLiteError) and issubclass(cls, ValueError)


@pytest.mark.parametrize("ext", [".jsonl", ".jsonl.gz", ".json", ".yaml"])
def test_interrupted_write_leaves_previous_file(tmp_path, ext):
    path = tmp_path / f"x{ext}"
    make(3).to_file(path)
    before = path.read_bytes()

    def broken():
        yield Item("a", 1)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ItemSet._lazy(type("Src", (), {"__iter__": lambda self: broken()})()).to_file(path)
    assert path.read_bytes() == before
    assert [name for name in os.listdir(tmp_path) if not is_index_file(name)] == [path.name]  # no temporary file


def test_load_manifest_detects_supervisions(tmp_path):
    path = write_lines(tmp_path / "s.jsonl.gz", SUP_LINES)
    eager = load_manifest(path)
    lazy = load_manifest_lazy(path)
    assert isinstance(eager, SupervisionSet) and isinstance(lazy, SupervisionSet)
    assert not eager.is_lazy and lazy.is_lazy and list(lazy) == list(eager)


def test_load_manifest_unknown_or_empty(tmp_path):
    path = write_lines(tmp_path / "u.jsonl", ['{"name": "x"}'])
    with pytest.raises(ManifestFormatError, match="cannot tell the manifest type"):
        load_manifest(path)
    (tmp_path / "e.jsonl").write_text("")
    with pytest.raises(ManifestFormatError, match="empty"):
        load_manifest(tmp_path / "e.jsonl")
    make(1).to_file(tmp_path / "j.json")
    with pytest.raises(UnknownFormatError, match="lazily"):
        load_manifest_lazy(tmp_path / "j.json")


def test_detection_table_imports_lazily():
    import subprocess

    code = (
        "import sys, lhotse_lite.manifest; "
        "assert 'lhotse_lite.supervision' not in sys.modules; assert 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_jsonl_lines_are_compact_json_with_lhotse_key_order(tmp_path):
    line = formats.dumps_line({"id": "a", "start": 1e-07, "x": 0.1 + 0.2, "t": "é"})
    import json

    assert json.loads(line) == {"id": "a", "start": 1e-07, "x": 0.30000000000000004, "t": "é"}
    assert list(json.loads(line)) == ["id", "start", "x", "t"]
    # values orjson refuses fall back to the standard library
    assert json.loads(formats.dumps_line({"k": {1: 2}})) == {"k": {"1": 2}}


def test_gzip_reading_in_bounded_steps_reads_everything(tmp_path):
    # Highly compressible data (many decompression steps per compressed chunk) in two gzip members.
    lines = [b'{"id": "i%d", "pad": "%s"}' % (k, b"a" * 300) for k in range(20_000)]
    first, second = b"\n".join(lines[:15_000]) + b"\n", b"\n".join(lines[15_000:]) + b"\n"
    path = tmp_path / "big.jsonl.gz"
    path.write_bytes(gzip.compress(first) + gzip.compress(second))
    got = [d["id"] for _, d in formats.iter_jsonl_dicts(path)]
    assert got == [f"i{k}" for k in range(20_000)]
    path.write_bytes(gzip.compress(first)[:-4])  # trailer cut off
    with pytest.raises(ManifestFormatError, match="truncated"):
        sum(1 for _ in formats.iter_jsonl_dicts(path))


@pytest.mark.parametrize("ext", [".jsonl", ".jsonl.gz"])
def test_errors_name_their_line_in_a_file_of_many_read_batches(tmp_path, ext):
    # 1 MB of text: the loader reads it in several batches; each error still names its own line
    good = [
        f'{{"id": "s{i}", "recording_id": "r", "start": {i}, "duration": 1.0, "channel": 0, "text": "{"w " * 80}"}}'
        for i in range(5_000)
    ]
    with_blanks = [line if i % 997 else "" for i, line in enumerate(good)]  # blank lines are not items
    assert len(SupervisionSet.from_file(write_lines(tmp_path / f"ok{ext}", with_blanks))) == 5_000 - 6
    cases = [
        (4_500, good[2], DuplicateIdError, "duplicate id 's2'"),  # the earlier item is in another batch
        (4_000, good[3_999].replace('"duration": 1.0', '"duration": "x"'), ManifestFieldError, "duration"),
        (3_500, "[1, 2]", ManifestFormatError, "expected one JSON object"),
        (3_000, '{"id": "s3000", "recording_id": ', ManifestFormatError, "malformed JSON"),
    ]
    for lineno, line, error, message in cases:
        lines = list(with_blanks)
        lines[lineno - 1] = line
        path = write_lines(tmp_path / f"bad{ext}", lines)
        with pytest.raises(error, match=rf"bad{ext}:{lineno}: .*{message}"):
            SupervisionSet.from_file(path)
