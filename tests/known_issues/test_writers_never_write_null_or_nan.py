"""No writer writes ``null``, ``NaN`` or ``Infinity`` for a number: a non-finite value is refused, naming the item
and the field, and nothing is written.

``orjson`` used to write a NaN assigned to a segment as ``null`` (and ``.json`` output as ``NaN``), giving
files that no reader takes back.
"""

import json

import pytest

from lhotse_lite.errors import ManifestFieldError
from lhotse_lite.manifest import open_writer
from lhotse_lite.manifest.formats import dumps_line
from lhotse_lite.serialization import save_to_json, save_to_jsonl, save_to_yaml
from lhotse_lite.supervision import AlignmentItem, SupervisionSegment, SupervisionSet
from lhotse_lite.supervision.rttm import write_rttm


def _segment_with(field, value):
    seg = SupervisionSegment("utt1", "rec1", 0.0, 1.0, speaker="spk")
    setattr(seg, field, value)  # fields are assignable; the check at build time cannot see this
    return seg


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize("ext", ["jsonl", "jsonl.gz", "json", "json.gz", "yaml"])
def test_manifest_formats(tmp_path, ext, value):
    path = tmp_path / f"sups.{ext}"
    with pytest.raises(ManifestFieldError, match=r"cannot write item 'utt1': field 'start' is .*not a finite number"):
        SupervisionSet([_segment_with("start", value)]).to_file(path)
    assert list(tmp_path.iterdir()) == []


def test_custom_values_and_alignment_scores(tmp_path):
    seg = SupervisionSegment("utt1", "rec1", 0.0, 1.0, custom={"snr": [3.0, float("nan")]})
    with pytest.raises(ManifestFieldError, match=r"item 'utt1': field 'custom.snr\[1\]' is nan"):
        dumps_line(seg.to_dict())
    with pytest.raises(ManifestFieldError, match=r"alignment item 'a': .*score=inf"):  # immutable and checked
        AlignmentItem("a", 0.0, 0.5)._replace(score=float("inf"))
    # a real null (a score that is absent) is still written and read back
    seg = SupervisionSegment("utt1", "rec1", 0.0, 1.0, alignment={"word": [AlignmentItem("a", 0.0, 0.5)]})
    assert json.loads(dumps_line(seg.to_dict()))["alignment"]["word"][0][3] is None


def test_writer_and_rttm(tmp_path):
    with (
        pytest.raises(ManifestFieldError, match=r"item 'utt1': field 'duration' is inf"),
        open_writer(tmp_path / "w.jsonl") as writer,
    ):
        writer.write(_segment_with("duration", float("inf")))
    sups = SupervisionSet([_segment_with("duration", float("nan"))])
    with pytest.raises(ManifestFieldError, match=r"supervision 'utt1': field 'duration' is nan"):
        write_rttm(sups, tmp_path / "a.rttm")
    assert not (tmp_path / "a.rttm").exists()


@pytest.mark.parametrize("save,name", [(save_to_json, "x.json"), (save_to_jsonl, "x.jsonl"), (save_to_yaml, "x.yaml")])
def test_plain_data_files(tmp_path, save, name):
    with pytest.raises(ManifestFieldError, match=r"field 'mean\[1\]' is -inf"):
        save([{"mean": [0.0, float("-inf")]}], tmp_path / name)
    assert not (tmp_path / name).exists()
