"""``lite manifest filter --where`` on a field the items do not have is one error line that suggests the
closest field and lists the valid ones, and writes nothing (never a silently empty output).
"""

from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from tests.known_issues.cli_helpers import one_error_line, run


def test_filter_on_a_misspelt_field_is_an_error(tmp_path):
    sups = tmp_path / "s.jsonl"
    SupervisionSet([SupervisionSegment("s1", "r1", 0, 1, speaker="spk1")]).to_file(sups)
    message = one_error_line(run("manifest", "filter", "--where", "speker=spk1", sups, tmp_path / "o.jsonl"))
    assert "'speker'" in message and "did you mean 'speaker'" in message and "recording_id" in message
    assert not (tmp_path / "o.jsonl").exists()
