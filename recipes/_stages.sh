# Sourced by the staged recipe scripts (not run on its own): choosing stages, and the validate and
# features stages that every corpus shares. Environment:
#   STAGE, STOP_STAGE  the first and last stage to run (default: all of them)
#   NUM_JOBS           worker processes for feature extraction, threads for preparation (default 2)
#   EXTRACTOR          the feature extractor of the features stage (default kaldi-fbank)
#   FEATURE_CONFIG     an extractor config YAML (lite feat write-default-config) used instead of EXTRACTOR
#   LITE               the lite command (default: lite, as installed with the package)

stage="${STAGE:-0}"
stop_stage="${STOP_STAGE:-99}"
nj="${NUM_JOBS:-2}"
extractor="${EXTRACTOR:-kaldi-fbank}"
feature_config="${FEATURE_CONFIG:-}"
lite="${LITE:-lite}"

# run_stage N NAME: whether stage N is selected (STAGE <= N <= STOP_STAGE); announces it on stderr.
run_stage() {
  if [ "$stage" -le "$1" ] && [ "$1" -le "$stop_stage" ]; then
    echo "== stage $1: $2" >&2
    return 0
  fi
  return 1
}

# prepared_splits MANIFEST_DIR PREFIX: the split names that have a recordings manifest, one a line.
prepared_splits() {
  local path found=0
  for path in "$1/$2"_recordings_*.jsonl.gz; do
    [ -e "$path" ] || break
    found=1
    path="${path##*/"$2"_recordings_}"
    echo "${path%.jsonl.gz}"
  done
  if [ "$found" = 0 ]; then
    echo "Error: no $2 manifests in $1; run the prepare stage first (STAGE=1)" >&2
    return 1
  fi
}

# validate_splits MANIFEST_DIR PREFIX: lite manifest validate on each split's recordings and supervisions.
validate_splits() {
  local splits split
  splits="$(prepared_splits "$1" "$2")" || return 1
  for split in $splits; do
    "$lite" manifest validate "$1/$2_recordings_$split.jsonl.gz" "$1/$2_supervisions_$split.jsonl.gz"
  done
}

# extract_features MANIFEST_DIR PREFIX WORK_DIR: features of each split into WORK_DIR/<extractor>_<split>/
# (lilcom_chunky storage; resumable), then validates the split again with its features.
extract_features() {
  local splits split out choice
  splits="$(prepared_splits "$1" "$2")" || return 1
  if [ -n "$feature_config" ]; then choice=(--config "$feature_config"); else choice=(--extractor "$extractor"); fi
  for split in $splits; do
    out="$3/${extractor#kaldi-}_$split"
    "$lite" feat extract "${choice[@]}" --storage lilcom_chunky --num-jobs "$nj" \
      "$1/$2_recordings_$split.jsonl.gz" "$out"
    "$lite" manifest validate "$1/$2_recordings_$split.jsonl.gz" "$1/$2_supervisions_$split.jsonl.gz" \
      "$out/feats.jsonl.gz"
  done
}
