"""Differential tests against the installed Lhotse 1.33: the same calls on both, results compared.

Each module starts with ``pytest.importorskip("lhotse")``, so without Lhotse (a test dependency) the
parity tests show up as skips, never as passes.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def raised():
    """``raised(fn)`` -> the exception ``fn()`` raises (fails the test when it raises none)."""

    def run(fn):
        try:
            fn()
        except Exception as err:  # noqa: BLE001  (the tests compare whatever each library raises)
            return err
        raise AssertionError(f"{fn} raised nothing")

    return run
