#!/usr/bin/env bash
# The one command that makes the shipped model, resources/weights/composer-chorales.*:
# build the chorale dataset, train (GanConfig defaults, seed 0) for 2000 iterations, then
# 500 more in which half of the critic's fakes are spoiled real chorales
# (models/negatives.py: without them the critic judged the generator's accent, not the
# harmony), export the EMA generator and the critic, add the critic's bar head (its
# ranking stage), then evaluate on the test split and
# store metrics and the critic's calibration (from the validation split) in the model card.
# Usage: scripts/train_shipped_model.sh [RUN_DIR]   (about 90 min on 2 CPU cores)
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:-runs/chorales}
model=resources/weights/composer-chorales.safetensors
# One thread beats two on a 2-core machine that does anything else (OpenMP spin-waits);
# on a quiet or bigger machine pass more with THREADS=N.
threads=${THREADS:-1}
.venv/bin/composer-gui dataset build
.venv/bin/composer-gui train --run-dir "$run" --threads "$threads" --eval-every 100
.venv/bin/composer-gui train --run-dir "$run" --threads "$threads" --eval-every 100 --resume \
    --config models/configs/critic-negatives-stage.json --iterations 2500 --export "$model"
# The critic's ranking stage (models/critic_ranking.py, README "Teaching the critic the
# test"): a bar head learns, on the training split, which candidates are closer to samples
# of Bach's average metrics, holding Bach above spoiled copies of it (about 3.3 min).
.venv/bin/composer-gui train-ranking --model "$model" --out "$model" --threads 2 \
    --closeness-to sampled --bar-head 64 --anchor-weight 0.5 --steps 2000 --lr 1e-3 \
    --batch-melodies 16
.venv/bin/composer-gui evaluate --model "$model" --split test --out docs/evaluation.json \
    --update-card
.venv/bin/composer-gui train-report "$run" --out docs/training/shipped
