#!/bin/sh
# disk_full.sh MILEAGE WORKDIR — a full disk under the catalog, simulated by
# the test-only fault VFS (catalog/faultvfs.c, MLG_TEST_CATALOG_FAULT=full:N:
# the first N bytes written go through, every later write fails with
# SQLITE_FULL).  At several budgets an EXPLORE must stop with a clear
# error that says how many runs it kept; the catalog must pass
# PRAGMA integrity_check and hold exactly those runs; once there is space
# again RESUME EXPERIMENT must finish exactly the missing runs with the
# scores an uninterrupted run gives.  A budget too small for the experiment
# row itself must leave no experiment behind.
set -u
bin=$1; work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
cd "$root" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
SETUP="CREATE DATASET d FROM 'data/iris.csv'; CREATE TASK t ON d PREDICT target EVALUATE BY CV(5) SEED 3;"
GRID="EXPLORE t USING logreg(C IN {0.01, 0.1, 1, 10}), knn(k IN {1, 3, 5, 7}) PREPROCESS standardize;"
PLANNED=40

ref="$work/ref.db"; rm -f "$ref" "$ref"-*
"$bin" --db "$ref" -c "$SETUP $GRID" > /dev/null || fail "reference run"
ref_sum=$("$bin" --db "$ref" --mode csv -c "SELECT printf('%.12f', sum(score)) FROM runs" | tail -1)

# 2000 bytes: not even the experiment row fits
db="$work/full.db"; rm -f "$db" "$db"-*
"$bin" --db "$db" -c "$SETUP" > /dev/null || fail "setup"
err=$(MLG_TEST_CATALOG_FAULT=full:2000 "$bin" --db "$db" -c "$GRID" 2>&1 >/dev/null) && fail "EXPLORE succeeded on a full disk"
case $err in *"cannot write the catalog: the disk is full"*) ;; *) fail "unclear error: $err" ;; esac
[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check with no room"
[ "$(sqlite3 "$db" 'SELECT count(*) FROM mlg_experiments')" = 0 ] || fail "an experiment row survived a failed begin"

# other writes on a full disk: refused whole, nothing half-written
err=$(MLG_TEST_CATALOG_FAULT=full:0 "$bin" --db "$db" -c "CREATE DATASET d2 FROM 'data/iris.csv';" 2>&1 >/dev/null) &&
    fail "CREATE DATASET succeeded on a full disk"
case $err in *"cannot write the catalog: the disk is full"*) ;; *) fail "unclear CREATE DATASET error: $err" ;; esac
err=$(MLG_TEST_CATALOG_FAULT=full:0 "$bin" --db "$db" -c "CREATE TASK t2 ON d PREDICT target;" 2>&1 >/dev/null) &&
    fail "CREATE TASK succeeded on a full disk"
case $err in *"cannot write the catalog: the disk is full"*) ;; *) fail "unclear CREATE TASK error: $err" ;; esac
[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after refused writes"
[ "$(sqlite3 "$db" 'SELECT (SELECT count(*) FROM mlg_datasets) || (SELECT count(*) FROM mlg_tasks)')" = 11 ] ||
    fail "a refused write left rows behind"
# a new catalog on a full disk
new="$work/new.db"; rm -f "$new" "$new"-*
err=$(MLG_TEST_CATALOG_FAULT=full:0 "$bin" --db "$new" -c "SHOW DATASETS;" 2>&1 >/dev/null) &&
    fail "a catalog was created on a full disk"
case $err in *"new.db: cannot "*"(the disk is full)"*) ;; *) fail "unclear error creating a catalog: $err" ;; esac

for budget in 40000 90000 200000; do
    db="$work/full.db"; rm -f "$db" "$db"-*
    "$bin" --db "$db" -c "$SETUP" > /dev/null || fail "setup"
    err=$(MLG_TEST_CATALOG_FAULT=full:$budget "$bin" --db "$db" -c "$GRID" 2>&1 >/dev/null) &&
        fail "EXPLORE succeeded with $budget bytes of space"
    case $err in
        *"cannot write the catalog: the disk is full; experiment 1 kept "*" of $PLANNED runs (RESUME EXPERIMENT 1 finishes it)"*) ;;
        *) fail "unclear error at $budget bytes: $err" ;;
    esac
    said=$(printf '%s\n' "$err" | sed -n 's/.*experiment 1 kept \([0-9]*\) of.*/\1/p')
    check=$(sqlite3 "$db" "PRAGMA integrity_check;")
    [ "$check" = ok ] || fail "integrity_check after disk full at $budget bytes: $check"
    kept=$("$bin" --db "$db" --mode csv -c "SELECT count(*) FROM runs" | tail -1)
    [ "$kept" = "$said" ] || fail "at $budget bytes the error says $said runs were kept, the catalog has $kept"
    [ "$kept" -gt 0 ] && [ "$kept" -lt "$PLANNED" ] || fail "at $budget bytes $kept runs kept: not mid-way"
    status=$("$bin" --db "$db" --mode csv -c "SELECT status FROM experiments WHERE id = 1" | tail -1)
    [ "$status" = interrupted ] || fail "after disk full the experiment is '$status', not interrupted"
    # space is back
    "$bin" --db "$db" -c "RESUME EXPERIMENT 1;" > /dev/null || fail "RESUME after disk full at $budget bytes"
    got=$("$bin" --db "$db" --mode csv -c "SELECT count(*) || ' ' || count(DISTINCT config_id || '/' || fold) || ' ' || printf('%.12f', sum(score)) FROM runs WHERE experiment = 1" | tail -1)
    [ "$got" = "$PLANNED $PLANNED $ref_sum" ] || fail "after RESUME: '$got', want '$PLANNED $PLANNED $ref_sum'"
    status=$("$bin" --db "$db" --mode csv -c "SELECT status FROM experiments WHERE id = 1" | tail -1)
    [ "$status" = finished ] || fail "resumed experiment is '$status'"
    [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after RESUME"
    echo "disk full at $budget bytes: $kept of $PLANNED runs kept, resumed to $PLANNED, scores identical"
done
echo ok
