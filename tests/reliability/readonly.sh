#!/bin/sh
# readonly.sh MILEAGE WORKDIR — a catalog that may only be read, simulated
# by the test-only fault VFS (catalog/faultvfs.c): MLG_TEST_CATALOG_FAULT=
# readonly (the file is not writable, its directory is) and readonly-media
# (a read-only mount: nothing can be created beside the file either).  In
# both, SELECT, SHOW, DESCRIBE and EXPLAIN must answer as before; every
# statement that writes must fail with the read-only message; the file must
# not change.  When not running as root, the same with a real chmod 444.
set -u
bin=$1; work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
cd "$root" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
MSG="the catalog is read-only: this statement needs to write to it (SELECT, SHOW, DESCRIBE and EXPLAIN still work)"
READS="SELECT count(*), sum(score) FROM runs; SHOW DATASETS; SHOW TASKS; SHOW EXPERIMENTS; DESCRIBE d; EXPLAIN EXPLORE t USING baseline;"

db="$work/ro.db"; rm -f "$db" "$db"-*
"$bin" --db "$db" --no-times -c "CREATE DATASET d FROM 'data/iris.csv';
    CREATE TASK t ON d PREDICT target EVALUATE BY CV(3) SEED 1;
    EXPLORE t USING baseline, logreg(C IN {0.1, 1});
    CREATE TASK t2 ON d PREDICT target EVALUATE BY CV(3) SEED 2;" > /dev/null || fail "setup"
# an interrupted experiment, so RESUME has something to write
sqlite3 "$db" "INSERT INTO mlg_experiments(task_id, statement, spec_json, planned_runs, status)
               SELECT task_id, statement, spec_json, planned_runs, 'interrupted' FROM mlg_experiments WHERE id = 1" ||
    fail "setup: interrupted experiment"
want=$("$bin" --db "$db" --no-times -c "$READS") || fail "reads on the writable catalog"
sum=$(sha256sum < "$db")

check_mode() {  # $1: label, then the command prefix to run mileage read-only
    label=$1; shift
    got=$("$@" --db "$db" --no-times -c "$READS" 2>&1) || fail "$label: reads failed: $got"
    [ "$got" = "$want" ] || fail "$label: reads differ from the writable catalog:
$got"
    for w in "CREATE DATASET d2 FROM 'data/iris.csv';" "CREATE TASK t3 ON d PREDICT target;" \
             "DROP TASK t2;" "DROP DATASET d CASCADE;" "EXPLORE t USING baseline;" \
             "EXPLAIN ANALYZE EXPLORE t USING baseline;" "RESUME EXPERIMENT 2;"; do
        err=$("$@" --db "$db" -c "$w" 2>&1 >/dev/null) && fail "$label: '$w' succeeded"
        case $err in *"$MSG"*) ;; *) fail "$label: '$w' gave: $err" ;; esac
    done
    [ "$(sha256sum < "$db")" = "$sum" ] || fail "$label: the catalog file changed"
    echo "$label: reads answer, 7 kinds of write refused, file unchanged"
}

check_mode "read-only file" env MLG_TEST_CATALOG_FAULT=readonly "$bin"
# a read-only mount has no -wal/-shm beside a cleanly closed catalog
"$bin" --db "$db" -c "SHOW TASKS;" > /dev/null || fail "reopen"
[ ! -e "$db-wal" ] || fail "the -wal file stayed after a clean close"
check_mode "read-only media" env MLG_TEST_CATALOG_FAULT=readonly-media "$bin"
[ ! -e "$db-wal" ] && [ ! -e "$db-shm" ] || fail "read-only media: a -wal or -shm file was created"

if [ "$(id -u)" -ne 0 ]; then
    chmod 444 "$db"
    check_mode "chmod 444" "$bin"
    chmod 644 "$db"
else
    echo "chmod 444: skipped (root ignores file permissions)"
fi
[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"

# an empty file cannot become a catalog when it may not be written
empty="$work/empty.db"; rm -f "$empty"*; : > "$empty"
err=$(MLG_TEST_CATALOG_FAULT=readonly-media "$bin" --db "$empty" -c "SHOW TASKS;" 2>&1) && fail "read-only empty file opened"
case $err in *"empty.db: catalog is read-only and empty (no mileage schema to read)"*) ;; *) fail "empty: $err" ;; esac
echo ok
