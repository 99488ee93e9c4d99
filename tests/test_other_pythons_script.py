"""scripts/test_other_pythons.sh: which Pythons it runs on, and its skips (the runs themselves are CI's)."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "test_other_pythons.sh"


def _run(**env):
    environment = {**os.environ, "LITE_MAIN_PYTHON": sys.executable, **env}
    return subprocess.run(["bash", str(SCRIPT)], env=environment, capture_output=True, text=True, timeout=120)


def test_can_be_switched_off():
    done = _run(LITE_OTHER_PYTHONS="none")
    assert done.returncode == 0 and done.stdout.strip() == "== other Pythons: skipped (LITE_OTHER_PYTHONS=none)"


def test_an_absent_python_is_skipped_with_a_message(tmp_path):
    done = _run(LITE_OTHER_PYTHONS=str(tmp_path / "python3.99"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"== {tmp_path / 'python3.99'}: not installed, skipped"


def test_candidates_are_the_interpreters_from_3_10_on_oldest_first(tmp_path):
    """Fake interpreters on PATH (no pyenv); 3.9 is below requires-python."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for minor in (9, 11, 12):
        fake = bin_dir / f"python3.{minor}"
        fake.write_text(
            f'#!/bin/sh\ncase "$2" in *">= (3, 10)"*) [ {minor} -ge 10 ] ; exit $? ;; esac\necho "3.{minor} {fake}"\n'
        )
        fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "PYENV_ROOT": str(tmp_path / "no-pyenv")}
    done = subprocess.run(
        ["bash", "-c", f'source <(sed -n "/^candidates()/,/^}}/p" {SCRIPT}); candidates'],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"3.11 {bin_dir / 'python3.11'}", f"3.12 {bin_dir / 'python3.12'}"]
