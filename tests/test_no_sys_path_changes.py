"""Tests, recipes, examples and benchmarks import by package path, never by changing ``sys.path``.

The repository root is on pytest's ``pythonpath``, so shared test code imports as
``from tests.reference.reference_code import nemo``; shared factories live in ``lhotse_lite.testing``.
A ``sys.path`` change makes imports depend on which file ran first.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import List

import pytest

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ["tests", "recipes", "examples", "benchmarks"]
CHANGES = {"insert", "append", "extend"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _name(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def sys_path_changes(source: str, filename: str = "<script>") -> List[str]:
    """``file:line: call`` for every ``sys.path.insert/append/extend`` call and ``sys.path`` assignment."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name.endswith("sys.path." + name.split(".")[-1]) and name.split(".")[-1] in CHANGES:
                found.append(f"{filename}:{node.lineno}: {name}(...)")
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [f"{filename}:{node.lineno}: {_name(t)} = ..." for t in targets if _name(t).endswith("sys.path")]
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import sys\nsys.path.insert(0, 'x')\n",
        "import sys\nsys.path.append('x')\n",
        "import os, sys\nos.sys.path.extend(['x'])\n",
        "import sys\nsys.path += ['x']\n",
    ],
)
def test_the_scan_finds_sys_path_changes(source):
    assert len(sys_path_changes(source)) == 1


def test_the_scan_leaves_other_lists_alone():
    assert sys_path_changes("import sys\npaths = list(sys.path)\npaths.insert(0, 'x')\nsys.argv.append('y')\n") == []


def test_no_file_changes_sys_path():
    found = []
    for folder in FOLDERS:
        for path in sorted((REPO / folder).rglob("*.py")):
            if any(part.startswith(".") for part in path.relative_to(REPO).parts):
                continue  # unpacked reference wheels
            found += sys_path_changes(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert found == [], "import by package path instead:\n" + "\n".join(found)
