"""``lite manifest validate`` reports every malformed line and duplicate id with file:line, says that the
audio was not checked, and with ``--read-data`` reports audio shorter than its manifest.
"""

import json

from lhotse_lite.audio import Recording
from tests.known_issues.cli_helpers import run, write_wav


def test_validate_reports_every_malformed_line_and_checks_audio_on_request(tmp_path):
    wav = write_wav(tmp_path / "a.wav")
    good = Recording.from_file(wav, recording_id="a").to_dict()
    longer = dict(good, id="b", num_samples=20000, duration=1.25)  # the file holds 1 s
    recs = tmp_path / "recs.jsonl"
    recs.write_text("\n".join([json.dumps(good), "{oops", json.dumps(longer), "[1]", json.dumps(good)]) + "\n")
    result = run("manifest", "validate", recs)
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == [f"{recs}:2", f"{recs}:4", f"{recs}:5"]
    assert f"duplicate id (first at {recs}:1)" in result.stdout
    assert "audio contents were not checked" in result.stderr
    result = run("manifest", "validate", "--read-data", recs)
    assert f"{recs}:3: recordings[b]: file source" in result.stdout and "decodes to 16000 samples" in result.stdout
    assert "not checked" not in result.stderr
