#!/usr/bin/env bash
# Train the band model (issue 17) on the MMA band dataset and export it, calibrated, into
# resources/weights/composer-band.{safetensors,json}; the metrics per track kind go
# in docs/band-model-metrics.txt. Resumes from RUN_DIR's checkpoint (every 50
# iterations), so running the same command again continues the run.
#
# Usage: nohup nice -n 10 scripts/train_band_model.sh [DATA] [STOP_AT] > runs/train-band.log 2>&1 &
#   DATA     the band dataset (default: the user cache's band-mma, written by
#            'composer-gui dataset build --band', about 15 minutes)
#   STOP_AT  HH:MM UTC at which training stops and the model is exported (default: none,
#            run all ITERATIONS); ITERATIONS (default 3000), RUN_DIR (default
#            runs/band), THREADS (default 2); INIT_FROM (a band model file) fine-tunes a
#            new run from it, widened to the data's pitch ranges (models/track_widen.py).
#
# The shipped model (issue 17, session 10) was fine-tuned from the first one (commit
# 0d998f7's composer-band, 7,905 iterations on band-mma without 6/8) on the data with 6/8:
#   git show 0d998f7:resources/weights/composer-band.safetensors > runs/band-v1.safetensors
#   git show 0d998f7:resources/weights/composer-band.json > runs/band-v1.json
#   RUN_DIR=runs/band-v2 ITERATIONS=100000 INIT_FROM=runs/band-v1.safetensors \
#       nohup nice -n 10 scripts/train_band_model.sh DATA 17:05 > runs/train-band-v2.log 2>&1 &
# The config (scripts/band_model.json) is sized for at most 90 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-$(.venv/bin/python -c "from models.build_dataset import default_cache_dir as d; print(d() / 'band-mma')")}
stop_at=${2:-}
run_dir=${RUN_DIR:-runs/band}
args=(--config scripts/band_model.json --iterations "${ITERATIONS:-3000}" --threads "${THREADS:-2}")
[ -n "$stop_at" ] && args+=(--stop-at "$stop_at")
[ -n "${INIT_FROM:-}" ] && args+=(--init-from "$INIT_FROM")
exec .venv/bin/python scripts/train_band_model.py "$data" "$run_dir" \
    resources/weights/composer-band.safetensors "${args[@]}"
