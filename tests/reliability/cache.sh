#!/bin/sh
# cache.sh MILEAGE WORKDIR — the intermediate cache beside the catalog:
# 1. a payload byte flipped, a file truncated, a file deleted: the rerun
#    warns about each, recomputes, stores them again, and every score is
#    identical to the first run's;
# 2. a small cache_budget is never exceeded: after every statement the
#    directory's bytes and the cache view's bytes are at most the budget;
# 3. fitted trees (kind 'model'): a tree file with a flipped payload byte,
#    one with a damaged header and a deleted one are reported, the trees
#    grown again from the root, every score identical; a stored tree
#    extended to a deeper cap gives the scores growing it at once gives;
# 4. knn's neighbour lists (kind 'neighbors'): the same three damages are
#    reported, the lists searched again and stored again, every score
#    identical; lists read for a smaller k score as searched without the
#    cache.
# 5. fitted forests and gbt models: the same damage (payload byte, header,
#    deleted file) on stored forests is reported and the forests grown
#    again, scores identical; a forest and a gbt model extended with more
#    trees / rounds score as fitted at once.
# 6. ridge's per-fold Gram blocks (kind 'gram'): a flipped payload byte
#    and a deleted file are reported, the blocks computed again and stored
#    again, every score identical; blocks read from the cache score as
#    computed without it.
# 7. FIT groups' predictions (kind 'predictions') and linear models: of
#    ridge by Gram blocks (no models kept, so its predictions are stored),
#    a predictions file with a flipped payload byte and a deleted one are
#    reported when another task needs the groups again, which are then
#    fitted and stored again, the intact one read; of logreg and linsvm
#    (their models stored, no predictions), a model file with a flipped
#    byte and a deleted one are reported and their groups fitted again;
#    every metric identical to the first fits.
set -u
bin=$1; work=$2
mkdir -p "$work"
root=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*"; exit 1; }
db="$work/c.db"; rm -rf "$db" "$db"-* "$db.cache"
q() { "$bin" --db "$db" --mode csv --no-times -c "$1"; }
dir_bytes() { find "$db.cache" -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {print s + 0}'; }

explore="EXPLORE land USING ridge(alpha IN {0.1, 10}), nb PREPROCESS standardize, pca(k IN {3, 4})"
# reruns are FRESH: the runs themselves are not taken from the repository,
# so the designs are needed again (and come from the cache)
rerun="$explore FRESH;"
explore="$explore;"
q "CREATE DATASET sat FROM '$root/data/satellite.csv';
   CREATE TASK land ON sat PREDICT classes EVALUATE BY CV(3) SEED 5; $explore" > /dev/null || fail "setup"
n=$(q "SELECT count(*) FROM cache" | tail -1)
[ "$n" -ge 3 ] || fail "expected designs in the cache, found $n"
files=$(q "SELECT file FROM cache ORDER BY file" | tail -n +2)
set -- $files
[ $# -ge 3 ] || fail "expected 3 files"
# flip one payload byte of the first, cut the second, delete the third
printf '\001' | dd of="$db.cache/$1" bs=1 seek=200 conv=notrunc 2>/dev/null
truncate -s 150 "$db.cache/$2"
rm "$db.cache/$3"
out=$(q "$rerun") || fail "rerun: $out"
[ "$(echo "$out" | grep -c '^warning: cache entry ')" -eq 3 ] || fail "expected 3 warnings: $out"
echo "$out" | grep -q "payload is damaged (checksum); removed and recomputed" || fail "checksum: $out"
echo "$out" | grep -q "missing or has the wrong size; removed" || fail "truncated: $out"
echo "$out" | grep -q "its file is missing\|missing or has the wrong size" || fail "deleted: $out"
# every score the same, bit for bit, with the cache's help or without
same=$(q "SELECT count(*) FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold
          WHERE a.experiment = 1 AND b.experiment = 2 AND a.score = b.score" | tail -1)
total=$(q "SELECT count(*) FROM runs WHERE experiment = 1" | tail -1)
[ "$same" = "$total" ] && [ "$total" -gt 0 ] || fail "scores differ after recomputing: $same of $total"
# the recomputed designs are back, intact: a third run warns about nothing
out=$(q "$rerun") || fail "third run"
echo "$out" | grep -q warning && fail "third run warned: $out"
q "SELECT count(*) FROM cache WHERE hits > 0" | tail -1 | grep -q '^[1-9]' || fail "no hits"

# a small budget: never exceeded after any statement
q "CLEAR CACHE" > /dev/null || fail "clear"
[ "$(dir_bytes)" -eq 0 ] || fail "CLEAR CACHE left files"
budget=700000
for k in 3 4 5 6 7 8; do
    q "SET cache_budget = $budget; EXPLORE land USING ridge(alpha = 1) PREPROCESS standardize, pca(k = $k);" \
        > /dev/null || fail "explore pca($k)"
    d=$(dir_bytes)
    r=$(q "SELECT coalesce(sum(bytes), 0) FROM cache" | tail -1)
    [ "$d" -le "$budget" ] || fail "pca($k): the directory holds $d bytes, budget $budget"
    [ "$r" -le "$budget" ] || fail "pca($k): the rows say $r bytes, budget $budget"
    [ "$d" -eq "$r" ] || fail "pca($k): directory $d bytes, rows $r"
done
[ "$(q "SELECT count(*) FROM cache" | tail -1)" -gt 0 ] || fail "nothing cached under the small budget"
# lowering the budget evicts at once
q "SET cache_budget = '200KB'; SELECT 1" > /dev/null || fail "lower budget"
[ "$(dir_bytes)" -le 204800 ] || fail "lowering the budget left $(dir_bytes) bytes"

# 3. fitted trees
q "SET cache_budget = '512MB'; CLEAR CACHE" > /dev/null || fail "clear for trees"
tree="EXPLORE land USING tree(max_depth IN 2..6)"
q "$tree;" > /dev/null || fail "trees"
first=$(q "SELECT max(id) FROM experiments" | tail -1)
files=$(q "SELECT file FROM cache WHERE kind = 'model' ORDER BY file" | tail -n +2)
set -- $files
[ $# -eq 3 ] || fail "expected 3 stored trees, found $#"
printf '\001' | dd of="$db.cache/$1" bs=1 seek=300 conv=notrunc 2>/dev/null
printf '\001' | dd of="$db.cache/$2" bs=1 seek=70 conv=notrunc 2>/dev/null
rm "$db.cache/$3"
out=$(q "$tree FRESH;") || fail "trees rerun: $out"
[ "$(echo "$out" | grep -c '^warning: cache entry tree to max_depth 6')" -eq 3 ] || fail "expected 3 tree warnings: $out"
echo "$out" | grep -q "payload is damaged (checksum); removed and recomputed" || fail "tree checksum: $out"
echo "$out" | grep -q "header is damaged\|missing or has the wrong size" || fail "tree header: $out"
second=$(q "SELECT max(id) FROM experiments" | tail -1)
same=$(q "SELECT count(*) FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold
          WHERE a.experiment = $first AND b.experiment = $second AND a.score = b.score" | tail -1)
[ "$same" = 15 ] || fail "tree scores differ after regrowing: $same of 15"
[ "$(q "SELECT count(*) FROM cache WHERE kind = 'model'" | tail -1)" -eq 3 ] || fail "the trees were not stored again"
# deeper: the stored trees to 6 are extended to 9, scores as grown at once
out=$(q "$tree FRESH; EXPLORE land USING tree(max_depth IN 2..9) FRESH;") || fail "extend: $out"
echo "$out" | grep -q warning && fail "extending warned: $out"
ext=$(q "SELECT max(id) FROM experiments" | tail -1)
q "SELECT what FROM cache WHERE kind = 'model'" | grep -q "tree to max_depth 9" || fail "the extended trees were not stored"
out=$(q "SET reuse = off; EXPLORE land USING tree(max_depth IN 2..9);") || fail "reuse off"
off=$(q "SELECT max(id) FROM experiments" | tail -1)
same=$(q "SELECT count(*) FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold
          WHERE a.experiment = $ext AND b.experiment = $off AND a.scores = b.scores" | tail -1)
[ "$same" = 24 ] || fail "extended trees score differently from trees grown at once: $same of 24"

# 4. knn's neighbour lists
q "SET cache_budget = '512MB'; SET reuse = on; CLEAR CACHE" > /dev/null || fail "clear for knn"
knn="EXPLORE land USING knn(k IN 1..9 STEP 2)"
q "$knn;" > /dev/null || fail "knn"
first=$(q "SELECT max(id) FROM experiments" | tail -1)
files=$(q "SELECT file FROM cache WHERE kind = 'neighbors' ORDER BY file" | tail -n +2)
set -- $files
[ $# -eq 3 ] || fail "expected 3 stored neighbour lists, found $#"
printf '\001' | dd of="$db.cache/$1" bs=1 seek=300 conv=notrunc 2>/dev/null
printf '\001' | dd of="$db.cache/$2" bs=1 seek=70 conv=notrunc 2>/dev/null
rm "$db.cache/$3"
out=$(q "$knn FRESH;") || fail "knn rerun: $out"
[ "$(echo "$out" | grep -c '^warning: cache entry knn neighbours K=9 euclidean')" -eq 3 ] ||
    fail "expected 3 neighbour-list warnings: $out"
echo "$out" | grep -q "payload is damaged (checksum); removed and recomputed" || fail "lists checksum: $out"
echo "$out" | grep -q "header is damaged" || fail "lists header: $out"
echo "$out" | grep -q "missing or has the wrong size\|its file is missing" || fail "lists deleted: $out"
second=$(q "SELECT max(id) FROM experiments" | tail -1)
same=$(q "SELECT count(*) FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold
          WHERE a.experiment = $first AND b.experiment = $second AND a.scores = b.scores" | tail -1)
[ "$same" = 15 ] || fail "knn scores differ after searching again: $same of 15"
[ "$(q "SELECT count(*) FROM cache WHERE kind = 'neighbors'" | tail -1)" -eq 3 ] || fail "the lists were not stored again"
# a smaller grid reads the stored lists (hits), scores as searched without the cache
out=$(q "EXPLORE land USING knn(k IN {3, 5}, weights = 'distance');") || fail "knn reuse: $out"
echo "$out" | grep -q warning && fail "reading the lists warned: $out"
used=$(q "SELECT max(id) FROM experiments" | tail -1)
q "SELECT count(*) FROM cache WHERE kind = 'neighbors' AND hits > 0" | tail -1 | grep -q '^3$' || fail "lists not read"
out=$(q "SET reuse = off; EXPLORE land USING knn(k IN {3, 5}, weights = 'distance');") || fail "knn reuse off"
off=$(q "SELECT max(id) FROM experiments" | tail -1)
same=$(q "SELECT count(*) FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold
          WHERE a.experiment = $used AND b.experiment = $off AND a.scores = b.scores" | tail -1)
[ "$same" = 6 ] || fail "lists read from the cache score differently: $same of 6"
# 5. fitted forests and gbt models
q "CLEAR CACHE" > /dev/null || fail "clear for forests"
forest="EXPLORE land USING forest(trees IN {4, 8}, max_depth = 5)"
q "$forest;" > /dev/null || fail "forests"
first=$(q "SELECT max(id) FROM experiments" | tail -1)
files=$(q "SELECT file FROM cache WHERE kind = 'model' ORDER BY file" | tail -n +2)
set -- $files
[ $# -eq 3 ] || fail "expected 3 stored forests, found $#"
printf '\001' | dd of="$db.cache/$1" bs=1 seek=2000 conv=notrunc 2>/dev/null
printf '\001' | dd of="$db.cache/$2" bs=1 seek=70 conv=notrunc 2>/dev/null
rm "$db.cache/$3"
out=$(q "$forest FRESH;") || fail "forests rerun: $out"
[ "$(echo "$out" | grep -c '^warning: cache entry forest of 8 trees to max_depth 5')" -eq 3 ] ||
    fail "expected 3 forest warnings: $out"
echo "$out" | grep -q "payload is damaged (checksum); removed and recomputed" || fail "forest checksum: $out"
echo "$out" | grep -q "header is damaged\|missing or has the wrong size" || fail "forest header: $out"
second=$(q "SELECT max(id) FROM experiments" | tail -1)
same=$(q "SELECT count(*) FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold
          WHERE a.experiment = $first AND b.experiment = $second AND a.scores = b.scores" | tail -1)
[ "$same" = 6 ] || fail "forest scores differ after regrowing: $same of 6"
[ "$(q "SELECT count(*) FROM cache WHERE kind = 'model'" | tail -1)" -eq 3 ] || fail "the forests were not stored again"
# more trees and more rounds: extended, scores as fitted at once
out=$(q "EXPLORE land USING forest(trees IN {4, 12}, max_depth = 5) FRESH;
         EXPLORE land USING gbt(rounds = 3, max_depth = 2);
         EXPLORE land USING gbt(rounds IN {3, 7}, max_depth = 2) FRESH;") || fail "extend forests: $out"
echo "$out" | grep -q warning && fail "extending warned: $out"
fx=$((second + 1)); gx=$((second + 3))
q "SELECT what FROM cache WHERE kind = 'model'" | grep -q "forest of 12 trees" || fail "the extended forests were not stored"
q "SELECT what FROM cache WHERE kind = 'model'" | grep -q "gbt of 7 rounds" || fail "the continued gbt was not stored"
q "SET reuse = off; EXPLORE land USING forest(trees IN {4, 12}, max_depth = 5);
   EXPLORE land USING gbt(rounds IN {3, 7}, max_depth = 2);" > /dev/null || fail "reuse off"
off=$(q "SELECT max(id) FROM experiments" | tail -1)
same=$(q "SELECT count(*) FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold
          WHERE (a.experiment = $fx AND b.experiment = $((off - 1)) OR a.experiment = $gx AND b.experiment = $off)
            AND a.scores = b.scores" | tail -1)
[ "$same" = 12 ] || fail "extended forests / gbt score differently from models fitted at once: $same of 12"

# 6. ridge's per-fold Gram blocks
q "CLEAR CACHE" > /dev/null || fail "clear for gram blocks"
ridge="EXPLORE land USING ridge(alpha IN {0.1, 1, 10}) PREPROCESS standardize"
gram_runs() { q "SELECT max(id) FROM experiments" | tail -1; }
q "$ridge;" > /dev/null || fail "ridge"
first=$(gram_runs)
gram_file() { q "SELECT file FROM cache WHERE kind = 'gram'" | tail -n +2; }
set -- $(gram_file)
[ $# -eq 1 ] || fail "expected 1 stored entry of gram blocks, found $#"
printf '\001' | dd of="$db.cache/$1" bs=1 seek=300 conv=notrunc 2>/dev/null
out=$(q "$ridge FRESH;") || fail "gram rerun: $out"
[ "$(echo "$out" | grep -c '^warning: cache entry gram blocks, 3 folds, 36 columns, dataset sat is unusable')" -eq 1 ] ||
    fail "expected 1 gram warning: $out"
echo "$out" | grep -q "payload is damaged (checksum); removed and recomputed" || fail "gram checksum: $out"
second=$(gram_runs)
set -- $(gram_file)
[ $# -eq 1 ] || fail "the gram blocks were not stored again after the damaged file"
rm "$db.cache/$1"
out=$(q "$ridge FRESH;") || fail "gram rerun after delete: $out"
echo "$out" | grep -q "cache entry gram blocks.*\(its file is missing\|missing or has the wrong size\)" ||
    fail "gram deleted: $out"
third=$(gram_runs)
[ "$(gram_file | wc -l)" -eq 1 ] || fail "the gram blocks were not stored again after the deleted file"
# intact now: read without a warning, and every score as computed
out=$(q "$ridge FRESH;") || fail "gram reuse: $out"
echo "$out" | grep -q warning && fail "reading the gram blocks warned: $out"
fourth=$(gram_runs)
q "SELECT hits FROM cache WHERE kind = 'gram'" | tail -1 | grep -q '^1$' || fail "the gram blocks were not read"
q "SET reuse = off; $ridge;" > /dev/null || fail "gram reuse off"
off=$(gram_runs)
for x in $second $third $fourth $off; do
    same=$(q "SELECT count(*) FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold
              WHERE a.experiment = $first AND b.experiment = $x AND a.scores = b.scores" | tail -1)
    [ "$same" = 9 ] || fail "ridge scores of experiment $x differ from the first's: $same of 9"
done
# 7. predictions and linear models
q "SET cache_budget = '512MB'; SET reuse = on; CLEAR CACHE;
   CREATE TASK land_ll ON sat PREDICT classes METRIC logloss EVALUATE BY CV(3) SEED 5;
   CREATE TASK land_bal ON sat PREDICT classes METRIC balanced_accuracy EVALUATE BY CV(3) SEED 5;" > /dev/null ||
    fail "clear for predictions"
# ridge by Gram blocks keeps no models: its predictions are what is stored
gram="USING ridge(alpha IN {0.2, 2, 20}) PREPROCESS standardize;"
q "EXPLORE land $gram" > /dev/null || fail "ridge for predictions"
first=$(q "SELECT max(id) FROM experiments" | tail -1)
[ "$(q "SELECT count(*) FROM cache WHERE kind = 'predictions'" | tail -1)" -eq 3 ] || fail "expected 3 predictions"
set -- $(q "SELECT file FROM cache WHERE kind = 'predictions' ORDER BY file" | tail -n +2)
printf '\001' | dd of="$db.cache/$1" bs=1 seek=500 conv=notrunc 2>/dev/null
rm "$db.cache/$2"
out=$(q "EXPLORE land_ll $gram") || fail "predictions rerun: $out"
[ "$(echo "$out" | grep -c '^warning: cache entry predictions of ')" -eq 2 ] || fail "expected 2 predictions warnings: $out"
echo "$out" | grep -q "payload is damaged (checksum); removed and recomputed" || fail "predictions checksum: $out"
echo "$out" | grep -q "missing or has the wrong size" || fail "predictions deleted: $out"
second=$(q "SELECT max(id) FROM experiments" | tail -1)
same=$(q "SELECT count(*) FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold
          WHERE a.experiment = $first AND b.experiment = $second AND a.scores = b.scores" | tail -1)
[ "$same" = 9 ] || fail "scores differ after damaged predictions: $same of 9"
[ "$(q "SELECT count(*) FROM cache WHERE kind = 'predictions'" | tail -1)" -eq 3 ] || fail "predictions not stored again"
[ "$(q "SELECT count(*) FROM cache WHERE kind = 'predictions' AND hits > 0" | tail -1)" -eq 1 ] ||
    fail "the intact predictions were not read"
# logreg and linsvm keep their models (predictions would spare only
# predicting from them); two models of different groups damaged
lin="USING logreg(C IN {0.1, 1}), linsvm;"
q "EXPLORE land $lin" > /dev/null || fail "linear"
first=$(q "SELECT max(id) FROM experiments" | tail -1)
[ "$(q "SELECT count(*) FROM cache WHERE kind = 'model'" | tail -1)" -eq 9 ] || fail "expected 9 models"
f1=$(q "SELECT file FROM cache WHERE what LIKE 'logreg model C=0.1,%round 1,%'" | tail -1)
f2=$(q "SELECT file FROM cache WHERE what LIKE 'linsvm model %round 2,%'" | tail -1)
printf '\001' | dd of="$db.cache/$f1" bs=1 seek=300 conv=notrunc 2>/dev/null
rm "$db.cache/$f2"
out=$(q "EXPLORE land_bal $lin") || fail "models rerun: $out"
[ "$(echo "$out" | grep -c '^warning: cache entry .* model ')" -eq 2 ] || fail "expected 2 model warnings: $out"
echo "$out" | grep -q "payload is damaged (checksum); removed and recomputed" || fail "model checksum: $out"
echo "$out" | grep -q "missing or has the wrong size" || fail "model deleted: $out"
third=$(q "SELECT max(id) FROM experiments" | tail -1)
same=$(q "SELECT count(*) FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold
          WHERE a.experiment = $first AND b.experiment = $third AND a.scores = b.scores" | tail -1)
[ "$same" = 9 ] || fail "scores differ after damaged models: $same of 9"
[ "$(q "SELECT count(*) FROM cache WHERE kind = 'model' AND hits > 0" | tail -1)" -gt 0 ] || fail "no model was read"
echo "ok"
