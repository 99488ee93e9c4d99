"""The trust options of ``lite`` commands: --read-data, --allow-commands (end to end, CliRunner)."""

import pytest
from click.testing import CliRunner

from lhotse_lite.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize(
    "path,option",
    [
        (["manifest", "validate"], "--read-data"),
        (["kaldi", "import"], "--allow-commands"),
    ],
)
def test_help_documents_the_option(path, option):
    result = run(*path, "--help")
    assert result.exit_code == 0 and option in result.output


def test_validate_read_data_on_lhotse_files(lhotse_compat_dir, monkeypatch):
    monkeypatch.chdir(lhotse_compat_dir)
    files = ["recordings.jsonl.gz", "supervisions.json", "feats_lilcom_chunky.jsonl.gz", "feats_numpy_files.jsonl.gz"]
    result = run("manifest", "validate", "--read-data", *files)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "OK" in result.stderr and "not checked" not in result.stderr
    result = run("manifest", "validate", *files)
    assert result.exit_code == 0 and "audio contents were not checked" in result.stderr
