#!/usr/bin/env bash
# Sets everything up from nothing (virtual environment, pinned torch, the package with its test and
# docs extras), lints with ruff (and checks ruff format) and type-checks with mypy (both configured in pyproject.toml), runs the
# whole test suite, doctests included, runs its torch-free part on the oldest and newest other Python installed
# (scripts/test_other_pythons.sh: 3.10 and 3.13 here; skipped with a message where absent), then
# builds the docs with warnings treated as errors. Idempotent: re-running reuses the environments.
# Arguments go to the main pytest run (bash scripts/test.sh -x tests/manifest).
#
# The main suite runs on one core; the steps that do not depend on it (installing the Lhotse 2.0
# environment, the other Pythons' environments and their torch-free runs, the docs build) run beside
# it, each with its output in .test-logs/ (git-ignored), printed when the step ends. Any step failing
# fails the script with that step's output shown.
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

logs=.test-logs
rm -rf "$logs" && mkdir -p "$logs"
background=()
# (on any exit: stop what still runs beside, children first)
# (|| true: errexit applies inside the trap, and a step that has ended cannot be killed)
trap 'for pid in "${background[@]}"; do pkill -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done' EXIT
# finish NAME PID: waits for a background step, shows its output, and fails the script if it failed.
finish() {
  local status=0
  wait "$2" || status=$?
  echo "== $1 (output of the step run beside the suite)"
  cat "$logs/$1.log"
  if [ "$status" != 0 ]; then
    echo "Error: the step '$1' failed with exit status $status (its output is above)" >&2
    exit "$status"
  fi
}
# Lhotse 2.0.0a7, the reference of the indexing tests, in its own environment (torch pinned first).
lhotse2="${LITE_LHOTSE2_VENV:-.venv-lhotse2}"
case "$lhotse2" in /*) ;; *) lhotse2="$PWD/$lhotse2" ;; esac
(
  if [ ! -x "$lhotse2/bin/python" ] || ! "$lhotse2/bin/python" -c "import lhotse" 2>/dev/null; then
    python3 -m venv "$lhotse2"
    "$lhotse2/bin/python" -m pip install --quiet "torch==2.13.0"
    "$lhotse2/bin/python" -m pip install --quiet "lhotse==2.0.0a7" urllib3 lilcom kaldi-native-fbank
  fi
  "$lhotse2/bin/python" -c "import lhotse; print('Lhotse', lhotse.__version__, 'in', '$lhotse2')"
) > "$logs/lhotse2-environment.log" 2>&1 &
lhotse2_pid=$!
background+=("$lhotse2_pid")
# The torch-free suite on other Pythons: environments and runs, beside everything below.
LITE_MAIN_PYTHON="$py" bash scripts/test_other_pythons.sh --basetemp="$PWD/$logs/other-pythons-tmp" \
  > "$logs/other-pythons.log" 2>&1 &
others_pid=$!
background+=("$others_pid")
export LITE_LHOTSE2_VENV="$lhotse2"
# The remote-storage tests (tests/remote) serve files with nginx; install it where we may.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] && [ "$(id -u)" = "0" ] \
    && command -v apt-get >/dev/null 2>&1; then
  apt-get install -y -qq nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; }
fi

"$py" -m ruff check .
"$py" -m ruff format --check .  # the code is formatted by ruff format (settings in pyproject.toml)
"$py" -m mypy  # the packages and settings of [tool.mypy] in pyproject.toml
finish lhotse2-environment "$lhotse2_pid"  # the indexing tests compare with it
if [ -f docs/conf.py ]; then
  "$py" -m sphinx -W --keep-going -q -b html docs docs/_build/html > "$logs/docs.log" 2>&1 &
  docs_pid=$!
  background+=("$docs_pid")
fi
suite=0
"$py" -m pytest -q -rs "$@" || suite=$?  # -rs: every skipped test with its reason
# the steps beside the suite are shown (and can fail the script) whether or not the suite passed
finish other-pythons "$others_pid"
if [ -n "${docs_pid:-}" ]; then
  finish docs "$docs_pid"
fi
if [ "$suite" != 0 ]; then
  echo "Error: the main test suite failed with exit status $suite (its output is above the other steps')" >&2
  exit "$suite"
fi
