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
#            runs/band), THREADS (default 2).
# The config (scripts/band_model.json) is sized for at most 90 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-$(.venv/bin/python -c "from models.build_dataset import default_cache_dir as d; print(d() / 'band-mma')")}
stop_at=${2:-}
run_dir=${RUN_DIR:-runs/band}
args=(--config scripts/band_model.json --iterations "${ITERATIONS:-3000}" --threads "${THREADS:-2}")
[ -n "$stop_at" ] && args+=(--stop-at "$stop_at")
exec .venv/bin/python scripts/train_band_model.py "$data" "$run_dir" \
    resources/weights/composer-band.safetensors "${args[@]}"
