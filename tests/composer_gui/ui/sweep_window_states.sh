#!/bin/sh
# Session 23's sweep of the window's state machine (explore_window_states.py), fixed
# before it was run: one run at a time, niced, each seed's result in its own log.
#   A: seeds 0-59 at CI's size, 25 examples x 15 steps
#   B: seeds 100-109 at 100 examples x 30 steps
#   C: seeds 200-202 at 300 examples x 50 steps (if time is left)
# Usage: sh tests/composer_gui/ui/sweep_window_states.sh A|B|C LOGDIR
set -u
part=$1
logs=$2
mkdir -p "$logs"
case $part in
A) seeds=$(seq 0 59) N=25 S=15 ;;
B) seeds=$(seq 100 109) N=100 S=30 ;;
C) seeds=$(seq 200 202) N=300 S=50 ;;
*) echo "part must be A, B or C" >&2; exit 2 ;;
esac
for seed in $seeds; do
    start=$(date +%s)
    N=$N S=$S QT_QPA_PLATFORM=offscreen nice -n 10 .venv/bin/python -m pytest \
        tests/composer_gui/ui/explore_window_states.py -q -p no:cacheprovider \
        --hypothesis-seed="$seed" > "$logs/$part-$seed.log" 2>&1
    rc=$?
    echo "$part seed=$seed N=$N S=$S rc=$rc seconds=$(( $(date +%s) - start ))"
done
