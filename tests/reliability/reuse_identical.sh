#!/bin/sh
# reuse_identical.sh MILEAGE WORKDIR — reuse across queries changes no
# number: an EXPLORE, then a wider one that reuses its runs, against the
# same wider EXPLORE ... FRESH in a fresh catalog.  The ranked tables are
# identical; every run's every metric is identical bit for bit except
# logreg's, whose warm-started C path (share.c) ends at each optimum only
# to rounding: those agree within 1e-9, as with SET sharing = off.
set -u
bin=$1; work=$2
mkdir -p "$work"
root=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*"; exit 1; }
cd "$root" || exit 1
a="$work/a.db"; b="$work/b.db"; rm -f "$a" "$a"-* "$b" "$b"-*
setup="CREATE DATASET c FROM 'data/credit-g.csv';
CREATE TASK r ON c PREDICT class METRIC accuracy, logloss EVALUATE BY CV(5) SEED 7;"
pre="PREPROCESS impute(median), onehot, standardize"
narrow="EXPLORE r USING logreg(C IN {0.01, 1}), ridge(alpha IN {0.01, 1}), knn(k IN 1..9 STEP 2),
  tree(max_depth IN 2..5) $pre;"
wide="EXPLORE r USING logreg(C IN {0.01, 0.1, 1, 10}), ridge(alpha IN logspace(-2, 2, 5)),
  knn(k IN 1..15 STEP 2), tree(max_depth IN 2..8), nb $pre"
q() { db=$1; shift; "$bin" --db "$db" --no-times --mode csv -c "$@"; }

q "$a" "$setup $narrow" > /dev/null || fail "narrow explore"
q "$a" "$wide;" > "$work/a.out" || fail "wide explore with reuse"
grep -q "experiment 2: 25 configurations x 5 rounds = 125 runs, 65 reused from the repository" "$work/a.out" ||
    fail "reuse count: $(tail -1 "$work/a.out")"
q "$b" "$setup $wide FRESH;" > "$work/b.out" || fail "wide explore FRESH"
grep -q "experiment 1: 25 configurations x 5 rounds = 125 runs$" "$work/b.out" || fail "fresh: $(tail -1 "$work/b.out")"
# the ranked tables (config ids differ between catalogs: interning order)
grep -v '^created\|^experiment' "$work/a.out" | cut -d, -f1,3- > "$work/a.table"
grep -v '^created\|^experiment' "$work/b.out" | cut -d, -f1,3- > "$work/b.table"
diff "$work/a.table" "$work/b.table" || fail "the ranked tables differ"

# run by run, metric by metric
runs="SELECT family || ' ' || hex(params) || ' ' || fold || ' ' || j.key || ' ' || printf('%.17g', j.value)
        FROM runs, json_each(runs.scores) j WHERE experiment = (SELECT max(id) FROM experiments)
       ORDER BY family, params, fold, j.key"
q "$a" "$runs" > "$work/a.runs" || fail "runs a"
q "$b" "$runs" > "$work/b.runs" || fail "runs b"
[ "$(wc -l < "$work/a.runs")" -gt 1000 ] || fail "too few run metrics: $(wc -l < "$work/a.runs")"
paste -d'|' "$work/a.runs" "$work/b.runs" | awk -F'|' '
  NR == 1 { next }
  { na = split($1, x, " "); split($2, y, " ")
    if (x[1] != y[1] || x[2] != y[2] || x[na - 2] != y[na - 2] || x[na - 1] != y[na - 1]) { print "misaligned: " $0; bad = 1; exit }
    d = x[na] - y[na]; if (d < 0) d = -d
    if (x[1] != "logreg" && d != 0) { print "differs: " $0; bad = 1 }
    if (d > 1e-9) { print "differs beyond 1e-9: " $0; bad = 1 }
    if (d != 0) rounding++ }
  END { printf "%d run metrics compared, %d differ by rounding (logreg C path)\n", NR - 1, rounding; exit bad }' ||
    fail "scores differ"
# REPRODUCE: every run of the reusing experiment is identical
q "$a" "REPRODUCE EXPERIMENT 2;" | tail -1 | grep -q "125 runs, 125 identical, 0 different" ||
    fail "reproduce: $(q "$a" "REPRODUCE EXPERIMENT 2;" | tail -1)"
echo "ok"
