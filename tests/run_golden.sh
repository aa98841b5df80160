#!/bin/sh
# run_golden.sh MILEAGE QUERY.mql WORKDIR
# Runs one golden query file with a fresh catalog and compares stdout+stderr
# (and the exit status, as a last line) with tests/golden/expected/NAME.out.
# MLG_UPDATE_GOLDEN=1 rewrites the expected file instead.
set -u
bin=$1; query=$2; work=$3
name=$(basename "$query" .mql)
dir=$(cd "$(dirname "$query")" && pwd)
expected="$dir/expected/$name.out"
mkdir -p "$work"
db="$work/$name.db"
rm -f "$db" "$db-wal" "$db-shm"
rm -rf "$db.cache"   # the intermediate cache beside it (runtime/cache.c)
actual="$work/$name.out"
# queries refer to data as data/..., from the repository root
cd "$dir/../.." || exit 1
# a first line "-- args: ..." gives the CLI extra options (e.g. --data-dir)
args=$(sed -n '1s/^-- args: //p' "$query")
# "-- catalog: FILE" starts from a copy of FILE (a catalog an older
# mileage wrote) instead of a new one
from=$(sed -n 's/^-- catalog: //p' "$query")
if [ -n "$from" ] && ! cp "$from" "$db"; then
    echo "cannot copy the catalog $from"; exit 1
fi
# "-- before: STATEMENTS" lines run first on the same catalog (they must
# succeed; their output is not compared), "-- env: NAME=VALUE" lines set
# the environment of the run under test only (e.g. the catalog fault
# injection, catalog/faultvfs.c)
before=$(sed -n 's/^-- before: //p' "$query")
if [ -n "$before" ] && ! "$bin" --db "$db" --no-times -c "$before" > "$actual" 2>&1; then
    echo "the '-- before:' statements failed:"; cat "$actual"; exit 1
fi
envs=$(sed -n 's/^-- env: //p' "$query")
# shellcheck disable=SC2086
# MLG_GOLDEN_WRAP: a command put before the CLI (tests/valgrind.sh)
env $envs ${MLG_GOLDEN_WRAP:-} "$bin" --db "$db" --no-times $args "tests/golden/$name.mql" > "$actual" 2>&1
echo "exit status: $?" >> "$actual"
if [ "${MLG_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$actual" "$expected"
    exit 0
fi
if [ ! -f "$expected" ]; then
    echo "missing expected output $expected; actual output:"; cat "$actual"; exit 1
fi
diff -u "$expected" "$actual"
