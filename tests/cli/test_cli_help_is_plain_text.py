"""``--help`` of every ``lite`` command prints plain text: the reST of the docstrings is rendered away."""

import pytest
from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.cli.main import plain_help

MARKUP = ("``", ":class:", ":func:", ":meth:", ":mod:", ":attr:", ":ref:")


def _paths(command, path=()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _paths(sub, (*path, name))


@pytest.mark.parametrize("path", list(_paths(cli)), ids=lambda p: " ".join(p) or "lite")
def test_help_has_no_rest_markup(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    found = [line for line in result.output.splitlines() if any(mark in line for mark in MARKUP)]
    assert not found, found


def test_plain_help_renders_literals_and_roles():
    assert plain_help("Use ``lite feat extract`` or :func:`lhotse_lite.qa.fix_manifests`.") == (
        "Use 'lite feat extract' or fix_manifests."
    )
    assert plain_help(":class:`the writer <lhotse_lite.features.io.LilcomChunkyWriter>`") == "the writer"
    assert plain_help(None) is None
