#!/usr/bin/env bash
# VoxConverse (speaker diarization) from nothing to features, in stages:
#   0 download  lite download voxconverse DATA_DIR/voxconverse  (audio zips and RTTMs, several GB)
#   1 prepare   lite prepare voxconverse (dev/test; SPLIT_TEST=1: train/dev/test)
#                                                               -> WORK_DIR/manifests/voxconverse_*_<split>.jsonl.gz
#   2 validate  lite manifest validate, each split
#   3 features  lite feat extract (kaldi-fbank, lilcom_chunky)  -> WORK_DIR/fbank_<split>/
# Usage: bash recipes/voxconverse.sh [DATA_DIR [WORK_DIR]]   (default: data exp/voxconverse)
# Every stage can be re-run: what is complete is skipped. More settings in recipes/_stages.sh.
set -euo pipefail
. "$(dirname "$0")/_stages.sh"
data_dir="${1:-data}"
work_dir="${2:-exp/voxconverse}"

if run_stage 0 download; then
  "$lite" download voxconverse "$data_dir/voxconverse"
fi
if run_stage 1 prepare; then
  "$lite" prepare voxconverse "$data_dir/voxconverse" "$work_dir/manifests" ${SPLIT_TEST:+--split-test}
fi
if run_stage 2 validate; then
  validate_splits "$work_dir/manifests" voxconverse
fi
if run_stage 3 features; then
  extract_features "$work_dir/manifests" voxconverse "$work_dir"
fi
