"""``lite prepare <corpus>`` and ``lite download <corpus>`` end to end (no network: file:// mirrors)."""

import socket
import tarfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.audio import RecordingSet
from lhotse_lite.cli import cli
from lhotse_lite.supervision import SupervisionSet

DEMO = Path(__file__).resolve().parents[2] / "demo_data"
YESNO_NAMES = ("0_0_1_1_0_0_1_1", "0_1_0_1_0_1_0_1", "1_1_1_0_0_0_1_0", "1_1_1_1_1_1_1_1")


def _wav(path: Path, seconds: float, rate: int = 16000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    subtype = "PCM_16" if path.suffix in (".wav", ".flac") else None
    sf.write(path, 0.1 * np.random.default_rng(0).standard_normal(int(seconds * rate)), rate, subtype=subtype)
    return path


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def _load(out: Path, prefix: str, split: str):
    return (
        RecordingSet.from_file(out / f"{prefix}_recordings_{split}.jsonl.gz"),
        SupervisionSet.from_file(out / f"{prefix}_supervisions_{split}.jsonl.gz"),
    )


def test_prepare_librispeech_on_the_demo(tmp_path):
    result = _invoke(
        "prepare",
        "librispeech",
        DEMO / "LibriSpeech",
        tmp_path,
        "-p",
        "dev-clean-demo",
        "--normalize-text",
        "lower",
        "-j",
        2,
    )
    assert result.exit_code == 0, result.output
    assert "dev-clean-demo: 12 recordings (0.013 h), 12 supervisions" in result.stderr
    recordings, supervisions = _load(tmp_path, "librispeech", "dev-clean-demo")
    assert len(recordings) == 12 and supervisions["1002-2002-0001"].text.startswith("the train was late")
    assert not (tmp_path / "librispeech_recordings_test-clean-demo.jsonl.gz").exists()


def test_prepare_speechcommands_takes_the_version_first(tmp_path):
    result = _invoke("prepare", "speechcommands", "2", DEMO / "speech_commands", tmp_path, "-w", "yes", "-w", "no")
    assert result.exit_code == 0, result.output
    assert "test: 32 recordings" in result.stderr
    assert {s.text for s in _load(tmp_path, "speechcommands2", "train")[1]} == {"yes", "no"}
    bad = _invoke("prepare", "speechcommands", "3", DEMO / "speech_commands", tmp_path)
    assert bad.exit_code == 2 and "'3' is not one of '1', '2'" in bad.stderr


def test_prepare_yesno(tmp_path):
    for name in YESNO_NAMES:
        _wav(tmp_path / "waves_yesno" / f"{name}.wav", 0.5, rate=8000)
    result = _invoke("prepare", "yesno", tmp_path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "train: 2 recordings (0.000 h), 2 supervisions",
        "test: 2 recordings (0.000 h), 2 supervisions",
    ]
    assert _load(tmp_path / "out", "yesno", "test")[1][0].text == "NO YES NO YES NO YES NO YES"


def test_prepare_voxconverse(tmp_path):
    for part, name in (("dev", "abjxc"), ("test", "bvyvm"), ("test", "cqfmj")):
        _wav(tmp_path / "vox" / part / f"{name}.wav", 2.0)
        (tmp_path / "rttm" / part).mkdir(parents=True, exist_ok=True)
        (tmp_path / "rttm" / part / f"{name}.rttm").write_text(f"SPEAKER {name} 1 0.5 1.0 <NA> <NA> spk0 <NA> <NA>\n")
    result = _invoke(
        "prepare", "voxconverse", tmp_path / "vox", tmp_path / "out", "--split-test", "--rttm-dir", tmp_path / "rttm"
    )
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["train", "dev", "test"]
    assert [(s.recording_id, s.start, s.speaker) for s in _load(tmp_path / "out", "voxconverse", "dev")[1]] == [
        ("bvyvm", 0.5, "spk0")
    ]


def test_prepare_audio_folder(tmp_path):
    _wav(tmp_path / "mine" / "train" / "alice" / "a.flac", 0.5)
    _wav(tmp_path / "mine" / "dev" / "bob" / "b.wav", 0.25)
    _wav(tmp_path / "mine" / "dev" / "bob" / "c.ogg", 0.25)
    (tmp_path / "text").write_text("train_alice_a HELLO\n")
    result = _invoke(
        "prepare",
        "audio-folder",
        tmp_path / "mine",
        tmp_path / "out",
        "--name",
        "mine",
        "--split-by-folder",
        "--text-file",
        tmp_path / "text",
        "--speaker-from-parent",
        "--language",
        "English",
        "-e",
        ".wav",
        "-e",
        ".flac",
    )
    assert result.exit_code == 0, result.output
    train = _load(tmp_path / "out", "mine", "train")[1][0]
    assert (train.text, train.speaker, train.language) == ("HELLO", "alice", "English")
    assert list(_load(tmp_path / "out", "mine", "dev")[0].ids) == ["dev_bob_b"]  # .ogg not asked for


def test_prepare_errors_are_one_line_on_stderr(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "no yesno *.wav files" in _error_line(_invoke("prepare", "yesno", tmp_path / "empty", tmp_path / "out"))
    line = _error_line(_invoke("prepare", "librispeech", DEMO / "LibriSpeech", tmp_path / "out", "-p", "dev-other"))
    assert "LibriSpeech split 'dev-other' not found" in line
    assert not (tmp_path / "out").exists()


def _tarball(path: Path, folder: Path, arcname: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        tar.add(folder, arcname=arcname)
    return path


def test_download_yesno_then_prepare(tmp_path):
    for name in YESNO_NAMES:
        _wav(tmp_path / "src" / f"{name}.wav", 0.25, rate=8000)
    archive = _tarball(tmp_path / "mirror" / "waves_yesno.tar.gz", tmp_path / "src", "waves_yesno")
    result = _invoke("download", "yesno", tmp_path / "data", "--url", archive.as_uri())
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "data" / "waves_yesno")
    assert _invoke("prepare", "yesno", result.stdout.strip(), tmp_path / "out").exit_code == 0


def test_download_librispeech_from_a_mirror(tmp_path):
    _tarball(
        tmp_path / "mirror" / "31" / "dev-clean-2.tar.gz",
        DEMO / "LibriSpeech" / "dev-clean-demo",
        "LibriSpeech/dev-clean-2",
    )
    result = _invoke(
        "download", "librispeech", tmp_path / "data", "-p", "dev-clean-2", "--base-url", (tmp_path / "mirror").as_uri()
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "data" / "LibriSpeech")
    assert (tmp_path / "data" / "LibriSpeech" / "dev-clean-2" / ".completed").is_file()
    line = _error_line(_invoke("download", "librispeech", tmp_path / "data", "-p", "dev-clena"))
    assert "unknown LibriSpeech split 'dev-clena'" in line


def test_download_speechcommands_from_a_mirror(tmp_path):
    for part in ("speech_commands_v0.01", "speech_commands_test_set_v0.01"):
        _wav(tmp_path / part / "yes" / "0a7c2a8d_nohash_0.wav", 1.0)
        _tarball(tmp_path / "mirror" / f"{part}.tar.gz", tmp_path / part, ".")
    result = _invoke("download", "speechcommands", "1", tmp_path / "data", "--base-url", (tmp_path / "mirror").as_uri())
    assert result.exit_code == 0, result.output
    corpus = Path(result.stdout.strip())
    assert corpus == tmp_path / "data" / "SpeechCommands1"
    assert (corpus / "speech_commands_test_set_v0.01" / "yes" / "0a7c2a8d_nohash_0.wav").is_file()


def test_download_voxconverse_from_a_mirror(tmp_path, monkeypatch):
    import lhotse_lite.recipes.voxconverse as recipe

    wav = _wav(tmp_path / "abjxc.wav", 1.0)
    (tmp_path / "abjxc.rttm").write_text("SPEAKER abjxc 1 0.1 0.5 <NA> <NA> spk0 <NA> <NA>\n")
    zips = {}
    for name, members in (
        ("dev", {"audio/abjxc.wav": wav}),
        ("test", {"voxconverse_test_wav/abjxc.wav": wav}),
        (
            "ann",
            {
                "voxconverse-master/dev/abjxc.rttm": tmp_path / "abjxc.rttm",
                "voxconverse-master/test/abjxc.rttm": tmp_path / "abjxc.rttm",
            },
        ),
    ):
        with zipfile.ZipFile(tmp_path / f"{name}.zip", "w") as zf:
            for arcname, source in members.items():
                zf.write(source, arcname)
        zips[name] = (tmp_path / f"{name}.zip").as_uri()
    # the command takes Lhotse's arguments only: point the default URLs at the mirror
    monkeypatch.setattr(recipe, "DEV_AUDIO_ZIP", zips["dev"])
    monkeypatch.setattr(recipe, "TEST_AUDIO_ZIP", zips["test"])
    monkeypatch.setattr(recipe, "ANNOTATIONS_ZIP", zips["ann"])
    result = _invoke("download", "voxconverse", tmp_path / "data")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "data" / "test").iterdir()) == ["abjxc.rttm", "abjxc.wav"]
    assert _invoke("prepare", "voxconverse", tmp_path / "data", tmp_path / "out").exit_code == 0


def test_no_network_is_a_clear_error(tmp_path, monkeypatch):
    def offline(request, timeout=None):
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    line = _error_line(_invoke("download", "librispeech", tmp_path, "--mini"))
    assert line.startswith("Error: could not download http://www.openslr.org/resources/31/dev-clean-2.tar.gz: ")
    assert "Temporary failure in name resolution" in line and "Check the network connection" in line
    assert f"save it as '{tmp_path / 'dev-clean-2.tar.gz'}'" in line
    assert not list(tmp_path.iterdir())  # nothing half-written
