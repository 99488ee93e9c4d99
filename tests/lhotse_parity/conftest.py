"""Differential tests against the installed Lhotse 1.33: the same calls on both, results compared.

Without Lhotse (a test dependency) the parity tests show up as skips, never as passes: the audio,
features and storage modules start with ``pytest.importorskip("lhotse")``; the ``compare`` fixture
below skips by itself. Two fixtures:

* ``raised(fn)`` -> the exception ``fn()`` raises (fails the test when it raises none);
* ``compare(scenario)`` -> runs one scenario on both libraries and compares the outcomes.

Scenarios for ``compare`` (the manifest-side tests):

A scenario is a function ``scenario(lib, workdir)`` written once against Lhotse's import paths:
``lib`` is a :class:`Library`, so ``lib.SupervisionSet`` is ``lhotse.SupervisionSet`` or
``lhotse_lite.SupervisionSet`` and ``lib.serialization.load_manifest`` is the function at
``lhotse.serialization`` or ``lhotse_lite.serialization``; ``workdir`` is an empty folder of its own
for each library. The ``compare`` fixture runs a scenario on both libraries and asserts equal
outcomes:

* both return: the returned values are equal (return plain data: ids in order, ``to_dict()`` output,
  file bytes, lengths);
* Lhotse raises: lhotse_lite raises too, an instance of Lhotse's exception type (so an ``except``
  written for Lhotse catches it) and of our :class:`~lhotse_lite.errors.LhotseLiteError` tree.

Before each run the global ``random`` generator is seeded identically, so scenarios that use it
(``shuffle()`` without ``rng``, ``split(shuffle=True)``) see the same state in both libraries.
Lhotse's warnings (lambdas in lazy filters) are silenced. Without Lhotse installed, every scenario is
skipped. Scenarios whose result is an order (shuffles, muxes) also pass ``expected=`` literal values,
so the test still pins the result if both libraries were to change together.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import subprocess
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Optional

import pytest

from lhotse_lite.errors import LhotseLiteError

_SEED = 20240601


class Library:
    """One library seen through Lhotse's import paths: top-level names, then submodules by name."""

    def __init__(self, root: str) -> None:
        self.name = root
        self.root: ModuleType = importlib.import_module(root)

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self.root, name)
        except AttributeError:
            return importlib.import_module(f"{self.name}.{name}")

    def __repr__(self) -> str:
        return f"Library({self.name})"


@dataclass
class Outcome:
    """What a scenario did: a value, or an exception."""

    value: Any = None
    error: Optional[BaseException] = None


