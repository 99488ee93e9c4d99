"""The ``lite prepare``/``lite download`` command lines compared live with Lhotse 1.33's: the same arguments
in the same order, and all of its options.
"""

import click
import pytest

from lhotse_lite.cli import cli


@pytest.mark.parametrize(
    "group, name",
    [
        ("prepare", "librispeech"),
        ("prepare", "yesno"),
        ("prepare", "speechcommands"),
        ("prepare", "voxconverse"),
        ("download", "librispeech"),
        ("download", "yesno"),
        ("download", "speechcommands"),
        ("download", "voxconverse"),
    ],
)
def test_lhotse_command_lines_work_unchanged(group, name):
    """Our commands take Lhotse's arguments in its order and all of its options (ours may add some)."""
    pytest.importorskip("lhotse")
    import lhotse.bin.modes.recipes  # noqa: F401  (registers Lhotse's recipe commands)
    from lhotse.bin.modes import cli_base

    theirs = getattr(cli_base, group).commands[name]
    ours = cli.commands[group].commands[name]

    def arguments(command):
        return [p.name for p in command.params if isinstance(p, click.Argument)]

    def options(command):
        return {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts}

    assert arguments(ours) == arguments(theirs)
    assert options(theirs) <= options(ours)
