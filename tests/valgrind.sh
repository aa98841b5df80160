#!/bin/sh
# valgrind.sh PROGRAM [ARGS...]          a unit test under valgrind memcheck
# valgrind.sh --golden MILEAGE QUERY WORK a golden query, the CLI under memcheck
#
# ctest's "valgrind" label (tests/CMakeLists.txt).  Skipped (exit 77) unless
# MLG_VALGRIND=1, so a plain `ctest` stays fast; scripts/test.sh runs
#   MLG_VALGRIND=1 ctest -L valgrind
# Fails on any memcheck error and on definitely or indirectly lost blocks;
# "possibly lost" and "still reachable" are reported by --leak-check=full
# but do not fail (docs/reliability.md says why none are expected).
set -u
if [ "${MLG_VALGRIND:-0}" != 1 ]; then
    echo "skipped: set MLG_VALGRIND=1 to run under valgrind (scripts/test.sh does)"
    exit 77
fi
command -v valgrind > /dev/null 2>&1 || { echo "valgrind is not installed (scripts/setup.sh installs it)"; exit 1; }
# one BLAS thread: OpenBLAS's per-thread buffers live until exit, and
# valgrind runs threads one at a time anyway
export OPENBLAS_NUM_THREADS=1
VG="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
VG="$VG --show-leak-kinds=definite,indirect,possible --num-callers=30"
if [ "$1" = --golden ]; then
    shift
    # run_golden.sh puts $MLG_GOLDEN_WRAP before the CLI; the log goes to a
    # file so the compared output stays the CLI's own
    name=$(basename "$2" .mql)
    mkdir -p "$3"
    log="$3/$name.valgrind"
    rm -f "$log"
    MLG_GOLDEN_WRAP="$VG --log-file=$log" "$(dirname "$0")/run_golden.sh" "$@"
    rc=$?
    if grep -q "ERROR SUMMARY: [1-9]" "$log" 2>/dev/null; then
        cat "$log"
        echo "valgrind: errors or leaks in golden.$name (log: $log)"
        exit 1
    fi
    exit $rc
fi
# shellcheck disable=SC2086
exec $VG "$@"