def run_scenario(scenario: Callable[[Library, Path], Any], lib: Library, workdir: Path) -> Outcome:
    workdir.mkdir(parents=True, exist_ok=True)
    random.seed(_SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return Outcome(value=scenario(lib, workdir))
        except Exception as err:  # noqa: BLE001  (the outcome is compared, not hidden)
            return Outcome(error=err)


class Comparison:
    """Runs scenarios on both libraries (see the module docstring)."""

    def __init__(self, tmp_path: Path) -> None:
        pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the differential suite")
        self.lhotse = Library("lhotse")
        self.lite = Library("lhotse_lite")
        self.tmp_path = tmp_path
        self._runs = 0

    def __call__(self, scenario: Callable[[Library, Path], Any], expected: Any = None, our_tree: bool = True) -> Any:
        """Run ``scenario`` on both libraries, assert equal outcomes, return lhotse_lite's value.

        Args:
            scenario: ``scenario(lib, workdir)``.
            expected: If given, the value both libraries must return (a literal pinned in the test).
            our_tree: Require an error of ours to be a ``LhotseLiteError`` (``False`` where Python
                itself raises, e.g. assigning a field of a ``NamedTuple``).
        """
        self._runs += 1
        ref = run_scenario(scenario, self.lhotse, self.tmp_path / f"{self._runs}-lhotse")
        ours = run_scenario(scenario, self.lite, self.tmp_path / f"{self._runs}-lhotse_lite")
        name = getattr(scenario, "__name__", "scenario")
        if ref.error is not None:
            assert ours.error is not None, (
                f"{name}: Lhotse raised {type(ref.error).__name__}({ref.error}) but lhotse_lite returned {ours.value!r}"
            )
            assert isinstance(ours.error, type(ref.error)), (
                f"{name}: Lhotse raised {type(ref.error).__name__}, lhotse_lite raised "
                f"{type(ours.error).__mro__} ({ours.error})"
            )
            assert not our_tree or isinstance(ours.error, LhotseLiteError), (
                f"{name}: {type(ours.error)} is not of our error tree"
            )
            return ours.error
        if ours.error is not None:
            raise AssertionError(f"{name}: Lhotse returned {ref.value!r} but lhotse_lite raised") from ours.error
        assert ours.value == ref.value, f"{name}: lhotse_lite {ours.value!r} != Lhotse {ref.value!r}"
        if expected is not None:
            assert ours.value == expected, f"{name}: both libraries gave {ours.value!r}, expected {expected!r}"
        return ours.value

    def raises(self, scenario: Callable[[Library, Path], Any], builtin: type, our_tree: bool = True) -> BaseException:
        """Like calling, and also assert that Lhotse raises ``builtin`` (a pinned expectation)."""
        error = self(scenario, our_tree=our_tree)
        assert isinstance(error, builtin), f"expected {builtin.__name__}, got {type(error).__name__}"
        return error


@pytest.fixture
def compare(tmp_path: Path) -> Comparison:
    """Run a scenario on Lhotse 1.33 and on lhotse_lite and compare the outcomes (skips without Lhotse)."""
    return Comparison(tmp_path)


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


# ---- Lhotse 2.0 (a separate test-only environment) ---------------------------------------------------

_REPO = Path(__file__).resolve().parents[2]
LHOTSE2_VENV = Path(os.environ.get("LITE_LHOTSE2_VENV", _REPO / ".venv-lhotse2"))

_LHOTSE2_PRELUDE = """
import json, sys, warnings
warnings.simplefilter("ignore")
args = json.loads(sys.stdin.read())
result = None
"""


class Lhotse2:
    """Runs Python snippets under Lhotse 2.0.0a7 in its own environment (``scripts/test.sh`` creates it).

    ``lhotse2(code, **args)`` runs ``code`` in a fresh interpreter of that environment, where ``args``
    is a dict of the JSON-serialisable keyword arguments and the snippet assigns its answer to
    ``result``; returns ``result`` decoded from JSON. A snippet that raises fails the test with its
    traceback.
    """

    def __init__(self, python: Path) -> None:
        self.python = python

    def __call__(self, code: str, **args: Any) -> Any:
        program = _LHOTSE2_PRELUDE + textwrap.dedent(code) + "\nprint('\\n' + json.dumps(result))\n"
        done = subprocess.run(
            [str(self.python), "-c", program],
            input=json.dumps(args),
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PYTHONPATH": ""},
        )
        if done.returncode != 0:
            raise AssertionError(f"the Lhotse 2.0 snippet failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.rstrip("\n").rsplit("\n", 1)[-1])


@pytest.fixture(scope="session")
def lhotse2() -> Lhotse2:
    """Lhotse 2.0.0a7 in a subprocess; skips without its environment unless ``LITE_REQUIRE_REFERENCES`` is set."""
    python = LHOTSE2_VENV / "bin" / "python"
    if not python.exists():
        if os.environ.get("LITE_REQUIRE_REFERENCES"):
            pytest.fail(
                f"LITE_REQUIRE_REFERENCES is set but the Lhotse 2.0 environment {LHOTSE2_VENV} is missing; "
                f"create it with scripts/test.sh"
            )
        pytest.skip(f"Lhotse 2.0.0a7 reference environment {LHOTSE2_VENV} not found (scripts/test.sh creates it)")
    return Lhotse2(python)
