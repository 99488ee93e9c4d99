"""Bytes that are not UTF-8 in RTTM, CTM, Kaldi ``text``/``segments`` and manifests are our error naming the file,
the line and the encoding expected; the CLI prints one ``Error:`` line.

They used to end in a raw ``UnicodeDecodeError`` (a traceback from the CLI) naming neither the file nor the line.
"""

import gzip

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.errors import ManifestFormatError
from lhotse_lite.kaldi_data_dir import import_kaldi_data_dir, read_kaldi_table
from lhotse_lite.manifest import load_manifest
from lhotse_lite.supervision.ctm import read_ctm
from lhotse_lite.supervision.rttm import read_rttm

LATIN1 = "café".encode("latin-1")


def _one_error_line(result):
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    # a progress bar may share the line (its carriage return and cursor codes end before "Error:")
    errors = [line[line.index("Error:") :] for line in result.output.splitlines() if "Error:" in line]
    assert len(errors) == 1, result.output
    return errors[0]


def test_rttm_and_ctm(tmp_path):
    rttm = tmp_path / "a.rttm"
    rttm.write_bytes(
        b"SPEAKER rec1 1 0.0 1.0 <NA> <NA> spk <NA> <NA>\n\nSPEAKER rec1 1 1.0 1.0 <NA> <NA> "
        + LATIN1
        + b" <NA> <NA>\n"
    )
    with pytest.raises(ManifestFormatError, match=r"a\.rttm:3: byte 0xe9 at column \d+ is not UTF-8; RTTM files"):
        list(read_rttm(rttm))
    line = _one_error_line(CliRunner().invoke(cli, ["rttm", "import", str(rttm), str(tmp_path / "s.jsonl")]))
    assert "a.rttm:3" in line and "UTF-8" in line
    ctm = tmp_path / "a.ctm"
    ctm.write_bytes(b"rec1 1 0.10 0.40 " + LATIN1 + b"\n")
    with pytest.raises(ManifestFormatError, match=r"a\.ctm:1: byte 0xe9 .* not UTF-8; CTM files"):
        list(read_ctm(ctm))


def test_kaldi_text_and_segments(tmp_path):
    wav = tmp_path / "a.wav"
    sf.write(wav, np.zeros(16000, np.float32), 16000)
    data = tmp_path / "data"
    data.mkdir()
    (data / "wav.scp").write_text(f"rec1 {wav}\n")
    (data / "segments").write_bytes(b"utt1 rec1 0.0 0.5\n")
    (data / "text").write_bytes(b"utt1 " + LATIN1 + b"\n")
    with pytest.raises(ManifestFormatError, match=r"text:1: byte 0xe9 .* not UTF-8; Kaldi table files"):
        import_kaldi_data_dir(data, sampling_rate=16000)
    line = _one_error_line(
        CliRunner().invoke(cli, ["kaldi", "import", str(data), str(tmp_path / "out"), "--sampling-rate", "16000"])
    )
    assert "text:1" in line and "UTF-8" in line
    (data / "text").unlink()
    (data / "segments").write_bytes(b"utt1 rec1 0.0 0.5\n" + LATIN1 + b" rec1 0.5 1.0\n")
    with pytest.raises(ManifestFormatError, match=r"segments:2: byte 0xe9 .* not UTF-8"):
        import_kaldi_data_dir(data, sampling_rate=16000)
    (data / "utt2spk").write_bytes(b"utt1 " + LATIN1 + b"\n")
    with pytest.raises(ManifestFormatError, match=r"utt2spk:1: byte 0xe9"):
        read_kaldi_table(data / "utt2spk")


@pytest.mark.parametrize("name", ["sups.jsonl", "sups.jsonl.gz", "sups.json", "sups.yaml"])
def test_manifests(tmp_path, name):
    good = '{"id": "s1", "recording_id": "r", "start": 0, "duration": 1}'
    rest = b'", "recording_id": "r", "start": 0, "duration": 1}'
    if name.endswith(".json"):
        content = b"[" + good.encode() + b',\n{"id": "' + LATIN1 + rest + b"]"
    elif name.endswith(".yaml"):
        content = b"- " + good.encode() + b"\n- {id: " + LATIN1 + b", recording_id: r, start: 0, duration: 1}\n"
    else:
        content = good.encode() + b'\n{"id": "' + LATIN1 + b'", "recording_id": "r", "start": 0, "duration": 1}\n'
    path = tmp_path / name
    path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    with pytest.raises(ManifestFormatError, match=rf"{name}:2: .*UTF-8"):
        load_manifest(path)
    line = _one_error_line(CliRunner().invoke(cli, ["manifest", "describe", str(path)]))
    assert f"{name}:2" in line and "UTF-8" in line
