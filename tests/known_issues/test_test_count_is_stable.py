"""A second test run collects the same tests as the first.

The first run unpacks reference wheels under ``tests/reference/.cache/``; the script check then
collected every ``.py`` file in them, so the count grew (243 -> 493 for the affected files). Hidden
folders are now skipped by that check and by pytest's collection (``norecursedirs``).
"""

import re
from pathlib import Path

from tests.test_scripts_import_cleanly import collected_scripts

REPO = Path(__file__).resolve().parents[2]


def test_hidden_folders_are_not_scripts(tmp_path):
    (tmp_path / "tests" / "reference" / ".cache" / "wheel").mkdir(parents=True)
    (tmp_path / "tests" / "reference" / ".cache" / "wheel" / "module.py").write_text("x = 1\n")
    (tmp_path / "tests" / "test_a.py").write_text("x = 1\n")
    assert [p.relative_to(tmp_path).as_posix() for p in collected_scripts(tmp_path)] == ["tests/test_a.py"]


def test_pytest_does_not_recurse_into_hidden_folders():
    line = re.search(r"^norecursedirs = \[(.*)\]$", (REPO / "pyproject.toml").read_text(), re.M)
    assert line is not None and '".*"' in line.group(1).split(", ")
