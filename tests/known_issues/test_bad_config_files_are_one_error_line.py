"""A bad extractor config file (invalid YAML, a Python tag, a wrongly typed field) given to
``lite feat extract -c`` is one error line naming the file (and line:column), never a traceback.
"""

import pytest

from lhotse_lite.audio import Recording, RecordingSet
from tests.known_issues.cli_helpers import one_error_line, run, write_wav


@pytest.mark.parametrize(
    "text,where,what",
    [
        ("feature_type: kaldi-fbank\nnum_filters: [80\n", ":3:", "invalid YAML"),
        ("feature_type: kaldi-fbank\nnum_filters: !!python/object/apply:os.system ['true']\n", ":2:", "python"),
        ("feature_type: kaldi-fbank\nnum_filters: eighty\n", "", "num_filters must be an int, got 'eighty'"),
    ],
)
def test_bad_config_files_are_one_error_line(tmp_path, text, where, what):
    config = tmp_path / "fbank.yaml"
    config.write_text(text)
    recs = tmp_path / "r.jsonl"
    RecordingSet([Recording.from_file(write_wav(tmp_path / "a.wav"), recording_id="a")]).to_file(recs)
    message = one_error_line(run("feat", "extract", "-c", config, recs, tmp_path / "out"))
    assert f"{config}{where}" in message and what in message
