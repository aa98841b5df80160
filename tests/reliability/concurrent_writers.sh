#!/bin/sh
# concurrent_writers.sh MILEAGE WORKDIR — 4 processes explore into the same
# catalog at once: none may fail (no "database is locked"), and every run
# of every one is recorded.
set -u
bin=$1; work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
cd "$root" || exit 1
db="$work/shared.db"; rm -f "$db" "$db"-*
"$bin" --db "$db" -c "CREATE DATASET d FROM 'data/satellite.csv'; CREATE TASK t ON d PREDICT classes EVALUATE BY CV(5);" > /dev/null || { echo "FAIL: setup"; exit 1; }
GRID="EXPLORE t USING ridge(alpha IN logspace(-2, 2, 5)), knn(k IN 1..9 STEP 2), tree(max_depth IN 2..4), baseline PREPROCESS standardize TOP 1;"
PER=$(( (5 + 5 + 3 + 1) * 5 ))
pids=""
for w in 1 2 3 4; do
    "$bin" --db "$db" -c "SET threads = 1; $GRID" > "$work/w$w.out" 2>&1 &
    pids="$pids $!"
done
bad=0
for p in $pids; do wait "$p" || bad=1; done
if [ "$bad" != 0 ]; then echo "FAIL: a writer failed:"; cat "$work"/w*.out; exit 1; fi
if grep -q "locked" "$work"/w*.out; then echo "FAIL: database is locked"; exit 1; fi
n=$("$bin" --db "$db" --mode csv -c "SELECT count(*) FROM runs" | tail -1)
e=$("$bin" --db "$db" --mode csv -c "SELECT count(*) FROM experiments WHERE status = 'finished'" | tail -1)
[ "$n" = $((4 * PER)) ] || { echo "FAIL: $n runs, want $((4 * PER))"; exit 1; }
[ "$e" = 4 ] || { echo "FAIL: $e finished experiments, want 4"; exit 1; }
echo "ok: 4 writers, $n runs"
