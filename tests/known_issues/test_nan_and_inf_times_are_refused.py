"""NaN and infinite times are refused when an item is built and by every reader, naming the item or file:line.

They used to be accepted everywhere (``SupervisionSegment(start=nan)``, an RTTM ``nan`` field, a Kaldi
``segments`` end of ``1e309``, which parses to infinity) and then written as ``null``, which no reader takes back.
"""

import math

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.audio import AudioSource, Recording
from lhotse_lite.cli import cli
from lhotse_lite.errors import ManifestFieldError, ManifestFormatError
from lhotse_lite.features.manifest import Features
from lhotse_lite.kaldi_data_dir import import_kaldi_data_dir
from lhotse_lite.manifest import load_manifest, load_manifest_lazy
from lhotse_lite.supervision import AlignmentItem, SupervisionSegment
from lhotse_lite.supervision.ctm import read_ctm
from lhotse_lite.supervision.rttm import read_rttm

NON_FINITE = [float("nan"), float("inf"), float("-inf")]


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("field", ["start", "duration"])
def test_supervision_segment(field, value):
    kwargs = {"start": 0.0, "duration": 1.0, field: value}
    with pytest.raises(ManifestFieldError, match=rf"supervision 'utt1': field '{field}' must be a finite number"):
        SupervisionSegment("utt1", "rec1", **kwargs)
    data = {"id": "utt1", "recording_id": "rec1", "start": 0.0, "duration": 1.0, field: value}
    with pytest.raises(ManifestFieldError, match=rf"'utt1'.*'{field}'"):
        SupervisionSegment.from_dict(data)


@pytest.mark.parametrize("value", NON_FINITE)
def test_alignment_item_recording_and_features(value):
    with pytest.raises(ManifestFieldError, match=r"alignment item 'hello'.*finite"):
        AlignmentItem("hello", value, 0.5)
    with pytest.raises(ManifestFieldError, match=r"alignment item 'hello'.*finite"):
        AlignmentItem.deserialize(["hello", 0.0, 0.5, value])
    with pytest.raises(ManifestFieldError, match=r"recording 'rec1'.*duration"):
        Recording("rec1", [AudioSource("file", [0], "a.wav")], 16000, 16000, value)
    for field in ("start", "duration", "frame_shift"):
        fields = dict(
            type="kaldi-fbank",
            num_frames=100,
            num_features=80,
            frame_shift=0.01,
            sampling_rate=16000,
            start=0.0,
            duration=1.0,
            storage_type="numpy_files",
            storage_path="feats",
            storage_key="k1",
            recording_id="rec1",
            channels=0,
        )
        fields[field] = value
        with pytest.raises(ManifestFieldError, match=rf"recording 'rec1'.*'{field}' must be a finite number"):
            Features(**fields)


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "1e309"])
def test_rttm_and_ctm_readers(tmp_path, text):
    rttm = tmp_path / "a.rttm"
    rttm.write_text(
        f"SPEAKER rec1 1 0.0 1.0 <NA> <NA> spk <NA> <NA>\nSPEAKER rec1 1 0.0 {text} <NA> <NA> spk <NA> <NA>\n"
    )
    with pytest.raises(ManifestFormatError, match=r"a\.rttm:2: .*finite"):
        list(read_rttm(rttm))
    ctm = tmp_path / "a.ctm"
    ctm.write_text(f"rec1 1 0.10 0.40 hello\nrec1 1 {text} 0.40 world\n")
    with pytest.raises(ManifestFormatError, match=r"a\.ctm:2: .*finite"):
        list(read_ctm(ctm))
    ctm.write_text(f"rec1 1 0.10 0.40 hello {text}\n")
    with pytest.raises(ManifestFormatError, match=r"a\.ctm:1: .*finite"):
        list(read_ctm(ctm))


@pytest.fixture
def kaldi_dir(tmp_path):
    wav = tmp_path / "a.wav"
    sf.write(wav, np.zeros(16000, np.float32), 16000)
    data = tmp_path / "data"
    data.mkdir()
    (data / "wav.scp").write_text(f"rec1 {wav}\n")
    return data


@pytest.mark.parametrize("text", ["nan", "inf", "1e309"])
def test_kaldi_segments_reco2dur_utt2dur(kaldi_dir, text):
    (kaldi_dir / "segments").write_text(f"utt1 rec1 0.0 0.5\nutt2 rec1 0.5 {text}\n")
    with pytest.raises(ManifestFormatError, match=r"segments:2: end must be a finite number of seconds"):
        import_kaldi_data_dir(kaldi_dir, sampling_rate=16000)
    (kaldi_dir / "segments").unlink()
    (kaldi_dir / "reco2dur").write_text(f"rec1 {text}\n")
    with pytest.raises(ManifestFormatError, match=r"reco2dur:1: the duration of 'rec1' must be a finite number"):
        import_kaldi_data_dir(kaldi_dir, sampling_rate=16000)
    (kaldi_dir / "reco2dur").unlink()
    (kaldi_dir / "utt2dur").write_text(f"rec1 {text}\n")
    with pytest.raises(ManifestFormatError, match=r"utt2dur:1: the duration of 'rec1' must be a finite number"):
        import_kaldi_data_dir(kaldi_dir, sampling_rate=16000)


@pytest.mark.parametrize(
    "name,content",
    [
        (
            "sups.jsonl",
            '{"id": "a", "recording_id": "r", "start": 0, "duration": 1}\n'
            '{"id": "b", "recording_id": "r", "start": 0, "duration": 1e309}\n',
        ),
        (
            "sups.jsonl",
            '{"id": "a", "recording_id": "r", "start": 0, "duration": 1}\n'
            '{"id": "b", "recording_id": "r", "start": 0, "duration": NaN}\n',
        ),
        (
            "sups.yaml",
            "- {id: a, recording_id: r, start: 0, duration: 1}\n- {id: b, recording_id: r, start: .nan, duration: 1}\n",
        ),
        ("sups.json", '[{"id": "b", "recording_id": "r", "start": 0, "duration": Infinity}]'),
    ],
)
def test_manifest_readers(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises((ManifestFormatError, ManifestFieldError), match=rf"{name}(:2|\[item 1\]|:1)"):
        load_manifest(path)
    if name.endswith(".jsonl"):
        with pytest.raises((ManifestFormatError, ManifestFieldError), match=rf"{name}:2"):
            list(load_manifest_lazy(path))


def test_cli_prints_one_error_line(tmp_path):
    rttm = tmp_path / "a.rttm"
    rttm.write_text("SPEAKER rec1 1 0.0 nan <NA> <NA> spk <NA> <NA>\n")
    result = CliRunner().invoke(cli, ["rttm", "import", str(rttm), str(tmp_path / "sups.jsonl")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "a.rttm:1" in errors[0] and "finite" in errors[0]
    assert not (tmp_path / "sups.jsonl").exists()


def test_finite_values_still_pass():
    seg = SupervisionSegment("utt1", "rec1", start=-0.5, duration=0.0)  # a negative start is a valid offset
    assert seg.start == -0.5 and math.isfinite(seg.end)
    assert AlignmentItem("a", 10**6, 0).start == 10**6
