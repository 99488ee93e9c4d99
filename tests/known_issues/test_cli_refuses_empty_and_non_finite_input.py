"""``lite`` commands refuse an empty manifest file, an RTTM without turns and nan/inf option values.

An empty ``.jsonl.gz`` made ``convert``/``filter``/``subset``/``split-lazy`` fail with an
``AttributeError``/``TypeError`` traceback (Lhotse 1.33's ``load_manifest_lazy`` returns ``None``
there too); ``lite rttm import`` of an empty file wrote an empty manifest with exit 0; click's float
options took ``nan`` and ``inf`` (``--min-duration nan`` kept nothing, ``--tolerance inf`` accepted
everything). Each is now one ``Error:`` line and a non-zero exit.
"""

import pytest
from click.testing import CliRunner

from lhotse_lite.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("command", [["convert"], ["filter"], ["subset", "--first", "1"]])
def test_empty_manifest_file(tmp_path, command):
    (tmp_path / "empty.jsonl.gz").write_bytes(b"")
    result = run("manifest", command[0], tmp_path / "empty.jsonl.gz", tmp_path / "out.jsonl", *command[1:])
    assert result.exit_code == 1 and "the manifest is empty" in result.stderr, result.output
    assert "Traceback" not in result.output and not (tmp_path / "out.jsonl").exists()


def test_rttm_without_turns(tmp_path):
    (tmp_path / "empty.rttm").write_text("")
    result = run("rttm", "import", tmp_path / "empty.rttm", tmp_path / "out.jsonl")
    assert result.exit_code == 1 and "no speaker turns" in result.stderr, result.output
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    "option,value", [("--min-duration", "nan"), ("--max-duration", "inf"), ("--min-duration", "-1")]
)
def test_non_finite_filter_options(lhotse_compat_dir, tmp_path, option, value):
    result = run("manifest", "filter", lhotse_compat_dir / "supervisions.jsonl", tmp_path / "out.jsonl", option, value)
    assert result.exit_code == 2 and "Error: Invalid value for '" + option in result.stderr, result.output


@pytest.mark.parametrize("value", ["nan", "inf", "-0.1"])
def test_non_finite_tolerance(lhotse_compat_dir, value):
    result = run("manifest", "validate", lhotse_compat_dir / "supervisions.jsonl", "--tolerance", value)
    assert result.exit_code == 2 and "--tolerance" in result.stderr, result.output
