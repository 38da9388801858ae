#!/usr/bin/env bash
# The seeds' claims on our data (issue 18): WGAN-GP, WGAN with weight clipping and BCE,
# and the same model with no adversarial term (reconstruction only), on one dataset and
# one budget, two seeds each; then docs/training/seeds-experiment.md with its plots.
#
# Every run is the GanConfig default (the model `composer-gui train` makes: best-of-2
# reconstruction weight 10 beside the adversarial term, 5 critic steps for every loss)
# but for its loss, its seed and, for "recon", adversarial_weight 0.  Runs go one seed of
# each loss first, so the most informative finish first.  A finished run is skipped and
# an unfinished one resumed from its checkpoint (every 250 iterations): run the same
# command again to complete the experiment.  The report is rewritten after every run,
# from whatever runs exist, and marks the missing ones.
#
# Usage: nohup nice -n 19 scripts/seeds_experiment.sh [ITERATIONS] [OUT_DIR] > LOG 2>&1 &
#   ITERATIONS (default 1000) generator iterations per run; OUT_DIR default runs/seeds.
#   SEEDS="0 1" the seeds; JOBS=2 runs at a time (one torch thread each, THREADS=1);
#   REPORT_DIR=docs/training where the page and its plots go.
#   PURE_SEEDS="0 1": then the three losses again without the reconstruction term
#   (recon_weight 0, "<loss>-pure"), the GAN as the seeds describe it; "" for none.
# About 7 min a run on one idle core; the report's candidate sweep about 1 min a run.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-1000}
out=${2:-runs/seeds}
seeds=${SEEDS:-0 1}
pure_seeds=${PURE_SEEDS-0 1}
jobs=${JOBS:-2}
threads=${THREADS:-1}
report_dir=${REPORT_DIR:-docs/training}
data="$out/data"
mkdir -p "$out"
# The experiment's own copy of the chorales, so every run (and a later session) reads
# the same data whatever happens to the shared cache.
[ -f "$data/manifest.json" ] || .venv/bin/composer-gui dataset build --out "$data"
echo '{"adversarial_weight": 0.0}' > "$out/recon-only.json"
echo '{"recon_weight": 0.0}' > "$out/pure-gan.json"

runs=()
for seed in $seeds; do
    for loss in wgan-gp wgan-clip bce recon; do runs+=("$loss-s$seed"); done
done
for seed in $pure_seeds; do
    for loss in wgan-gp wgan-clip bce; do runs+=("$loss-pure-s$seed"); done
done

done_iterations() {  # the iteration of a run's checkpoint, 0 when it has none
    .venv/bin/python -c 'import json, sys
try: print(json.load(open(sys.argv[1]))["iteration"])
except OSError: print(0)' "$1/checkpoint.json"
}

train_run() {  # trains or resumes a run; 1 when it was finished before, 2 on failure
    local name=$1 run="$out/$1" loss=${1%-s*} seed=${1##*-s}
    local have
    have=$(done_iterations "$run")
    if [ "$have" -ge "$iterations" ]; then
        echo "$name: done ($have iterations), skipped"
        return 1
    fi
    local args=(--data "$data" --run-dir "$run" --iterations "$iterations" --seed "$seed"
        --eval-every 10 --log-every 2 --threads "$threads")
    case $loss in
        recon) args+=(--config "$out/recon-only.json") ;;
        *-pure) args+=(--config "$out/pure-gan.json" --loss "${loss%-pure}") ;;
        *) args+=(--loss "$loss") ;;
    esac
    [ "$have" -gt 0 ] && args+=(--resume)
    echo "$name: from iteration $have to $iterations ($(date -u +%H:%M:%S))"
    .venv/bin/composer-gui train "${args[@]}" 2> "$run.progress" > /dev/null || {
        echo "$name: training stopped or failed, see $run.progress"
        return 2
    }
    echo "$name: finished ($(date -u +%H:%M:%S))"
}

report() {  # one at a time: lanes finish runs at different moments
    flock "$out/.report.lock" .venv/bin/python -m models.seeds_report "$out" \
        --iterations "$iterations" --seeds $seeds --pure-seeds $pure_seeds \
        --out "$report_dir" --threads "$threads" ||
        echo "the report failed; the runs go on"
}

# JOBS lanes take the runs in order: each claims the next unclaimed one (mkdir is atomic),
# so a third-kind run of seed 0 starts before any of seed 1.
claims="$out/.claims.$$"
mkdir -p "$claims"
for ((lane = 0; lane < jobs; lane++)); do
    (
        for name in "${runs[@]}"; do
            mkdir "$claims/$name" 2> /dev/null || continue
            mkdir -p "$out/$name"
            if train_run "$name"; then report; fi
        done
    ) &
done
wait
rm -r "$claims"
report  # also when every run was finished before, so the page follows the code
