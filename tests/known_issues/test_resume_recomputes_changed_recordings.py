"""A resume extracts again a recording whose manifest entry changed since its features were stored.

Before, a kept row was kept whatever the recording manifest said now: audio replaced under the same
id (another duration, sample count or sampling rate) kept the features of the old audio.
"""

import numpy as np
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.cli import cli
from lhotse_lite.features.manifest import FeatureSet


def test_changed_recording_is_extracted_again(tmp_path):
    recs = []
    for i in range(3):
        sf.write(tmp_path / f"a{i}.wav", np.full(8000, 0.1 * (i + 1), dtype=np.float32), 16000)
        recs.append(Recording.from_file(tmp_path / f"a{i}.wav"))
    RecordingSet.from_recordings(recs).to_file(tmp_path / "recs.jsonl")
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(cli, ["feat", "extract", str(tmp_path / "recs.jsonl"), str(out)]).exit_code == 0
    old = {f.recording_id: f for f in FeatureSet.from_file(out / "feats.jsonl.gz")}

    sf.write(tmp_path / "a1.wav", np.full(12000, 0.5, dtype=np.float32), 16000)  # new audio, same id
    recs[1] = Recording.from_file(tmp_path / "a1.wav")
    RecordingSet.from_recordings(recs).to_file(tmp_path / "recs.jsonl")
    result = runner.invoke(cli, ["feat", "extract", str(tmp_path / "recs.jsonl"), str(out)])
    assert result.exit_code == 0, result.output

    feats = {f.recording_id: f for f in FeatureSet.from_file(out / "feats.jsonl.gz")}
    assert sorted(feats) == ["a0", "a1", "a2"]  # one row per recording, the stale one replaced
    assert feats["a1"].duration == 0.75 and feats["a1"].num_frames == 75
    assert feats["a1"].load().shape == (75, 80)
    assert feats["a0"].to_dict() == old["a0"].to_dict() and feats["a2"].to_dict() == old["a2"].to_dict()
