"""The package's own promises: cheap imports and a curated public surface."""

import subprocess
import sys

import lhotse_lite


def _modules_after(statement: str) -> set:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return set(out.stdout.split())


def test_importing_the_package_does_not_import_torch():
    assert "torch" not in _modules_after("import lhotse_lite")


def test_version_is_exposed():
    assert lhotse_lite.__version__.count(".") == 2


def test_unknown_attribute_raises_attribute_error():
    try:
        lhotse_lite.does_not_exist  # noqa: B018
    except AttributeError as err:
        assert "does_not_exist" in str(err)
    else:
        raise AssertionError("expected AttributeError")


def test_one_definition_of_pathlike_and_atomic_open():
    # one Pathlike (Lhotse's lhotse.utils.Pathlike is it) and one atomic writer, in the modules that own them
    import re
    from pathlib import Path

    import lhotse_lite.utils
    from lhotse_lite import safe_writes, types

    package = Path(types.__file__).parent
    sources = {p: p.read_text(encoding="utf-8") for p in package.rglob("*.py")}
    assert [p.name for p, s in sources.items() if re.search(r"^Pathlike\s*=", s, re.M)] == ["types.py"]
    assert [p.name for p, s in sources.items() if re.search(r"^def atomic_open\(", s, re.M)] == ["safe_writes.py"]
    assert lhotse_lite.utils.Pathlike is types.Pathlike
    assert callable(safe_writes.atomic_open)
