"""Kaldi data directories from elsewhere: commands run only when needed and allowed; exports read back."""

import logging

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import AudioSource, Recording, set_command_sources_allowed
from lhotse_lite.errors import CommandSourceRefusedError, LhotseLiteError, ManifestFieldError, ManifestNotFoundError
from lhotse_lite.kaldi_data_dir import export_to_kaldi_data_dir, import_kaldi_data_dir
from lhotse_lite.supervision import SupervisionSegment


@pytest.fixture(autouse=True)
def _reset():
    yield
    set_command_sources_allowed(None)


@pytest.fixture
def piped(tmp_path):
    wav = tmp_path / "a.wav"
    sf.write(wav, np.zeros(16000, np.float32), 16000)
    marker = tmp_path / "ran"
    data = tmp_path / "data"
    data.mkdir()
    (data / "wav.scp").write_text(f"r1 touch {marker} && cat {wav} |\n")
    return data, marker


def test_durations_from_reco2dur_or_utt2dur_run_nothing(piped):
    data, marker = piped
    (data / "utt2dur").write_text("r1 1.0\n")
    recordings, _ = import_kaldi_data_dir(data, sampling_rate=16000, allow_commands=False)
    assert recordings["r1"].num_samples == 16000 and recordings["r1"].sources[0].type == "command"
    (data / "reco2dur").write_text("r1 0.5\n")  # reco2dur wins over utt2dur
    recordings, _ = import_kaldi_data_dir(data, sampling_rate=16000, allow_commands=False)
    assert recordings["r1"].duration == 0.5 and not marker.exists()


def test_utt2dur_of_segments_is_not_a_recording_duration(piped):
    data, marker = piped
    (data / "utt2dur").write_text("u1 0.4\n")
    (data / "segments").write_text("u1 r1 0.1 0.5\n")
    with pytest.raises(CommandSourceRefusedError, match=r"'r1'.*its duration.*allow_commands=False"):
        import_kaldi_data_dir(data, sampling_rate=16000, allow_commands=False)
    assert not marker.exists()


def test_a_missing_sampling_rate_needs_the_command(piped):
    data, marker = piped
    (data / "reco2dur").write_text("r1 1.0\n")
    with pytest.raises(CommandSourceRefusedError, match="its sampling rate"):
        import_kaldi_data_dir(data, allow_commands=False)
    recordings, _ = import_kaldi_data_dir(data)  # allowed (Lhotse's behaviour): the header is read
    assert recordings["r1"].sampling_rate == 16000 and marker.exists()


def test_the_global_guard_refuses_even_when_allowed_here(piped):
    data, marker = piped
    set_command_sources_allowed(False)
    with pytest.raises(CommandSourceRefusedError, match="recording 'r1'"):
        import_kaldi_data_dir(data, sampling_rate=16000, allow_commands=True)
    assert not marker.exists()


def test_not_a_data_directory_is_an_error_of_our_tree(tmp_path):
    with pytest.raises(ManifestNotFoundError, match=r"no wav\.scp") as caught:
        import_kaldi_data_dir(tmp_path)
    assert isinstance(caught.value, FileNotFoundError) and isinstance(caught.value, LhotseLiteError)


def _recording(rid="a"):
    return Recording(rid, [AudioSource("file", [0], f"/corpus/{rid}.wav")], 16000, 16000, 1.0)


@pytest.mark.parametrize(
    "recording,segment,match",
    [
        (_recording("rec 1"), None, "recording 'rec 1': the id 'rec 1'"),
        (_recording(), SupervisionSegment("u\t1", "a", 0, 1), "the id 'u\\\\t1'"),
        (_recording(), SupervisionSegment("u1", "a", 0, 1, speaker="Jane Doe"), "the speaker 'Jane Doe'"),
        (_recording(), SupervisionSegment("u1", "a", 0, 1, speaker=""), "the speaker ''"),
        (
            _recording(),
            SupervisionSegment("u1", "a", 0, 1, language="en\n"),
            "the language 'en\\\\n' holds a line break",
        ),
        (Recording("a", [AudioSource("file", [0], "/x\ny.wav")], 16000, 16000, 1.0), None, "wav.scp entry"),
    ],
)
def test_export_refuses_what_cannot_be_read_back(tmp_path, recording, segment, match):
    with pytest.raises(ManifestFieldError, match=match):
        export_to_kaldi_data_dir([recording], [segment] if segment else [], tmp_path / "d")
    assert not (tmp_path / "d").exists()  # nothing half-written


def test_export_flattens_line_breaks_in_texts_and_reads_back(tmp_path, caplog):
    segments = [
        SupervisionSegment("u1", "a", 0, 0.5, text="one\ntwo\r\nthree\tfour\u2028five"),
        SupervisionSegment("u2", "a", 0.5, 0.5, text="plain  text"),
    ]
    with caplog.at_level(logging.WARNING):
        out = export_to_kaldi_data_dir([_recording()], segments, tmp_path / "d")
    assert "1 text(s) held line breaks or tabs" in caplog.text and "'u1'" in caplog.text
    assert (out / "text").read_text() == "u1 one two  three four five\nu2 plain  text\n"
    _, back = import_kaldi_data_dir(out, sampling_rate=16000)
    assert [s.text for s in back] == ["one two  three four five", "plain  text"]
