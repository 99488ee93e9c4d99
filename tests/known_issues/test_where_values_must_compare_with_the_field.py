"""``--where duration>=abc`` is an error, not a filter that silently keeps nothing.

The value was compared as text with the number's text, so ``duration>=abc`` kept 0 items with exit
status 0 (Lhotse 1.33's ``lhotse filter`` refuses it with a ``ValueError`` traceback).
"""

import pytest
from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.conditions import make_predicate
from lhotse_lite.errors import ManifestFieldError
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


@pytest.mark.parametrize("condition", ["duration>=abc", "duration=abc", "start<nan", "channel!=x"])
def test_a_value_that_is_not_a_number_for_a_number_field(condition):
    keep = make_predicate([condition])
    with pytest.raises(ManifestFieldError, match="is not a number it can be compared with") as caught:
        keep(SupervisionSegment("s1", "r1", 0.0, 2.0))
    assert "'s1'" in str(caught.value)


def test_text_fields_and_numbers_still_compare():
    segment = SupervisionSegment("s1", "r1", 0.0, 2.0, speaker="b")
    assert make_predicate(["duration>=1.5", "duration<inf", "speaker>a", "id~^s"])(segment)


def test_the_cli_exits_with_one_error_line(tmp_path):
    SupervisionSet([SupervisionSegment("s1", "r1", 0.0, 2.0)]).to_file(tmp_path / "sups.jsonl")
    result = CliRunner().invoke(
        cli,
        ["manifest", "filter", str(tmp_path / "sups.jsonl"), str(tmp_path / "out.jsonl"), "--where", "duration>=abc"],
    )
    assert result.exit_code == 1 and result.stderr.startswith("Error: filter duration>=abc")
    assert not (tmp_path / "out.jsonl").exists()
