#!/usr/bin/env bash
# Google Speech Commands from nothing to features, in stages:
#   0 download  lite download speechcommands VERSION DATA_DIR   -> DATA_DIR/SpeechCommands<VERSION>/
#   1 prepare   lite prepare speechcommands (train/valid/test)  -> WORK_DIR/manifests/speechcommands<VERSION>_*.jsonl.gz
#   2 validate  lite manifest validate, each split
#   3 features  lite feat extract (kaldi-fbank, lilcom_chunky)  -> WORK_DIR/fbank_<split>/
# Usage: bash recipes/speechcommands.sh [DATA_DIR [WORK_DIR]]   (default: data exp/speechcommands)
# VERSION=1 or 2 (default 2). CORPUS_DIR overrides the corpus folder, e.g. the bundled keywords:
#   STAGE=1 CORPUS_DIR=demo_data/speech_commands bash recipes/speechcommands.sh
# Keyword spotting trains on the result with python -m recipes.kws_matchboxnet (docs/end_to_end.rst).
# Every stage can be re-run: what is complete is skipped. More settings in recipes/_stages.sh.
set -euo pipefail
. "$(dirname "$0")/_stages.sh"
data_dir="${1:-data}"
work_dir="${2:-exp/speechcommands}"
version="${VERSION:-2}"
corpus_dir="${CORPUS_DIR:-$data_dir/SpeechCommands$version}"

if run_stage 0 download; then
  "$lite" download speechcommands "$version" "$data_dir"
fi
if run_stage 1 prepare; then
  "$lite" prepare speechcommands "$version" "$corpus_dir" "$work_dir/manifests" --num-jobs "$nj"
fi
if run_stage 2 validate; then
  validate_splits "$work_dir/manifests" "speechcommands$version"
fi
if run_stage 3 features; then
  extract_features "$work_dir/manifests" "speechcommands$version" "$work_dir"
fi
