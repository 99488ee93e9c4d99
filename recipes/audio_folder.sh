#!/usr/bin/env bash
# Any folder of audio files (a corpus without a recipe) to features, in stages (nothing to download):
#   1 prepare   lite prepare audio-folder AUDIO_DIR (one split 'all'; SPLIT_BY_FOLDER=1: one per top folder)
#                                                               -> WORK_DIR/manifests/<NAME>_*_<split>.jsonl.gz
#   2 validate  lite manifest validate, each split
#   3 features  lite feat extract (kaldi-fbank, lilcom_chunky)  -> WORK_DIR/fbank_<split>/
# Usage: bash recipes/audio_folder.sh AUDIO_DIR [WORK_DIR]   (default WORK_DIR: exp/<NAME>)
# NAME names the corpus (default audio_folder). Transcripts come from .txt/.lab files beside the audio;
# for other options (a Kaldi text file, speakers, one split) run lite prepare audio-folder yourself.
# Every stage can be re-run: what is complete is skipped. More settings in recipes/_stages.sh.
set -euo pipefail
. "$(dirname "$0")/_stages.sh"
audio_dir="${1:?usage: bash recipes/audio_folder.sh AUDIO_DIR [WORK_DIR]}"
name="${NAME:-audio_folder}"
work_dir="${2:-exp/$name}"

if run_stage 1 prepare; then
  "$lite" prepare audio-folder "$audio_dir" "$work_dir/manifests" --name "$name" ${SPLIT_BY_FOLDER:+--split-by-folder}
fi
if run_stage 2 validate; then
  validate_splits "$work_dir/manifests" "$name"
fi
if run_stage 3 features; then
  extract_features "$work_dir/manifests" "$name" "$work_dir"
fi
