#!/usr/bin/env bash
# yesno (OpenSLR 1, 60 files of 8 Hebrew yes/no words) from nothing to features, in stages:
#   0 download  lite download yesno DATA_DIR                    -> DATA_DIR/waves_yesno/
#   1 prepare   lite prepare yesno                              -> WORK_DIR/manifests/yesno_*_{train,test}.jsonl.gz
#   2 validate  lite manifest validate, each split
#   3 features  lite feat extract (23-bin kaldi-fbank at 8 kHz, lilcom_chunky)  -> WORK_DIR/fbank_{train,test}/
# Usage: bash recipes/yesno.sh [DATA_DIR [WORK_DIR]]   (default: data exp/yesno)
# Every stage can be re-run: what is complete is skipped. STAGE=1 STOP_STAGE=2 runs stages 1-2;
# YESNO_URL names a mirror of the archive (a file:// URL works); more settings in recipes/_stages.sh.
set -euo pipefail
. "$(dirname "$0")/_stages.sh"
data_dir="${1:-data}"
work_dir="${2:-exp/yesno}"

if run_stage 0 download; then
  "$lite" download yesno "$data_dir" ${YESNO_URL:+--url "$YESNO_URL"}
fi
if run_stage 1 prepare; then
  "$lite" prepare yesno "$data_dir/waves_yesno" "$work_dir/manifests"
fi
if run_stage 2 validate; then
  validate_splits "$work_dir/manifests" yesno
fi
if run_stage 3 features; then
  if [ -z "$feature_config" ]; then  # the corpus is 8 kHz: 23 mel bins, as Kaldi's yesno recipe uses
    feature_config="$work_dir/fbank_8k.yaml"
    printf 'feature_type: kaldi-fbank\nsampling_rate: 8000\nnum_filters: 23\n' > "$feature_config"
  fi
  extract_features "$work_dir/manifests" yesno "$work_dir"
fi
