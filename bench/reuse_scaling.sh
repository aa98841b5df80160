#!/bin/sh
# reuse_scaling.sh — how the lookup of reusable runs (catalog/reuse.c)
# scales with the number of earlier experiments on one task.  For each N it
# builds a catalog holding N experiments of the same task (iris, 5-fold CV,
# nb with 20 different var_smoothing values per experiment plus 5 common
# ridge configs that every experiment after the first reuses, so copies
# accumulate too) and times one fully reused EXPLORE of those 5 common
# configs plus one experiment's nb grid (wall seconds of a fresh process,
# best of 3).  No assertion on time: it prints the numbers.
# Usage: bench/reuse_scaling.sh [N ...]      (default: 10 100 300)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/build/mileage"
[ -x "$bin" ] || "$root/scripts/setup.sh" "$root/build"
[ $# -gt 0 ] || set -- 10 100 300
work=${REUSE_SCALING_DIR:-}; [ -n "$work" ] || { work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; }
common="ridge(alpha IN {0.01, 0.1, 1, 10, 100})"
grid() {   # the nb grid of experiment $1: 20 values no other experiment uses
    awk -v i="$1" 'BEGIN { s = ""; for (j = 0; j < 20; j++) s = s (j ? ", " : "") sprintf("%.6g", (i * 20 + j + 1) * 1e-9); print s }'
}
printf '%6s %8s %12s\n' N runs reused_s
for n in "$@"; do
    db="$work/c$n.db"
    rm -f "$db"
    {
        echo "CREATE DATASET iris FROM '$root/data/iris.csv';"
        echo "CREATE TASK t ON iris PREDICT target EVALUATE BY CV(5) SEED 1;"
        i=0
        while [ $i -lt "$n" ]; do
            echo "EXPLORE t USING $common, nb(var_smoothing IN {$(grid $i)}) TOP 1;"
            i=$((i + 1))
        done
    } > "$work/build.mql"
    "$bin" --db "$db" --mode csv "$work/build.mql" > /dev/null
    runs=$("$bin" --db "$db" --mode csv -c "SELECT count(*) FROM runs;" | tail -1)
    best=
    for k in 1 2 3; do
        t0=$(date +%s.%N)
        "$bin" --db "$db" --mode csv -c "EXPLORE t USING $common, nb(var_smoothing IN {$(grid 0)}) TOP 1;" > "$work/out"
        t1=$(date +%s.%N)
        s=$(echo "$t1 - $t0" | bc)
        if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; fi
    done
    fitted=$("$bin" --db "$db" --mode csv -c \
        "SELECT count(*) - count(reused_from) FROM runs WHERE experiment = (SELECT max(id) FROM experiments);" | tail -1)
    [ "$fitted" = 0 ] || echo "warning: the last EXPLORE fitted $fitted runs (not fully reused)" >&2
    printf '%6s %8s %12.3f\n' "$n" "$runs" "$best"
done
