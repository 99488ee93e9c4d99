"""Fuzz: whatever a Kaldi table holds (text, segments, wav.scp, utt2spk, reco2dur), reading it gives a result or
our error, nothing else."""

import contextlib
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings, strategies as st

from lhotse_lite.errors import LhotseLiteError
from lhotse_lite.kaldi_data_dir import import_kaldi_data_dir, read_kaldi_table

SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
TOKENS = [
    b"rec1",
    b"utt1",
    b"utt2",
    b"spk",
    b"0",
    b"-1",
    b"0.5",
    b"1.0",
    b"1e309",
    b"nan",
    b"inf",
    b"\xff",
    b"caf\xe9",
    b"|",
    b"\t",
    b"9" * 400,
    b"1e-400",
    b"\x00",
]
token = st.sampled_from(TOKENS) | st.binary(max_size=5)
line = st.lists(token, max_size=5).map(b" ".join) | st.binary(max_size=20)
content = st.lists(line, max_size=5).map(b"\n".join)


@pytest.fixture(scope="module")
def wav(tmp_path_factory):
    path = tmp_path_factory.mktemp("audio") / "a.wav"
    sf.write(path, np.zeros(16000, np.float32), 16000)
    return path


@SETTINGS
@given(data=content)
def test_read_kaldi_table(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "utt2spk"
        path.write_bytes(data)
        for allow_empty in (False, True):
            with contextlib.suppress(LhotseLiteError):
                read_kaldi_table(path, allow_empty=allow_empty)


@SETTINGS
@given(name=st.sampled_from(["text", "segments", "utt2spk", "reco2dur", "utt2dur", "wav.scp"]), data=content)
def test_import_with_one_fuzzed_file(wav, name, data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        (folder / "wav.scp").write_text(f"rec1 {wav}\n")
        (folder / "reco2dur").write_text("rec1 1.0\n")
        (folder / "segments").write_text("utt1 rec1 0.0 0.5\n")
        (folder / name).write_bytes(data)
        with contextlib.suppress(LhotseLiteError):
            import_kaldi_data_dir(folder, sampling_rate=16000, allow_commands=False)
        shutil.rmtree(folder)
