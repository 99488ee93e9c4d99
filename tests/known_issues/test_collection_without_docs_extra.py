"""The suite collects with the ``test`` extra alone: nothing outside a Sphinx build imports Sphinx or docutils.

``pip install -e .[test]`` followed by a plain ``pytest`` once stopped on a collection error in
``docs/_ext/click_cli.py``. Here the whole suite is collected in a fresh interpreter in which
``sphinx`` and ``docutils`` cannot be imported.
"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BLOCKED = ("sphinx", "docutils")


def _collect(*paths):
    code = (
        "import sys\n"
        f"sys.modules.update(dict.fromkeys({BLOCKED!r}))  # None: 'import sphinx' fails\n"
        "import pytest\n"
        f"sys.exit(pytest.main(['--collect-only', '-q', *{list(paths)!r}]))\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_the_blocked_imports_really_fail():
    code = f"import sys; sys.modules.update(dict.fromkeys({BLOCKED!r})); import docutils.nodes"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr


def test_the_whole_suite_collects_without_sphinx_and_docutils():
    done = _collect()  # the configured testpaths: tests, the package, recipes, examples, docs
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert "error" not in summary and " collected" in summary, summary
    assert "docs/_ext/click_cli.py::" in done.stdout  # the extension's own doctest is collected too
