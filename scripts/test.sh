#!/usr/bin/env bash
# Sets everything up from nothing (virtual environment, pinned torch, the package with its test and
# docs extras), lints with ruff and type-checks with mypy (both configured in pyproject.toml), runs the
# whole test suite, doctests included, runs its torch-free part on the oldest and newest other Python installed
# (scripts/test_other_pythons.sh: 3.10 and 3.13 here; skipped with a message where absent), then
# builds the docs with warnings treated as errors. Idempotent: re-running reuses the environments.
# Arguments go to the main pytest run (bash scripts/test.sh -x tests/manifest).
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${LITE_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
py="$venv/bin/python"
# torch is pinned here (the package itself only asks for torch>=2.1): 2.13.0 has a local CPU wheel.
"$py" -m pip install --quiet "torch==2.13.0"
"$py" -m pip install --quiet -e ".[test,docs]"
# Lhotse 2.0.0a7, the reference of the indexing tests, in its own environment (torch pinned first).
lhotse2="${LITE_LHOTSE2_VENV:-.venv-lhotse2}"
case "$lhotse2" in /*) ;; *) lhotse2="$PWD/$lhotse2" ;; esac
if [ ! -x "$lhotse2/bin/python" ] || ! "$lhotse2/bin/python" -c "import lhotse" 2>/dev/null; then
  python3 -m venv "$lhotse2"
  "$lhotse2/bin/python" -m pip install --quiet "torch==2.13.0"
  "$lhotse2/bin/python" -m pip install --quiet "lhotse==2.0.0a7" urllib3 lilcom kaldi-native-fbank
fi
export LITE_LHOTSE2_VENV="$lhotse2"
# The remote-storage tests (tests/remote) serve files with nginx; install it where we may.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] && [ "$(id -u)" = "0" ] \
    && command -v apt-get >/dev/null 2>&1; then
  apt-get install -y -qq nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; }
fi

"$py" -m ruff check .
"$py" -m mypy  # the packages and settings of [tool.mypy] in pyproject.toml
"$py" -m pytest -q -rs "$@"  # -rs: every skipped test with its reason
LITE_MAIN_PYTHON="$py" bash scripts/test_other_pythons.sh
if [ -f docs/conf.py ]; then
  "$py" -m sphinx -W --keep-going -q -b html docs docs/_build/html
fi
