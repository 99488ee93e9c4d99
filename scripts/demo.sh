#!/usr/bin/env bash
# The main job, end to end on the bundled demo corpus (demo_data/, real synthesised speech):
#   1. set up .venv (pinned CPU torch, the package with its plotting extra);
#   2. run the LibriSpeech recipe, recipes/librispeech.sh, from its prepare stage: manifests
#      (lite prepare librispeech), validation, and Kaldi fbank in lilcom_chunky storage (resumable:
#      a re-run skips what is done);
#   3. print the corpus description and a feature summary, and save a PNG of one utterance.
# Idempotent: re-running reuses the environment, the manifests and the extracted features.
# Usage: bash scripts/demo.sh [OUTPUT_DIR]   (default: demo_output/)
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${LITE_VENV:-.venv}"
out="${1:-demo_output}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
py="$venv/bin/python"
"$py" -m pip install --quiet "torch==2.13.0"
"$py" -m pip install --quiet -e ".[plot]"
lite="$(cd "$venv/bin" && pwd)/lite"

echo "== recipes/librispeech.sh, stages 1-3 (prepare, validate, features)"
STAGE=1 NUM_JOBS=2 LITE="$lite" bash recipes/librispeech.sh demo_data "$out"

for split in dev-clean-demo test-clean-demo; do
  echo "== describe ($split)"
  "$lite" manifest describe "$out/manifests/librispeech_recordings_${split}.jsonl.gz" \
    "$out/manifests/librispeech_supervisions_${split}.jsonl.gz"
done

echo "== feature summary and a picture of one utterance"
"$lite" feat inspect "$out/fbank_dev-clean-demo/feats.jsonl.gz" --plot "$out/fbank_example.png"
"$lite" feat stats "$out/fbank_dev-clean-demo/feats.jsonl.gz" "$out/fbank_dev-clean-demo/stats.json"
echo "Done: manifests and features in $out/, picture in $out/fbank_example.png"
