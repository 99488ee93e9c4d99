"""Every top-level command of Lhotse 1.33's ``lhotse`` is a ``lite`` command or has a hint."""

import pytest

from lhotse_lite.cli import cli
from lhotse_lite.cli.main import LHOTSE_COMMANDS


def test_every_lhotse_command_is_ours_or_hinted():
    pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")
    from lhotse.bin import cli as lhotse_cli

    theirs = set(lhotse_cli.commands)
    assert len(theirs) >= 20
    assert sorted(theirs - set(cli.commands) - set(LHOTSE_COMMANDS)) == []
    assert sorted(set(LHOTSE_COMMANDS) - theirs) == ["describe"]  # 'lhotse cut describe': hinted at the top too
