#!/usr/bin/env bash
# Fine-tune the shipped chorale model's critic alone (issue 18, session 15): generator and
# EMA frozen (critic_only), half its fakes real chorales spoiled by models.negatives' five
# KINDS plus the trial kind beat_dissonance (an unprepared, unresolved clash with the
# melody on the beat), on every accompanied meter as the shipped meters stage
# (scripts/chorale_critic_dissonance.json; lr_d 2e-4 as the band critic's fine-tune).
# One thread; a checkpoint every 250 iterations and at the end (models.train), so the
# same command resumes the run.
#
# Usage: nohup nice -n 10 scripts/train_chorale_critic_dissonance.sh [DATA] > LOG 2>&1 &
#   DATA     the meters dataset (`composer-gui dataset build --meters --out DATA`)
#   RUN_DIR  (default /work/data/s15/s15-18c/critic-dissonance), OUT (default
#            RUN_DIR/composer-chorales.safetensors: not the shipped file; it is copied into
#            resources/weights/ only if it passes docs/ranking.md's session-15 rule),
#            ITERATIONS (default 800), CONFIG (default scripts/chorale_critic_dissonance.json,
#            candidate A; B: ..._variety.json, C: ..._half.json, D: ..._half_slow.json,
#            the diagnostic E: ..._half_nogp.json; none shipped: docs/ranking.md, fifth pass).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/work/data/s15/s15-18c/meters-data}
run_dir=${RUN_DIR:-/work/data/s15/s15-18c/critic-dissonance}
out=${OUT:-$run_dir/composer-chorales.safetensors}
args=(--data "$data" --run-dir "$run_dir" --config "${CONFIG:-scripts/chorale_critic_dissonance.json}"
    --iterations "${ITERATIONS:-800}" --threads 1 --eval-every 1000000 --export "$out")
if [ -f "$run_dir/checkpoint.json" ] || [ -f "$run_dir/checkpoint.safetensors" ]; then
    args+=(--resume)
else
    args+=(--init-from resources/weights/composer-chorales.safetensors)
fi
exec .venv/bin/composer-gui train "${args[@]}"
