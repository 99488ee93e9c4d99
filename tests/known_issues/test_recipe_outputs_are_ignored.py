"""What the recipes write when run from the repository root is ignored by git.

``bash recipes/speechcommands.sh`` (default folders ``data`` and ``exp/speechcommands``) and
``python -m recipes.kws_matchboxnet demo_data/speech_commands exp/kws`` left ``exp/`` and ``data/``
as untracked files in the repository. The default folder of every recipe script is now ignored.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((REPO / "recipes").glob("*.sh"))


def default_folders(script: Path) -> list:
    """The default values of a script's positional folders (``"${1:-data}"`` -> ``data``)."""
    return re.findall(r'"\$\{[12]:-([^}"]+)\}"', script.read_text(encoding="utf-8"))


def test_the_defaults_are_found():
    assert default_folders(REPO / "recipes" / "speechcommands.sh") == ["data", "exp/speechcommands"]


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="not a git checkout")
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_default_outputs_are_ignored(script):
    for folder in [*default_folders(script), "exp/kws"]:
        probe = f"{folder}/manifests/probe.jsonl.gz"
        done = subprocess.run(["git", "check-ignore", "-q", probe], cwd=REPO, capture_output=True)
        assert done.returncode == 0, f"{script.name}: {probe} is not ignored by git"
