"""``lite kaldi import`` runs a ``wav.scp`` pipe only when it needs the audio and ``--allow-commands`` is
given; otherwise it stops with one error line naming the recording and the flag, or reads the durations
from ``utt2dur``.
"""

from tests.known_issues.cli_helpers import one_error_line, run, write_wav


def test_kaldi_import_runs_commands_only_when_allowed(tmp_path):
    wav = write_wav(tmp_path / "a.wav")
    marker = tmp_path / "ran"
    data = tmp_path / "data"
    data.mkdir()
    (data / "wav.scp").write_text(f"r1 touch {marker} && cat {wav} |\n")
    message = one_error_line(run("kaldi", "import", data, tmp_path / "out", "-s", 16000))
    assert "'r1'" in message and "touch" in message and "--allow-commands" in message
    assert not marker.exists()
    (data / "utt2dur").write_text("r1 1.0\n")  # whole-recording utterances: their durations suffice
    assert run("kaldi", "import", data, tmp_path / "out", "-s", 16000).exit_code == 0
    assert not marker.exists()
    (data / "utt2dur").unlink()
    assert run("kaldi", "import", data, tmp_path / "out", "--allow-commands").exit_code == 0
    assert marker.exists()
