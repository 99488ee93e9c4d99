#!/usr/bin/env bash
# The main job, end to end on the bundled demo corpus (demo_data/, real synthesised speech):
#   1. set up .venv (pinned CPU torch, the package with its plotting extra);
#   2. prepare LibriSpeech-layout manifests with recipes/librispeech.py;
#   3. validate them;
#   4. extract Kaldi fbank into lilcom_chunky storage (resumable: a re-run skips what is done);
#   5. print the corpus description and a feature summary, and save a PNG of one utterance.
# Idempotent: re-running reuses the environment and the extracted features.
# Usage: bash scripts/demo.sh [OUTPUT_DIR]   (default: demo_output/)
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${LITE_VENV:-.venv}"
out="${1:-demo_output}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
py="$venv/bin/python"
lite="$venv/bin/lite"
"$py" -m pip install --quiet "torch==2.13.0"
"$py" -m pip install --quiet -e ".[plot]"

echo "== 1. manifests (recipes/librispeech.py)"
"$py" recipes/librispeech.py demo_data/LibriSpeech "$out/manifests" --log-level WARNING

for split in dev-clean-demo test-clean-demo; do
  recordings="$out/manifests/librispeech_recordings_${split}.jsonl.gz"
  supervisions="$out/manifests/librispeech_supervisions_${split}.jsonl.gz"
  echo "== 2. validate ($split)"
  "$lite" manifest validate "$recordings" "$supervisions"
  echo "== 3. fbank -> lilcom_chunky ($split)"
  "$lite" feat extract --extractor kaldi-fbank --storage lilcom_chunky --num-jobs 2 \
    "$recordings" "$out/fbank_${split}"
  "$lite" manifest validate "$recordings" "$supervisions" "$out/fbank_${split}/feats.jsonl.gz"
  echo "== 4. describe ($split)"
  "$lite" manifest describe "$recordings" "$supervisions"
done

echo "== 5. feature summary and a picture of one utterance"
"$lite" feat inspect "$out/fbank_dev-clean-demo/feats.jsonl.gz" --plot "$out/fbank_example.png"
"$lite" feat stats "$out/fbank_dev-clean-demo/feats.jsonl.gz" "$out/fbank_dev-clean-demo/stats.json"
echo "Done: manifests and features in $out/, picture in $out/fbank_example.png"
