"""Differential tests against the installed Lhotse live in tests/lhotse_parity/, in one place.

Outside that folder a test module may use Lhotse only where the folder would be the wrong home; each such
module is listed below with its reason. Tests elsewhere that pin Lhotse's values as literals (without
importing Lhotse) stay beside the code they test.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import List

import pytest

TESTS = Path(__file__).resolve().parent
ALLOWED = {
    # one regression per file, named after the behaviour; Lhotse is the reference of the fixed behaviour
    "known_issues/test_audio_padding_reflects_like_lhotse.py": "a regression test",
    "known_issues/test_compute_num_frames_hop_rounding.py": "a regression test",
    "known_issues/test_perturb_num_samples_ties.py": "a regression test",
    "known_issues/test_voxconverse_trims_turns_ending_after_the_audio.py": "a regression test",
    # the test of examples/port_from_lhotse.py, which runs the same pipeline on both libraries
    "examples/test_port_from_lhotse.py": "tests an example script",
    # writes the Lhotse-made fixture files the suite reads without Lhotse
    "fixtures/lhotse-1.33/make_fixtures.py": "builds fixtures",
    # feeds Lhotse's MFCC layer into our model: the model's input contract, nothing compared with Lhotse
    "models/matchbox/test_matchbox_with_features.py": "Lhotse's layer as an input",
}


def _is_lhotse(name: str) -> bool:
    return name.split(".")[0] == "lhotse"


def lhotse_uses(source: str, filename: str = "<test>") -> List[str]:
    """``file:line: what`` for every import of Lhotse (statements, ``importorskip``, ``import_module``)."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            found += [f"{filename}:{node.lineno}: import {a.name}" for a in node.names if _is_lhotse(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_lhotse(node.module or ""):
            found.append(f"{filename}:{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            value = node.args[0].value
            if func in ("importorskip", "import_module") and isinstance(value, str) and _is_lhotse(value):
                found.append(f"{filename}:{node.lineno}: {func}({value!r})")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import lhotse\n",
        "from lhotse.kaldi import load_kaldi_data_dir\n",
        "import pytest\nqa = pytest.importorskip('lhotse.qa')\n",
        "import importlib\nlayers = importlib.import_module('lhotse.features.kaldi.layers')\n",
    ],
)
def test_the_scan_finds_lhotse_imports(source):
    assert len(lhotse_uses(source)) == 1


def test_the_scan_leaves_our_imports_alone():
    assert lhotse_uses("import lhotse_lite\nfrom lhotse_lite.audio import Recording\nx = 'lhotse'\n") == []


def test_lhotse_is_imported_only_by_the_parity_tests():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        relative = path.relative_to(TESTS)
        if relative.parts[0] == "lhotse_parity" or relative.as_posix() in ALLOWED:
            continue
        if any(part.startswith(".") for part in relative.parts):
            continue  # unpacked reference wheels
        found += lhotse_uses(path.read_text(encoding="utf-8"), f"tests/{relative.as_posix()}")
    assert found == [], "move comparisons with the live Lhotse to tests/lhotse_parity/:\n" + "\n".join(found)


def test_every_exception_still_uses_lhotse():
    stale = [name for name in ALLOWED if not lhotse_uses((TESTS / name).read_text(encoding="utf-8"))]
    assert stale == [], f"no longer use Lhotse: drop them from ALLOWED: {stale}"
