#!/bin/sh
# kill_resume.sh MILEAGE WORKDIR — crash consistency: an EXPLORE is killed
# with SIGKILL at several moments; each time the catalog must pass
# PRAGMA integrity_check, keep the runs that finished, show the experiment
# as interrupted, and RESUME EXPERIMENT must finish exactly the missing runs
# with the scores an uninterrupted run gives.
set -u
bin=$1; work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
cd "$root" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
SETUP="CREATE DATASET d FROM 'data/satellite.csv'; CREATE TASK t ON d PREDICT classes EVALUATE BY CV(5) SEED 3;"
GRID="EXPLORE t USING logreg(C IN logspace(-3, 0, 4)), knn(k IN 1..9 STEP 2), tree(max_depth IN 2..6) PREPROCESS standardize TOP 1;"
PLANNED=$(( (4 + 5 + 5) * 5 ))

# the reference: one uninterrupted run
ref="$work/ref.db"; rm -f "$ref" "$ref"-*
"$bin" --db "$ref" -c "$SETUP $GRID" > /dev/null || fail "reference run"
ref_sum=$("$bin" --db "$ref" --mode csv -c "SELECT printf('%.12f', sum(score)) FROM runs" | tail -1)

# Kill points are positions in the experiment, not times (a sanitizer
# build or a loaded machine is many times slower): as soon as the
# experiment row exists with no run yet, after 10 runs, after 40 runs.
# The catalog is polled read-only (WAL lets a reader in beside the writer).
runs_now() { sqlite3 "$1" "SELECT count(*) FROM mlg_runs WHERE experiment_id = 1;" 2>/dev/null; }
exp_now() { sqlite3 "$1" "SELECT count(*) FROM mlg_experiments WHERE id = 1;" 2>/dev/null; }
for at in 0 10 40; do
    delay="$at runs"
    db="$work/kill.db"; rm -f "$db" "$db"-*
    "$bin" --db "$db" -c "$SETUP" > /dev/null || fail "setup"
    "$bin" --db "$db" -c "$GRID" > /dev/null 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        e=$(exp_now "$db"); n=$(runs_now "$db")
        [ "${e:-0}" -ge 1 ] && [ "${n:-0}" -ge "$at" ] && break
        sleep 0.02
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    check=$(sqlite3 "$db" "PRAGMA integrity_check;")
    [ "$check" = ok ] || fail "integrity_check after kill at ${delay}: $check"
    kept=$("$bin" --db "$db" --mode csv -c "SELECT count(*) FROM runs" | tail -1)
    status=$("$bin" --db "$db" --mode csv -c "SELECT status FROM experiments WHERE id = 1" | tail -1)
    if [ "$kept" -lt "$PLANNED" ]; then
        [ "$status" = interrupted ] || fail "after kill at ${delay} the experiment is '$status', not interrupted"
    fi
    "$bin" --db "$db" -c "RESUME EXPERIMENT 1;" > /dev/null || fail "RESUME after kill at ${delay}"
    got=$("$bin" --db "$db" --mode csv -c "SELECT count(*) || ' ' || count(DISTINCT config_id || '/' || fold) || ' ' || printf('%.12f', sum(score)) FROM runs WHERE experiment = 1" | tail -1)
    [ "$got" = "$PLANNED $PLANNED $ref_sum" ] || fail "after kill at ${delay} and RESUME: '$got', want '$PLANNED $PLANNED $ref_sum'"
    status=$("$bin" --db "$db" --mode csv -c "SELECT status FROM experiments WHERE id = 1" | tail -1)
    [ "$status" = finished ] || fail "resumed experiment is '$status'"
    echo "kill at ${delay}: $kept of $PLANNED runs kept, resumed to $PLANNED, scores identical"
done
echo ok
