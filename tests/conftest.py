"""Shared test fixtures: paths to the data shipped with the tests."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def lhotse_compat_dir() -> Path:
    """Files written by the real Lhotse 1.33 (manifests, configs, stored features, audio)."""
    return FIXTURES / "lhotse-1.33"


# The fixture folder holds Lhotse's own generator script; it is data, not a test module.
collect_ignore_glob = ["fixtures/*"]
