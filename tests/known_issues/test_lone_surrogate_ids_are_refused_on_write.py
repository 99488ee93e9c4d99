"""An id (or any text) holding a lone surrogate is refused on write with our error naming the item and the field.

``os.fsdecode`` turns a file name that is not UTF-8 into such a string; writing it used to end in a raw
``UnicodeEncodeError`` naming neither.
"""

import os

import pytest
from click.testing import CliRunner

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.cli import cli
from lhotse_lite.errors import ManifestFieldError
from lhotse_lite.kaldi_data_dir import export_to_kaldi_data_dir
from lhotse_lite.supervision import AlignmentItem, SupervisionSegment, SupervisionSet
from lhotse_lite.supervision.rttm import write_rttm

BAD = os.fsdecode(b"utt\xff")  # 'utt\udcff'


@pytest.mark.parametrize("ext", ["jsonl", "jsonl.gz", "json", "yaml"])
def test_manifest_formats(tmp_path, ext):
    with pytest.raises(ManifestFieldError, match=r"cannot write item 'utt\\udcff': field 'id' is .*lone surrogate"):
        SupervisionSet([SupervisionSegment(BAD, "rec1", 0.0, 1.0)]).to_file(tmp_path / f"s.{ext}")
    with pytest.raises(ManifestFieldError, match=r"item 'utt1': field 'text' is .*lone surrogate"):
        SupervisionSet([SupervisionSegment("utt1", "rec1", 0.0, 1.0, text=BAD)]).to_file(tmp_path / f"s.{ext}")
    assert list(tmp_path.iterdir()) == []


def test_rttm_ctm_and_kaldi(tmp_path):
    seg = SupervisionSegment("utt1", "rec1", 0.0, 1.0, speaker=BAD, alignment={"word": [AlignmentItem(BAD, 0.0, 0.5)]})
    with pytest.raises(ManifestFieldError, match=r"supervision 'utt1': field 'speaker' is .*lone surrogate"):
        write_rttm([seg], tmp_path / "a.rttm")
    with pytest.raises(ManifestFieldError, match=r"supervision 'utt1': field 'alignment.word\[0\]\[0\]'"):
        SupervisionSet([seg]).write_alignment_to_ctm(tmp_path / "a.ctm")
    recs = RecordingSet([Recording("rec1", [AudioSource("file", [0], "a.wav")], 16000, 16000, 1.0)])
    sups = SupervisionSet([SupervisionSegment("utt1", "rec1", 0.0, 1.0, text=BAD, speaker="spk")])
    with pytest.raises(ManifestFieldError, match=r"entry 'utt1'.*lone surrogate"):
        export_to_kaldi_data_dir(recs, sups, tmp_path / "kaldi")
    assert not (tmp_path / "a.rttm").exists() and not (tmp_path / "a.ctm").exists()


@pytest.mark.parametrize(
    "name,content",
    [
        ("sups.jsonl", '{"id": "utt\\udcff", "recording_id": "rec1", "start": 0.0, "duration": 1.0}\n'),
        ("sups.yaml", '- {id: "utt\\udcff", recording_id: rec1, start: 0.0, duration: 1.0}\n'),
    ],
)
def test_readers_refuse_an_escaped_lone_surrogate(tmp_path, name, content):
    # the way back in is closed too: a JSON or YAML escape cannot spell one
    (tmp_path / name).write_text(content)
    result = CliRunner().invoke(
        cli, ["manifest", "filter", str(tmp_path / name), str(tmp_path / "out.jsonl"), "--where", "duration>0"]
    )
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and f"{name}:1" in errors[0]
