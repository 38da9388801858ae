#!/usr/bin/env bash
# The one command that makes the shipped model, resources/weights/composer-chorales.*:
# build the chorale dataset, train (GanConfig defaults, seed 0) for 2000 iterations, then
# 500 more in which half of the critic's fakes are spoiled real chorales
# (models/negatives.py: without them the critic judged the generator's accent, not the
# harmony), export the EMA generator and the critic, add the critic's bar head (its
# ranking stage), then evaluate on the test split and
# store metrics and the critic's calibration (from the validation split) in the model card.
# Between the export and the ranking stage, a fine-tuning stage on every accompanied meter.
# Usage: scripts/train_shipped_model.sh [RUN_DIR]   (about 100 min on 2 CPU cores)
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
# Every meter it accompanies (issue 16, docs/meters.md): the chorales again, each also
# re-timed into compound meter (12/8, 9/8, 6/8, 6/4, 3/8) and re-barred (2/4, 2/2, 3/2)
# by models/retime.py, each meter drawn equally; 800 iterations from the model above
# (about 8 min on an idle 2-core machine, 30 min on the shared one it was made on).
.venv/bin/composer-gui dataset build --meters --out "$run-meters-data"
.venv/bin/composer-gui train --data "$run-meters-data" --run-dir "$run-meters" \
    --init-from "$model" --config models/configs/meters-stage.json --iterations 800 \
    --threads "$threads" --eval-every 200 --export "$model"
# The critic's ranking stage (models/critic_ranking.py, docs/model.md "Teaching the critic the
# test"): a bar head learns, on the training split, which candidates are closer to samples
# of Bach's average metrics, holding Bach above spoiled copies of it (about 3.3 min).
.venv/bin/composer-gui train-ranking --model "$model" --out "$model" --threads 2 \
    --closeness-to sampled --bar-head 64 --anchor-weight 0.5 --steps 2000 --lr 1e-3 \
    --batch-melodies 16
.venv/bin/composer-gui evaluate --model "$model" --split test --out docs/evaluation.json \
    --update-card
.venv/bin/composer-gui train-report "$run" --out docs/training/shipped
