#!/usr/bin/env bash
# The seeds' experiment on our data: one short run per loss, same data, same budget
# (generator iterations, critic steps, batch, seed), no reconstruction term so that only
# the adversarial loss drives the music; then the report with the comparison figure.
# Usage: scripts/compare_losses.sh [ITERATIONS] [OUT_DIR]   (about 25 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-200}
out=${2:-runs/loss-comparison}
mkdir -p "$out"
echo '{"recon_weight": 0.0}' > "$out/pure-gan.json"
for loss in wgan-gp wgan-clip bce; do
    .venv/bin/composer-gui train --run-dir "$out/$loss" --loss "$loss" --iterations "$iterations" \
        --config "$out/pure-gan.json" --eval-every 10 --log-every 2 --threads 1
done
.venv/bin/composer-gui train-report "$out/wgan-gp" "$out/wgan-clip" "$out/bce" --out docs/training
