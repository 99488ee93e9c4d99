"""Scripts do their work in functions, never at import time.

pytest imports every module it collects (``--doctest-modules``). A script that read ``sys.argv`` at
module level once wrote Lhotse fixtures into a folder named ``-q`` (pytest's own flag). These tests
guard every Python file under the folders the suite collects or a user runs.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("tests", "recipes", "examples", "docs", "benchmarks", "demo_data", "scripts")


def collected_scripts(root: Path) -> list:
    """The Python files under ``root``'s FOLDERS, without built docs and hidden folders (tests/reference/.cache
    holds unpacked reference wheels, which are not ours and appear only after the first run)."""
    return sorted(
        path
        for folder in FOLDERS
        for path in (root / folder).rglob("*.py")
        if "_build" not in path.parts and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


SCRIPTS = collected_scripts(REPO)


def _is_main_guard(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
    )


def _module_level_argv_uses(tree: ast.Module) -> list:
    """Line numbers of ``sys.argv`` or ``parse_args()`` reached when the module is imported."""
    found = []
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)) or _is_main_guard(node):
            if isinstance(node, ast.ClassDef):
                pending.extend(n for n in node.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
            continue
        if isinstance(node, ast.Attribute) and node.attr == "argv":
            found.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "parse_args":
            found.append(node.lineno)
        pending.extend(ast.iter_child_nodes(node))
    return sorted(found)


def test_the_guard_finds_what_it_looks_for():
    tree = ast.parse("import sys\nout = sys.argv[1]\ndef main():\n    return sys.argv\n")
    assert _module_level_argv_uses(tree) == [2]
    guarded = ast.parse("import sys\nif __name__ == '__main__':\n    main(sys.argv[1:])\n")
    assert _module_level_argv_uses(guarded) == []


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_command_line_use_at_import_time(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    assert _module_level_argv_uses(tree) == [], f"{path}: sys.argv/parse_args at import time"


def test_importing_every_script_writes_nothing(tmp_path):
    """Imports each script (as pytest's collection does) with a stray argument, in an empty folder."""
    work = tmp_path / "cwd"
    work.mkdir()
    importable = [p for p in SCRIPTS if p.name != "conftest.py"]
    code = (
        "import importlib.util, sys\n"
        "from _pytest.outcomes import Skipped\n"
        "sys.argv = ['prog', 'STRAY-ARGUMENT']\n"
        f"for number, path in enumerate({[str(p) for p in importable]!r}):\n"
        "    spec = importlib.util.spec_from_file_location(f'script_under_test_{number}', path)\n"
        "    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)\n"
        "    try:\n"
        "        spec.loader.exec_module(module)\n"
        "    except (ImportError, Skipped):\n"
        "        pass  # an optional dependency is missing: what matters is that nothing ran\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=work,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in work.iterdir()) == []
