"""The staged scripts ``recipes/<corpus>.sh`` run end to end through the installed ``lite`` command."""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from lhotse_lite.audio import RecordingSet
from lhotse_lite.features.manifest import FeatureSet
from lhotse_lite.manifest.sidecars import is_index_file

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
DEMO = Path(__file__).resolve().parents[2] / "demo_data"
SCRIPTS = sorted(p.name for p in RECIPES.glob("*.sh") if not p.name.startswith("_"))


def _run(script, *args, cwd, **env):
    """Runs a recipe script with this interpreter's ``lite`` first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    environment = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "NUM_JOBS": "1", **env}
    return subprocess.run(
        ["bash", str(RECIPES / script), *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_corpus_has_a_script():
    assert SCRIPTS == ["audio_folder.sh", "librispeech.sh", "speechcommands.sh", "voxconverse.sh", "yesno.sh"]
    assert (Path(sys.executable).parent / "lite").is_file(), "the package's lite command is not installed"


def test_yesno_from_download_to_features(tmp_path, audio_writer, monkeypatch):
    for n, name in enumerate(("0_0_1_1_0_0_1_1", "0_1_0_1_0_1_0_1", "1_1_1_0_0_0_1_0", "1_1_1_1_1_1_1_1")):
        audio_writer(tmp_path / "src" / f"{name}.wav", 0.5, sampling_rate=8000, seed=n)
    with tarfile.open(tmp_path / "waves_yesno.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "src", arcname="waves_yesno")
    url = (tmp_path / "waves_yesno.tar.gz").as_uri()
    done = _run("yesno.sh", "data", "exp", cwd=tmp_path, YESNO_URL=url)  # relative paths, as a user types them
    assert done.returncode == 0, done.stderr
    stages = [line for line in done.stderr.splitlines() if line.startswith("== stage")]
    assert stages == ["== stage 0: download", "== stage 1: prepare", "== stage 2: validate", "== stage 3: features"]
    monkeypatch.chdir(tmp_path)  # the manifests name the relative paths the script was given
    recordings = RecordingSet.from_file(tmp_path / "exp/manifests/yesno_recordings_test.jsonl.gz")
    features = FeatureSet.from_file(tmp_path / "exp/fbank_test/feats.jsonl.gz")
    assert sorted(f.recording_id for f in features) == sorted(recordings.ids) == ["0_1_0_1_0_1_0_1", "1_1_1_1_1_1_1_1"]
    assert features[0].num_features == 23 and features[0].load().shape == (features[0].num_frames, 23)
    assert features[0].sampling_rate == 8000 and features[0].num_frames == 50
    again = _run("yesno.sh", "data", "exp", cwd=tmp_path, YESNO_URL="file:///nowhere", STAGE="0", STOP_STAGE="1")
    assert again.returncode == 0, again.stderr  # complete download and splits are reused, not redone


def test_librispeech_prepare_and_validate_on_the_demo(tmp_path):
    done = _run("librispeech.sh", DEMO, tmp_path, cwd=tmp_path, STAGE="1", STOP_STAGE="2")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "manifests").iterdir() if not is_index_file(p.name)) == [
        f"librispeech_{kind}_{split}.jsonl.gz"
        for kind in ("recordings", "supervisions")
        for split in ("dev-clean-demo", "test-clean-demo")
    ]
    assert "test-clean-demo: 6 recordings" in done.stderr and not list(tmp_path.glob("fbank_*"))


def test_speechcommands_prepare_and_validate_on_the_demo(tmp_path):
    done = _run(
        "speechcommands.sh",
        "data",
        tmp_path,
        cwd=tmp_path,
        STAGE="1",
        STOP_STAGE="2",
        CORPUS_DIR=str(DEMO / "speech_commands"),
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "manifests" / "speechcommands2_supervisions_valid.jsonl.gz").is_file()
    assert "train: 450 recordings" in done.stderr


def test_voxconverse_and_audio_folder_prepare_and_validate(tmp_path, audio_writer):
    for part, name in (("dev", "abjxc"), ("test", "bvyvm")):
        audio_writer(tmp_path / "data/voxconverse" / part / f"{name}.wav", 2.0)
        (tmp_path / "data/voxconverse" / part / f"{name}.rttm").write_text(
            f"SPEAKER {name} 1 0.5 1.0 <NA> <NA> spk0 <NA> <NA>\n"
        )
    done = _run("voxconverse.sh", "data", "exp", cwd=tmp_path, STAGE="1", STOP_STAGE="2")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "exp/manifests/voxconverse_supervisions_test.jsonl.gz").is_file()
    audio_writer(tmp_path / "audio" / "train" / "a.wav", 0.5)
    audio_writer(tmp_path / "audio" / "dev" / "b.wav", 0.5)
    done = _run("audio_folder.sh", "audio", cwd=tmp_path, STAGE="1", STOP_STAGE="2", NAME="mine", SPLIT_BY_FOLDER="1")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "exp/mine/manifests").glob("*recordings*.gz")) == [
        "mine_recordings_dev.jsonl.gz",
        "mine_recordings_train.jsonl.gz",
    ]


@pytest.mark.parametrize("script", ["librispeech.sh", "yesno.sh"])
def test_a_stage_without_its_input_fails_clearly(script, tmp_path):
    done = _run(script, "data", "exp", cwd=tmp_path, STAGE="2")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith("Error: no ")
    prepare = _run(script, "data", "exp", cwd=tmp_path, STAGE="1")  # the corpus is not there
    assert prepare.returncode != 0 and "Error: " in prepare.stderr and "Traceback" not in prepare.stderr
