"""Every ``lite`` command answers ``--help``; library and file errors become one ``Error:`` line."""

import click
import pytest
from click.testing import CliRunner

from lhotse_lite.cli import cli


def _all_commands(group: click.Group, prefix=()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path
        if isinstance(command, click.Group):
            yield from _all_commands(command, path)


COMMANDS = list(_all_commands(cli))


def test_every_issue_command_exists():
    expected = (
        {
            ("manifest", n)
            for n in ("validate", "describe", "convert", "split", "split-lazy", "subset", "combine", "filter", "mux")
        }
        | {(g, d) for g in ("rttm", "ctm", "kaldi") for d in ("import", "export")}
        | {("feat", n) for n in ("write-default-config", "extract", "stats", "inspect")}
        | {("prepare", n) for n in ("librispeech", "yesno", "speechcommands", "voxconverse", "audio-folder")}
        | {("download", n) for n in ("librispeech", "yesno", "speechcommands", "voxconverse")}
    )
    assert expected <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p))
def test_help(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: cli {' '.join(path)}") or "Usage:" in result.output


def _assert_one_line_error(result, *needles):
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    error_lines = [line for line in lines if line.startswith("Error: ")]
    assert len(error_lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in error_lines[0]


def test_missing_manifest_is_an_error_line(tmp_path):
    result = CliRunner().invoke(cli, ["manifest", "describe", str(tmp_path / "missing.jsonl")])
    _assert_one_line_error(result, "missing.jsonl")


def test_malformed_manifest_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "recording_id": "r", "start": 0, "duration": 1}\n{not json\n')
    result = CliRunner().invoke(cli, ["manifest", "convert", str(path), str(tmp_path / "out.json")])
    _assert_one_line_error(result, "bad.jsonl:2")
    assert not (tmp_path / "out.json").exists()


def test_unknown_extension_is_an_error_line(lhotse_compat_dir, tmp_path):
    result = CliRunner().invoke(
        cli, ["manifest", "convert", str(lhotse_compat_dir / "supervisions.jsonl"), str(tmp_path / "x.txt")]
    )
    _assert_one_line_error(result, "x.txt")


def test_bad_stdin_is_an_error_line():
    result = CliRunner().invoke(cli, ["manifest", "describe", "-"], input="[1, 2]\n")
    _assert_one_line_error(result, "<stdin>:1")


def test_empty_stdin_is_an_error_line():
    result = CliRunner().invoke(cli, ["manifest", "describe", "-"], input="")
    _assert_one_line_error(result, "<stdin>")


def test_unwritable_output_is_an_error_line(lhotse_compat_dir, tmp_path):
    (tmp_path / "a_file").write_text("")
    result = CliRunner().invoke(
        cli,
        ["manifest", "convert", str(lhotse_compat_dir / "supervisions.jsonl"), str(tmp_path / "a_file" / "out.jsonl")],
    )
    _assert_one_line_error(result, "a_file")


def test_manifest_commands_do_not_import_torch(lhotse_compat_dir):
    import subprocess
    import sys

    code = (
        "import sys; from lhotse_lite.cli import cli\n"
        "for args in (['manifest', 'describe', 'feats_lilcom_chunky.jsonl.gz', 'recordings.jsonl'],\n"
        "             ['manifest', 'validate', 'feats_numpy_files.jsonl.gz', 'recordings.jsonl',\n"
        "              'supervisions.yaml']):\n"
        "    try:\n        cli(args)\n    except SystemExit as e:\n        assert e.code == 0, e.code\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=lhotse_compat_dir
    )
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_closed_pipe_stops_quietly(tmp_path):
    import json
    import subprocess
    import sys

    path = tmp_path / "sups.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": f"s{i}", "recording_id": "r", "start": 0.0, "duration": 1.0, "text": "x" * 200}) + "\n"
            for i in range(3000)
        )
    )
    code = "from lhotse_lite.cli import cli; cli()"
    proc = subprocess.run(
        f"{sys.executable} -c '{code}' manifest convert {path} - | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert proc.stdout.startswith('{"id":"s0"')
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr
