#!/usr/bin/env bash
# The torch-free part of the suite on the oldest and the newest Python this machine offers (besides
# the one scripts/test.sh runs everything on): requires-python says >= 3.10, so the oldest is the
# lowest installed 3.x >= 3.10 and the newest the highest installed; here 3.10 and 3.13.
#
# torch has a local CPU wheel for the main Python only (3.11); on any other Python pip would
# download GBs of CUDA torch. So these environments get the package without torch (pip --no-deps)
# and its other dependencies, and run what never imports torch: manifests, supervisions,
# serialization, audio loading, validation, Kaldi data directories, the recipes, and the CLI's
# manifest, format and recipe commands, with their doctests. A test in this selection that imports
# torch fails here (torch is not installed), which also guards the rule that manifests stay
# torch-free. Comparisons with Lhotse skip (Lhotse needs torch); they run on the main Python.
#
# Usage: bash scripts/test_other_pythons.sh [PYTEST_ARGS...]   (called by scripts/test.sh)
# Environment: LITE_MAIN_PYTHON (the main venv's python, to read pyproject.toml; default .venv),
#   LITE_OTHER_PYTHONS (interpreters to use instead of the discovered ones; "none" skips this step).
# A Python that is not installed is skipped with a message. The environments are .venv-py3.X/
# (git-ignored) and are reused by the next run.
set -euo pipefail
cd "$(dirname "$0")/.."

main_py="${LITE_MAIN_PYTHON:-.venv/bin/python}"

torch_free_tests=(
  tests/manifest tests/supervision tests/audio tests/validation tests/conditions tests/describe
  tests/kaldi_data_dir tests/known_issues/test_gzip_partial_file_is_resumed_as_gzip.py
  tests/known_issues/test_constructor_iterates_a_lazy_set_once.py
  tests/known_issues/test_split_spreads_the_remainder_like_lhotse.py tests/test_package.py
  tests/cli/test_main.py tests/cli/test_cli_help_and_errors.py tests/cli/test_cli_manifest_commands.py
  tests/cli/test_cli_format_commands.py tests/cli/test_cli_recipe_commands.py tests/cli/test_cli_untrusted_input.py
  tests/test_safe_writes.py tests/test_output_lock.py
  tests/recipes/test_recipe_common.py tests/recipes/test_recipe_download.py tests/recipes/test_recipe_yesno.py tests/recipes/test_recipe_librispeech.py
  tests/recipes/test_recipe_speechcommands.py tests/recipes/test_recipe_voxconverse.py
  tests/recipes/test_recipe_audio_folder.py tests/recipes/test_recipe_demo_corpus.py
)
torch_free_modules=(
  lhotse_lite/manifest lhotse_lite/supervision lhotse_lite/audio lhotse_lite/kaldi_data_dir
  lhotse_lite/recipes lhotse_lite/cli
  lhotse_lite/validation lhotse_lite/safe_writes.py lhotse_lite/output_lock.py lhotse_lite/conditions.py lhotse_lite/units.py lhotse_lite/checks.py
  lhotse_lite/errors.py lhotse_lite/remote.py lhotse_lite/retry.py lhotse_lite/path_map.py lhotse_lite/registry.py lhotse_lite/lazy_exports.py lhotse_lite/version.py
)
for optional in lhotse_lite/serialization.py lhotse_lite/lazy.py lhotse_lite/utils.py lhotse_lite/manipulation.py; do
  if [ -f "$optional" ]; then torch_free_modules+=("$optional"); fi
done

# The candidates: pyenv's interpreters and python3.N on PATH; prints "VERSION PATH" for each 3.10+,
# one per version, oldest first.
candidates() {
  local py
  for py in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/*/bin/python3 $(compgen -c python3. | grep -E '^python3\.[0-9]+$' | sort -u); do
    py="$(command -v "$py" 2>/dev/null)" || continue
    "$py" -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 10) else 1); ' 2>/dev/null || continue
    "$py" -c 'import sys; print("%d.%d" % sys.version_info[:2], sys.executable)'
  done | sort -t. -k1,1n -k2,2n -u
}

if [ "${LITE_OTHER_PYTHONS:-}" = none ]; then
  echo "== other Pythons: skipped (LITE_OTHER_PYTHONS=none)"
  exit 0
fi
main_version="$("$main_py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ -n "${LITE_OTHER_PYTHONS:-}" ]; then
  chosen=()
  for py in $LITE_OTHER_PYTHONS; do
    if command -v "$py" >/dev/null 2>&1; then chosen+=("$(command -v "$py")"); else echo "== $py: not installed, skipped"; fi
  done
else
  listing="$(candidates)"
  oldest="$(echo "$listing" | head -n 1)"
  newest="$(echo "$listing" | tail -n 1)"
  chosen=()
  for entry in "$oldest" "$newest"; do
    [ -n "$entry" ] || continue
    if [ "${entry%% *}" = "$main_version" ]; then
      echo "== Python ${entry%% *}: the main run covers it"
    else
      chosen+=("${entry#* }")
    fi
  done
  if [ "${#chosen[@]}" = 0 ]; then
    echo "== other Pythons: none installed besides $main_version, skipped"
    exit 0
  fi
fi

# The package's dependencies without torch, and the test tools these tests use, from pyproject.toml.
requirements="$("$main_py" - <<'PY'
import re, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
tools = {"pytest", "hypothesis", "kaldiio", "aiohttp"}  # kaldiio: the kaldi extra; aiohttp: http(s) urls
wanted = [r for r in project["dependencies"] if re.split(r"[<>=!~\[ ]", r)[0] != "torch"]
wanted += [r for r in project["optional-dependencies"]["test"] if re.split(r"[<>=!~\[ ]", r)[0] in tools]
print("\n".join(wanted))
PY
)"

for py in "${chosen[@]}"; do
  version="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  venv=".venv-py$version"
  echo "== Python $version ($py): the torch-free tests"
  if [ ! -x "$venv/bin/python" ]; then
    "$py" -m venv "$venv"
  fi
  # shellcheck disable=SC2086
  if ! { "$venv/bin/python" -m pip install --quiet $requirements &&
         "$venv/bin/python" -m pip install --quiet --no-deps -e .; } > "$venv/pip.log" 2>&1; then
    cat "$venv/pip.log" >&2
    echo "Error: installing the torch-free environment $venv failed (log above)" >&2
    exit 1
  fi
  if "$venv/bin/python" -c "import torch" 2>/dev/null; then
    echo "Error: torch is installed in $venv; these tests must run without it (remove $venv)" >&2
    exit 1
  fi
  "$venv/bin/python" -m pytest -q "${torch_free_tests[@]}" "${torch_free_modules[@]}" "$@"
done
