"""``lite NAME`` for Lhotse's command names that ``lite`` lacks: a usage error naming our command, or why
there is none and what to use (exit status 2, no traceback)."""

import click
import pytest
from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.cli.main import LHOTSE_COMMANDS


def _command(path: str) -> click.Command:
    words = path.split()
    assert words[0] == "lite", path
    command: click.Command = cli
    for word in words[1:]:
        assert isinstance(command, click.Group) and word in command.commands, f"{path}: no such lite command"
        command = command.commands[word]
    return command


@pytest.mark.parametrize("name", sorted(LHOTSE_COMMANDS))
def test_hint(name):
    result = CliRunner().invoke(cli, [name, "some.jsonl.gz", "--flag"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    last = result.output.splitlines()[-1]
    kind, text = LHOTSE_COMMANDS[name]
    assert last.startswith(f"Error: Lhotse's '{name}' ") and text in last
    if kind == "use":
        _command(text)  # the named command exists
        assert f"see '{text} --help'" in last
    else:
        assert "no counterpart" in last


def test_hinted_names_are_not_lite_commands():
    assert not set(LHOTSE_COMMANDS) & set(cli.commands)


def test_other_unknown_names_are_still_usage_errors():
    result = CliRunner().invoke(cli, ["ct"])
    assert result.exit_code == 2 and "No such command 'ct'" in result.output and "Did you mean 'ctm'" in result.output
    result = CliRunner().invoke(cli, ["manifest", "cut"])  # only top-level names are Lhotse's
    assert result.exit_code == 2 and "No such command 'cut'" in result.output


def test_hints_are_not_listed_in_help():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "validate-pair" not in result.output and " cut " not in result.output


def test_a_hint_names_the_command_that_does_the_work(tmp_path):
    from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

    path = tmp_path / "s.jsonl.gz"
    SupervisionSet([SupervisionSegment(f"s{k}", "r", k, 1) for k in range(4)]).to_file(path)
    hint = CliRunner().invoke(cli, ["split", "2", str(path), str(tmp_path / "out")])
    assert "'lite manifest split'" in hint.output
    result = CliRunner().invoke(cli, ["manifest", "split", "2", str(path), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").iterdir())) == 2


def _groups(command: click.Command, path: str = "lite"):
    if isinstance(command, click.Group):
        yield path, command
        for name, sub in command.commands.items():
            yield from _groups(sub, f"{path} {name}")


@pytest.mark.parametrize("path", [path for path, _ in _groups(cli)])
def test_an_unknown_command_lists_the_commands_of_its_group(path):
    group = _command(path)
    assert isinstance(group, click.Group)
    result = CliRunner().invoke(cli, [*path.split()[1:], "no-such-command"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    listed = result.output.splitlines()[-1].split("The commands are: ")[1].rstrip(".").split(", ")
    assert listed == sorted(group.commands)


def test_a_misspelt_corpus_suggests_the_closest():
    result = CliRunner().invoke(cli, ["prepare", "librispeeh", "corpus", "out"])
    assert result.exit_code == 2
    assert "No such command 'librispeeh'. Did you mean 'librispeech'?" in result.output
    assert "yesno" in result.output
