"""An import error of our own code fails a test; it never becomes a skip.

``pytest.importorskip`` and ``try: import ... except ImportError`` are for optional third-party
packages (Lhotse, kaldiio, dask). Applied to a ``lhotse_lite`` module they would turn a broken module
into a skip, and the suite would pass without running the tests that should catch it.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import List

import pytest

TESTS = Path(__file__).resolve().parent
OURS = "lhotse_lite"
IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


def _name(node: ast.AST) -> str:
    """``a.b.c`` for a Name/Attribute chain, else ``""``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _name(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _is_ours(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.split(".")[0] == OURS


def _imports_ours(body: List[ast.stmt]) -> bool:
    """The statements import one of our modules, or import a module whose name is only known at run time."""
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == OURS for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == OURS:
            return True
        dynamic = isinstance(node, ast.Call) and _name(node.func).split(".")[-1] in ("import_module", "__import__")
        if dynamic and node.args and (_is_ours(node.args[0]) or not isinstance(node.args[0], ast.Constant)):
            return True
    return False


def _catches_import_errors(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(_name(t).split(".")[-1] in IMPORT_ERRORS | {"Exception", "BaseException"} for t in types)


def skips_on_own_imports(source: str, filename: str = "<test>") -> List[str]:
    """``file:line: what`` for every importorskip of our modules and every ImportError handler around them."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        skip = isinstance(node, ast.Call) and _name(node.func).split(".")[-1] == "importorskip"
        if skip and node.args and _is_ours(node.args[0]):
            found.append(f"{filename}:{node.lineno}: importorskip({node.args[0].value!r})")
        if isinstance(node, ast.Try) and _imports_ours(node.body):
            for handler in node.handlers:
                if _catches_import_errors(handler):
                    found.append(f"{filename}:{handler.lineno}: an import of our code inside try/except ImportError")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import pytest\nlayers = pytest.importorskip('lhotse_lite.features.kaldi.layers')\n",
        "try:\n    import lhotse_lite.models\nexcept ImportError:\n    pass\n",
        "try:\n    from lhotse_lite.features import io\nexcept (OSError, ModuleNotFoundError):\n    io = None\n",
        "import importlib\ntry:\n    m = importlib.import_module(name)\nexcept ImportError as err:\n    skip(err)\n",
    ],
)
def test_the_scan_finds_skips_on_our_imports(source):
    assert len(skips_on_own_imports(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "import pytest\nlhotse = pytest.importorskip('lhotse')\n",
        "try:\n    import kaldiio\nexcept ImportError:\n    kaldiio = None\n",
        "try:\n    import lhotse_lite.models\nexcept ValueError:\n    pass\n",
    ],
)
def test_the_scan_leaves_third_party_skips_alone(source):
    assert skips_on_own_imports(source) == []


def test_no_test_skips_when_our_code_fails_to_import():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if any(part.startswith(".") for part in path.relative_to(TESTS).parts):
            continue  # unpacked reference wheels
        found += skips_on_own_imports(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS.parent)))
    assert found == [], "import our modules directly (an import error must fail the test):\n" + "\n".join(found)
