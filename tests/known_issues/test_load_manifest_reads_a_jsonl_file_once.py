"""``load_manifest`` of a JSONL(.gz) file reads and parses it once: the first item names the type of the rest
(a manifest of one 64 MB line is not read twice)."""

from pathlib import Path

import pytest

from lhotse_lite.errors import ManifestFieldError
from lhotse_lite.manifest import lines
from lhotse_lite.serialization import load_manifest
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


@pytest.mark.parametrize("name", ["sups.jsonl", "sups.jsonl.gz"])
def test_load_manifest_reads_a_jsonl_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    path = tmp_path / name
    sups = SupervisionSet([SupervisionSegment(f"s{i}", "r", float(i), 1.0, text="x" * 1000) for i in range(300)])
    sups.to_file(path)
    opened = []
    file_blocks = lines._file_blocks
    monkeypatch.setattr(lines, "_file_blocks", lambda p, *a, **k: opened.append(p) or file_blocks(p, *a, **k))
    loaded = load_manifest(path)
    assert opened == [path]
    assert type(loaded) is SupervisionSet and list(loaded) == list(sups)


def test_an_invalid_item_still_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "sups.jsonl"
    path.write_text(
        '{"id": "a", "recording_id": "r", "start": 0, "duration": 1}\n\n'
        '{"id": "b", "recording_id": "r", "start": 0, "duration": -1}\n'
    )
    with pytest.raises(ManifestFieldError, match=r"sups\.jsonl:3: "):
        load_manifest(path)
