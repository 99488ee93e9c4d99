"""Every known-issue test ends with the command-source guard back at its default."""

import pytest

from lhotse_lite.audio import set_command_sources_allowed


@pytest.fixture(autouse=True)
def _guard_reset():
    yield
    set_command_sources_allowed(None)
