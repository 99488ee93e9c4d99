"""Command sources in a manifest are listed by ``lite manifest validate`` (which does not run them) and are
refused, without running, once switched off; trusted data still runs them, as in Lhotse.
"""

import pytest

from lhotse_lite.audio import AudioSource, Recording, RecordingSet, set_command_sources_allowed
from lhotse_lite.errors import CommandSourceRefusedError
from tests.known_issues.cli_helpers import run, write_wav


def test_command_sources_are_listed_and_can_be_refused(tmp_path):
    # Bug: a manifest's command source ran through the shell silently; validate said only "OK".
    wav = write_wav(tmp_path / "a.wav")
    marker = tmp_path / "ran"
    command = f"touch {marker} && cat {wav}"
    recs = tmp_path / "recs.jsonl"
    RecordingSet([Recording("r1", [AudioSource("command", [0], command)], 16000, 16000, 1.0)]).to_file(recs)
    result = run("manifest", "validate", recs)
    assert result.exit_code == 0
    assert "1 command source(s)" in result.stderr and repr(command) in result.stderr
    assert not marker.exists()  # validating does not run it

    set_command_sources_allowed(False)
    with pytest.raises(CommandSourceRefusedError, match=r"recording 'r1'.*refusing to run.*touch"):
        RecordingSet.from_file(recs)["r1"].load_audio()
    assert not marker.exists()
    set_command_sources_allowed(None)
    assert RecordingSet.from_file(recs)["r1"].load_audio().shape == (1, 16000)  # trusted data: as Lhotse
    assert marker.exists()
