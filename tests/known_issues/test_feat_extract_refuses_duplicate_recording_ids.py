"""``lite feat extract`` refuses a recordings manifest with a duplicate id (one error line naming the id
and file:line) before it writes any features.
"""

import json

from lhotse_lite.audio import Recording
from tests.known_issues.cli_helpers import one_error_line, run, write_wav


def test_feat_extract_refuses_duplicate_recording_ids(tmp_path):
    wav = write_wav(tmp_path / "a.wav")
    line = json.dumps(Recording.from_file(wav, recording_id="a").to_dict())
    recs = tmp_path / "dup.jsonl"
    recs.write_text(line + "\n" + line + "\n")
    message = one_error_line(run("feat", "extract", recs, tmp_path / "out"))
    assert "'a'" in message and f"{recs}:2" in message
    assert not (tmp_path / "out" / "feats.jsonl.gz").exists()
