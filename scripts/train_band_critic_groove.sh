#!/usr/bin/env bash
# Fine-tune the shipped band model's critic alone (issue 18, session 14): generator and EMA
# frozen (critic_only), half its fakes real bands spoiled by models.band_negatives'
# TRAINED_KINDS, which now hold the groove kind drums_displaced beside session 12's five
# (scripts/band_critic_groove.json: the session-12 stage's settings). The bass onset
# channel the shipped model grew in session 13 is kept (track_widen keeps a track's onset
# output; the card's tracks are unchanged). One thread; a checkpoint every 50 iterations,
# so the same command resumes the run.
#
# Usage: nohup nice -n 5 scripts/train_band_critic_groove.sh [DATA] [STOP_AT] > LOG 2>&1 &
#   DATA     the band dataset (default /work/data/band-mma-v2, the shipped model's)
#   STOP_AT  HH:MM UTC at which training stops and the model is exported to OUT
#   RUN_DIR  (default /work/data/s14-runs/band-critic-groove), OUT (default
#            RUN_DIR/composer-band.safetensors: not the shipped file; it is copied into
#            resources/weights/ only if it passes docs/benchmarks/band-ranking.md's
#            session-14 rule), ITERATIONS (default 800, as session 12's stage).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/work/data/band-mma-v2}
stop_at=${2:-}
run_dir=${RUN_DIR:-/work/data/s14-runs/band-critic-groove}
out=${OUT:-$run_dir/composer-band.safetensors}
args=(--config scripts/band_critic_groove.json --iterations "${ITERATIONS:-800}" --threads 1)
[ -f "$run_dir/checkpoint.json" ] || args+=(--init-from resources/weights/composer-band.safetensors)
[ -n "$stop_at" ] && args+=(--stop-at "$stop_at")
exec .venv/bin/python scripts/train_band_model.py "$data" "$run_dir" "$out" "${args[@]}"
