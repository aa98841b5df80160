#!/bin/sh
# reuse_scaling.sh — how a fully reused EXPLORE scales with the number of
# earlier experiments on its task (issue 6: 6-12 s at ~100 experiments).
# For each N it builds a catalog holding a BASELINE and N experiments of the
# same task (iris, 5-fold CV; 5 ridge configs common to all, so every
# experiment after the first records copies of them, plus 20 nb configs of
# its own) and times one fully reused EXPLORE of the common configs and the
# first experiment's nb grid: wall seconds of a fresh process, best of 3,
# each on a fresh copy of the catalog.  The catalog lookups of that EXPLORE
# (reusable runs, measured fit seconds, the summary against the baseline)
# are what grows with N.  No assertion on time: it prints the numbers.
#   MILEAGE_BIN        the build timed (default build/mileage)
#   BEFORE_BIN         another build timed on the same catalogs; the two
#                      rankings (without times) are compared
#   BUILD_BIN          the build that writes the catalogs (default
#                      MILEAGE_BIN); give one of BEFORE_BIN's schema when
#                      that is older (MILEAGE_BIN migrates its copy once,
#                      before timing) -- building with a slow build is O(N^2)
#   REUSE_SCALING_DIR  keep the catalogs there (reused when present)
# Usage: bench/reuse_scaling.sh [N ...]      (default N: 10 100 300)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${MILEAGE_BIN:-$root/build/mileage}   # MILEAGE_BIN: another build (before / after)
[ -x "$bin" ] || "$root/scripts/setup.sh" "$root/build"
build_bin=${BUILD_BIN:-$bin}
[ $# -gt 0 ] || set -- 10 100 300
work=${REUSE_SCALING_DIR:-}; [ -n "$work" ] || { work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; }
common="ridge(alpha IN {0.01, 0.1, 1, 10, 100})"
grid() {   # the nb grid of experiment $1: 20 values no other experiment uses
    awk -v i="$1" 'BEGIN { s = ""; for (j = 0; j < 20; j++) s = s (j ? ", " : "") sprintf("%.6g", (i * 20 + j + 1) * 1e-9); print s }'
}
# wall seconds of the fully reused EXPLORE by binary $1 on a fresh copy
# of catalog $2, best of 3; its ranking (without times) kept as top.$3
timed() {
    best=
    for k in 1 2 3; do
        cp "$2" "$work/t.db"; rm -f "$work/t.db-wal" "$work/t.db-shm"
        t0=$(date +%s.%N)
        "$1" --db "$work/t.db" --mode csv -c "EXPLORE t USING $common, nb(var_smoothing IN {$(grid 0)}) TOP 1;" > "$work/out"
        t1=$(date +%s.%N)
        s=$(echo "$t1 - $t0" | bc)
        if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; fi
    done
    fitted=$("$1" --db "$work/t.db" --mode csv -c \
        "SELECT count(*) - count(reused_from) FROM runs WHERE experiment = (SELECT max(id) FROM experiments);" | tail -1)
    [ "$fitted" = 0 ] || echo "warning: the timed EXPLORE fitted $fitted runs (not fully reused)" >&2
    grep -v '^experiment' "$work/out" | cut -d, -f1-5 > "$work/top.$3"
    echo "$best"
}
if [ -n "${BEFORE_BIN:-}" ]; then printf '%6s %8s %10s %10s\n' N runs after_s before_s
else printf '%6s %8s %10s\n' N runs seconds; fi
for n in "$@"; do
    db="$work/c$n.db"
    if [ ! -f "$db" ]; then   # built by $bin; kept in REUSE_SCALING_DIR
        {
            echo "CREATE DATASET iris FROM '$root/data/iris.csv';"
            echo "CREATE TASK t ON iris PREDICT target EVALUATE BY CV(5) SEED 1;"
            echo "BASELINE t;"
            i=0
            while [ $i -lt "$n" ]; do
                echo "EXPLORE t USING $common, nb(var_smoothing IN {$(grid $i)}) TOP 1;"
                i=$((i + 1))
            done
        } > "$work/build.mql"
        "$build_bin" --db "$db" --mode csv "$work/build.mql" > /dev/null
    fi
    # the timed build's copy, migrated to its schema once (not timed)
    cp "$db" "$work/a.db"; rm -f "$work/a.db-wal" "$work/a.db-shm"
    runs=$("$bin" --db "$work/a.db" --mode csv -c "SELECT count(*) FROM runs;" | tail -1)
    after=$(timed "$bin" "$work/a.db" after)
    if [ -n "${BEFORE_BIN:-}" ]; then
        before=$(timed "$BEFORE_BIN" "$db" before)
        cmp -s "$work/top.after" "$work/top.before" || echo "warning: N=$n: rankings differ before / after" >&2
        printf '%6s %8s %10.3f %10.3f\n' "$n" "$runs" "$after" "$before"
    else
        printf '%6s %8s %10.3f\n' "$n" "$runs" "$after"
    fi
done
