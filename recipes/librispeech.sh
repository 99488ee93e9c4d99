#!/usr/bin/env bash
# (Mini) LibriSpeech from nothing to features, in stages:
#   0 download  lite download librispeech DATA_DIR (--mini; FULL=1: all 960 h)  -> DATA_DIR/LibriSpeech/
#   1 prepare   lite prepare librispeech (every split found)  -> WORK_DIR/manifests/librispeech_*_<split>.jsonl.gz
#   2 validate  lite manifest validate, each split
#   3 features  lite feat extract (kaldi-fbank, lilcom_chunky)  -> WORK_DIR/fbank_<split>/
# Usage: bash recipes/librispeech.sh [DATA_DIR [WORK_DIR]]   (default: data exp/librispeech)
# The bundled demo corpus: STAGE=1 bash recipes/librispeech.sh demo_data demo_output (what scripts/demo.sh runs).
# Every stage can be re-run: what is complete is skipped. More settings in recipes/_stages.sh.
set -euo pipefail
. "$(dirname "$0")/_stages.sh"
data_dir="${1:-data}"
work_dir="${2:-exp/librispeech}"

if run_stage 0 download; then
  if [ "${FULL:-0}" = 1 ]; then size=--full; else size=--mini; fi
  "$lite" download librispeech "$data_dir" "$size"
fi
if run_stage 1 prepare; then
  "$lite" prepare librispeech "$data_dir/LibriSpeech" "$work_dir/manifests" --num-jobs "$nj"
fi
if run_stage 2 validate; then
  validate_splits "$work_dir/manifests" librispeech
fi
if run_stage 3 features; then
  extract_features "$work_dir/manifests" librispeech "$work_dir"
fi
