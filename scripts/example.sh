#!/bin/sh
# example.sh — sets everything up, then runs the main example: credit risk on
# the German credit data (examples/credit.mql), into a fresh catalog.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" "$root/build"
cd "$root"
rm -f build/example.db build/example.db-wal build/example.db-shm
exec build/mileage --db build/example.db examples/credit.mql
