#!/usr/bin/env bash
# Grow the shipped band model's bass an onset output (issue 17, session 13: a held pitch
# struck again, a struck note one step long; TrackSpec.onsets) and fine-tune it, generator
# and critic together, on the band data with 6/8 (band-mma-v2). The critic keeps its
# session-12 stage's spoiled bands (scripts/band_onsets.json: critic_negatives 0.5, the
# kinds of models.band_negatives.TRAINED_KINDS) and its learning rate; the generator
# learns at half the rate it was trained with. The grown networks start exactly where the
# shipped ones are (models/track_widen.py; tests/models/test_bass_onsets.py).
#
# Usage: nohup nice -n 5 scripts/train_band_onsets.sh [DATA] [STOP_AT] > runs/train-band-onsets.log 2>&1 &
#   DATA     the band dataset (default /work/data/band-mma-v2)
#   STOP_AT  HH:MM UTC at which training stops and the model is exported to OUT
#   OUT      (default runs/band-onsets/composer-band.safetensors: not the shipped file;
#            it is copied into resources/weights/ only if it passes docs/band-model.md's
#            session-13 rule), RUN_DIR (default runs/band-onsets), ITERATIONS (default
#            1500), THREADS (default 1). Running it again resumes from RUN_DIR's checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/work/data/band-mma-v2}
stop_at=${2:-}
run_dir=${RUN_DIR:-runs/band-onsets}
out=${OUT:-$run_dir/composer-band.safetensors}
args=(--config scripts/band_onsets.json --iterations "${ITERATIONS:-1500}"
    --threads "${THREADS:-1}" --init-from resources/weights/composer-band.safetensors
    --onsets bass)
[ -n "$stop_at" ] && args+=(--stop-at "$stop_at")
exec .venv/bin/python scripts/train_band_model.py "$data" "$run_dir" "$out" "${args[@]}"
