#!/bin/sh
# data_versions.sh MILEAGE WORKDIR — a dataset re-created from a changed
# file gets a new version; the old version, its task and runs stay
# queryable (as NAME@v1) and apart from the new version's rankings;
# REPRODUCE of an old run refuses with the reason once the file changed,
# and reports identical runs while it has not.
set -u
bin=$1; work=$2
mkdir -p "$work"
root=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*"; exit 1; }
db="$work/v.db"; rm -f "$db" "$db"-*
csv="$work/iris.csv"
cp "$root/data/iris.csv" "$csv"
q() { "$bin" --db "$db" --mode csv --no-times -c "$1"; }

q "CREATE DATASET iris FROM '$csv'; CREATE TASK species ON iris PREDICT target EVALUATE BY CV(3) SEED 1;
   EXPLORE species USING logreg, tree(max_depth = 2);" > /dev/null || fail "setup"
out=$(q "REPRODUCE EXPERIMENT 1;") || fail "reproduce before the change"
echo "$out" | grep -q "6 runs, 6 identical, 0 different" || fail "expected 6 identical runs: $out"
out=$(q "CREATE DATASET iris FROM '$csv';" 2>&1) && fail "same content must be refused"
echo "$out" | grep -q "already exists with this content" || fail "unexpected message: $out"

# a stored score that no longer matches (changed behind mileage's back) is
# reported with the stored and the new value
if command -v sqlite3 > /dev/null; then
    sqlite3 "$db" "UPDATE mlg_runs SET scores_json = json_set(scores_json, '\$.accuracy', 0.5) WHERE id = 2;" ||
        fail "tamper"
    out=$(q "REPRODUCE RUN 2;") || fail "reproduce run 2"
    echo "$out" | grep -q "different,accuracy,0.5,.*accuracy: 0.5 -> " || fail "difference not reported: $out"
    echo "$out" | grep -q "1 run, 0 identical, 1 different" || fail "summary: $out"
fi

# the file changes: the last data row goes
sed -i '$d' "$csv"
out=$(q "REPRODUCE EXPERIMENT 1;" 2>&1) && fail "REPRODUCE must refuse changed data"
echo "$out" | grep -q "cannot reproduce experiment 1: .*the file changed since CREATE DATASET iris" ||
    fail "unexpected refusal: $out"
out=$(q "CREATE DATASET iris FROM '$csv';") || fail "new version"
echo "$out" | grep -q "this is version 2, .* kept as iris@v1" || fail "unexpected message: $out"
[ "$(q "SELECT name || ':' || version || ':' || rows FROM datasets ORDER BY id" | tail -n +2 | tr '\n' ' ')" = \
  "iris@v1:1:150 iris:2:149 " ] || fail "datasets view"
[ "$(q "SELECT dataset FROM tasks WHERE name = 'species'" | tail -1)" = "iris@v1" ] || fail "old task keeps v1"

q "CREATE TASK species2 ON iris PREDICT target EVALUATE BY CV(3) SEED 1;
   EXPLORE species2 USING logreg, tree(max_depth = 2), knn;" > /dev/null || fail "explore on v2"
# old runs stay queryable, each experiment on its own version
[ "$(q "SELECT experiment || ':' || dataset || ':' || count(*) FROM runs GROUP BY experiment" | tail -n +2 | tr '\n' ' ')" = \
  "1:iris@v1:6 2:iris:9 " ] || fail "runs per version"
[ "$(q "SELECT experiment || ':' || dataset_version FROM provenance GROUP BY experiment" | tail -n +2 | tr '\n' ' ')" = \
  "1:1 2:2 " ] || fail "provenance versions"
# the new version's ranking holds its own configurations only
[ "$(q "SELECT count(*) FROM results WHERE experiment = 2" | tail -1)" = 3 ] || fail "ranking of v2"
# each version keeps its own meta-features (the new one computed from the new rows)
[ "$(q "SELECT dataset || ':' || coalesce(task, '-') || ':' || rows FROM meta_features ORDER BY dataset, task" | tail -n +2 | tr '\n' ' ')" = \
  "iris:species2:149 iris@v1:species:150 " ] || fail "meta_features per version"
# the old version cannot be used with changed data
q "EXPLORE species USING logreg;" > /dev/null 2>&1 && fail "EXPLORE on the old version must refuse"

# reuse across queries never crosses versions: v2's experiment fitted
# everything although v1 had run logreg and the tree under the same task
# definition; within v2 the same EXPLORE again reuses all of it
[ "$(q "SELECT count(reused_from) FROM runs WHERE experiment = 2" | tail -1)" = 0 ] || fail "v1 runs reused on v2"
out=$(q "EXPLORE species2 USING logreg, tree(max_depth = 2), knn;") || fail "explore on v2 again"
echo "$out" | grep -q "9 runs, 9 reused from the repository" || fail "v2 not reused within v2: $out"
# the file goes back to v1's content: version 3 has v1's content hash but
# is another version, and v1's runs are not taken either
cp "$root/data/iris.csv" "$csv"
out=$(q "CREATE DATASET iris FROM '$csv';") || fail "version 3"
echo "$out" | grep -q "this is version 3" || fail "unexpected message: $out"
out=$(q "CREATE TASK species3 ON iris PREDICT target EVALUATE BY CV(3) SEED 1;
         EXPLORE species3 USING logreg, tree(max_depth = 2);") || fail "explore on v3"
echo "$out" | grep -q "reused" && fail "runs of another version reused on v3: $out"
echo "ok"
