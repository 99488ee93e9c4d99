"""``lite kaldi export`` of a corpus under a folder such as ``My Corpus (v2)/`` writes ``wav.scp`` pipes a
shell runs as written: the paths in ``sox`` pipes are shell-quoted.

Unquoted, ``sox /data/My Corpus (v2)/a.flac -t wav -b 16 - |`` is a shell syntax error (the
parenthesis) and would read the wrong files anyway (the spaces). Every pipe of the exported ``wav.scp``
is run here the way Kaldi runs it (``popen`` of the command through ``/bin/sh``), with ``sox`` when it
is installed and otherwise with a stand-in that takes sox's arguments; Kaldi's
``utils/validate_data_dir.sh`` checks the directory when ``$KALDI_ROOT`` names a Kaldi checkout.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.cli import cli
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

RATE = 16000
# A stand-in for ``sox <file> -t wav -b 16 - [remix <n>]`` where sox is not installed: it fails on any
# other arguments, so a path split by the shell fails as it would with sox.
SOX_STAND_IN = """#!{python}
import io, sys
import soundfile as sf
args = sys.argv[1:]
if len(args) not in (6, 8) or args[1:6] != ["-t", "wav", "-b", "16", "-"]:
    sys.exit("sox stand-in: unexpected arguments %r" % (args,))
data, rate = sf.read(args[0], always_2d=True)
if len(args) == 8:
    data = data[:, [int(args[7]) - 1]]
buffer = io.BytesIO()
sf.write(buffer, data, rate, format="WAV", subtype="PCM_16")
sys.stdout.buffer.write(buffer.getvalue())
"""


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "My Corpus (v2)"
    folder.mkdir()
    rng = np.random.default_rng(0)
    audio = {
        "spk1-a": rng.uniform(-0.5, 0.5, RATE),
        "spk1-b": rng.uniform(-0.5, 0.5, (RATE, 2)),
        "spk2-c": rng.uniform(-0.5, 0.5, RATE // 2),
    }
    paths = {"spk1-a": folder / "a.flac", "spk1-b": folder / "b's take.flac", "spk2-c": folder / "c d.wav"}
    for rid, samples in audio.items():
        sf.write(paths[rid], samples, RATE, subtype="PCM_16")
    recordings = RecordingSet(Recording.from_file(path, recording_id=rid) for rid, path in paths.items())
    supervisions = SupervisionSet(
        SupervisionSegment(
            id=f"{rid}-1",
            recording_id=rid,
            start=0.0,
            duration=0.5,
            text="HELLO",
            speaker=rid.split("-")[0],
            channel=[0, 1] if rid == "spk1-b" else 0,
        )
        for rid in paths
    )
    recordings.to_file(tmp_path / "recordings.jsonl.gz")
    supervisions.to_file(tmp_path / "supervisions.jsonl.gz")
    return tmp_path, audio


def _export(tmp_path: Path) -> Path:
    result = CliRunner().invoke(
        cli,
        [
            "kaldi",
            "export",
            str(tmp_path / "recordings.jsonl.gz"),
            str(tmp_path / "supervisions.jsonl.gz"),
            str(tmp_path / "data"),
        ],
    )
    assert result.exit_code == 0, result.output
    return tmp_path / "data"


def _sox_on_path(tmp_path: Path, monkeypatch) -> None:
    if shutil.which("sox") is None:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / "sox").write_text(SOX_STAND_IN.format(python=sys.executable))
        (bin_dir / "sox").chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_every_wav_scp_pipe_runs_and_gives_the_audio(corpus, monkeypatch):
    tmp_path, audio = corpus
    _sox_on_path(tmp_path, monkeypatch)
    data = _export(tmp_path)
    entries = dict(line.split(" ", 1) for line in (data / "wav.scp").read_text().splitlines())
    assert set(entries) == {"spk1-a", "spk1-b_0", "spk1-b_1", "spk2-c"}
    assert sum(value.endswith("|") for value in entries.values()) == 3
    for kaldi_id, value in entries.items():
        if value.endswith("|"):
            # Kaldi's rxfilename "<command> |": popen(command), i.e. /bin/sh -c
            result = subprocess.run(["/bin/sh", "-c", value[:-1]], capture_output=True, check=False)
            assert result.returncode == 0, (value, result.stderr.decode(errors="replace"))
            samples, rate = sf.read(io.BytesIO(result.stdout), always_2d=True)
        else:
            samples, rate = sf.read(value, always_2d=True)
        rid, channel = (kaldi_id.rsplit("_", 1)[0], int(kaldi_id[-1])) if "_" in kaldi_id else (kaldi_id, 0)
        expected = audio[rid] if audio[rid].ndim == 1 else audio[rid][:, channel]
        assert rate == RATE and samples.shape[1] == 1
        np.testing.assert_allclose(samples[:, 0], expected, atol=1 / 32768)


def test_kaldi_reads_the_pipes_with_its_own_io(corpus, monkeypatch):
    kaldi_native_io = pytest.importorskip("kaldi_native_io", reason="Kaldi's I/O code, a test dependency")
    tmp_path, audio = corpus
    _sox_on_path(tmp_path, monkeypatch)
    data = _export(tmp_path)
    for line in (data / "wav.scp").read_text().splitlines():
        kaldi_id, value = line.split(" ", 1)
        wave = kaldi_native_io.read_wave(value)
        assert wave.sample_freq == RATE
        assert wave.data.shape == (1, len(audio[kaldi_id.split("_")[0]]))


@pytest.mark.skipif(not os.environ.get("KALDI_ROOT"), reason="Kaldi's scripts: set KALDI_ROOT to a Kaldi checkout")
def test_kaldi_validate_data_dir_accepts_the_export(corpus):
    tmp_path, _ = corpus
    data = _export(tmp_path)
    recipe = Path(os.environ["KALDI_ROOT"]) / "egs" / "wsj" / "s5"
    result = subprocess.run(
        ["utils/validate_data_dir.sh", "--no-feats", str(data)], cwd=recipe, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "Successfully validated" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["-dash.flac", " lead.wav", "~tilde.wav", "it's (1).flac"])
def test_file_names_kaldi_or_sox_would_misread(name, tmp_path, monkeypatch):
    from lhotse_lite.audio import AudioSource
    from lhotse_lite.kaldi_data_dir import wav_scp_entries

    _sox_on_path(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    samples = np.random.default_rng(1).uniform(-0.5, 0.5, 800)
    sf.write(name, samples, RATE, subtype="PCM_16", format="WAV" if name.endswith(".wav") else "FLAC")
    value = wav_scp_entries(AudioSource(type="file", channels=[0], source=name))[0]
    assert value.endswith("|") and not value.startswith("~")  # Kaldi trims, validate_data_dir.sh refuses '~'
    result = subprocess.run(["/bin/sh", "-c", value[:-1]], capture_output=True, check=False)
    assert result.returncode == 0, (value, result.stderr.decode(errors="replace"))
    np.testing.assert_allclose(sf.read(io.BytesIO(result.stdout))[0], samples, atol=1 / 32768)
