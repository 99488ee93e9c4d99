"""The command-source guard: Lhotse's behaviour by default, a refusal that runs nothing when switched off."""

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import AudioSource, Recording, command_sources_allowed, set_command_sources_allowed
from lhotse_lite.audio.command_guard import ENV_VAR
from lhotse_lite.errors import CommandSourceRefusedError, ConfigError


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    yield
    set_command_sources_allowed(None)


@pytest.fixture
def command_recording(tmp_path):
    path = tmp_path / "a.wav"
    sf.write(path, (0.1 * np.random.default_rng(0).standard_normal(8000)).astype(np.float32), 16000)
    marker = tmp_path / "ran"
    command = f"touch {marker} && cat {path}"
    return Recording("r1", [AudioSource("command", [0], command)], 16000, 8000, 0.5), marker


def test_refused_commands_never_start(command_recording):
    recording, marker = command_recording
    set_command_sources_allowed(False)
    with pytest.raises(CommandSourceRefusedError) as caught:
        recording.load_audio()
    message = str(caught.value)
    assert message.startswith("recording 'r1': refusing to run the command source 'touch ")
    assert ENV_VAR in message and "set_command_sources_allowed(True)" in message
    assert isinstance(caught.value, PermissionError) and not marker.exists()


@pytest.mark.parametrize(
    "value,allowed", [("0", False), ("no", False), ("OFF", False), ("1", True), ("yes", True), ("", True)]
)
def test_environment_variable(monkeypatch, value, allowed):
    monkeypatch.setenv(ENV_VAR, value)
    assert command_sources_allowed() is allowed


def test_explicit_setting_wins_and_bad_values_are_errors(monkeypatch, command_recording):
    monkeypatch.setenv(ENV_VAR, "0")
    set_command_sources_allowed(True)
    assert command_sources_allowed() and command_recording[0].load_audio().shape == (1, 8000)
    set_command_sources_allowed(None)
    assert not command_sources_allowed()
    monkeypatch.setenv(ENV_VAR, "maybe")
    with pytest.raises(ConfigError, match=f"{ENV_VAR}='maybe'"):
        command_sources_allowed()
    with pytest.raises(ConfigError, match="True, False or None"):
        set_command_sources_allowed("no")


def test_file_sources_are_not_affected(tmp_path):
    path = tmp_path / "b.wav"
    sf.write(path, np.zeros(1600, np.float32), 16000)
    set_command_sources_allowed(False)
    assert Recording.from_file(path).load_audio().shape == (1, 1600)


def test_feature_workers_inherit_the_refusal(command_recording, tmp_path):
    pytest.importorskip("torch")
    from lhotse_lite.features.base import FeatureSetBuilder
    from lhotse_lite.features.io import NumpyFilesWriter
    from lhotse_lite.features.kaldi.extractors import Fbank

    recording, marker = command_recording
    set_command_sources_allowed(False)
    builder = FeatureSetBuilder(Fbank(), NumpyFilesWriter(tmp_path / "feats"))
    with pytest.raises(CommandSourceRefusedError, match="recording 'r1'"):  # a fresh worker process
        builder.process_and_store_recordings([recording], num_jobs=2, progress_bar=False)
    assert not marker.exists()
