#!/bin/sh
# test.sh — sets everything up, then runs the whole suite on a normal build,
# the unit tests and a set of golden queries under valgrind memcheck, the
# whole suite again on an AddressSanitizer + UndefinedBehaviorSanitizer
# build, and each fuzz target briefly.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

"$root/scripts/setup.sh" "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
(cd "$root/build" && ctest --output-on-failure -j"$jobs" -LE valgrind)

# valgrind memcheck over the same build: every unit test and a set of golden
# queries (label "valgrind", tests/valgrind.sh); no memcheck error and no
# definitely/indirectly lost block.  About 2 minutes (130 s) on 2 cores
# (docs/reliability.md).
(cd "$root/build" && MLG_VALGRIND=1 ctest --output-on-failure -j"$jobs" -L valgrind)

# -O1, as the sanitizers' documentation advises: about 40% less time than -O0
# on the slowest tests, the same checks
"$root/scripts/setup.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DMLG_SANITIZE=ON "-DCMAKE_C_FLAGS_DEBUG=-g -O1"
# OpenBLAS keeps per-thread buffers until exit; a single BLAS thread keeps
# LeakSanitizer's report about our code only.
(cd "$root/build-asan" && OPENBLAS_NUM_THREADS=1 \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j"$jobs" -LE valgrind)
echo "test.sh: all tests passed (normal, valgrind and sanitizer builds)"

# Fuzzing, briefly: each libFuzzer target (clang) for 20 s from the golden
# tests' seeds, about 1.5 minutes with the build (docs/fuzzing.md).
"$root/scripts/fuzz.sh" 20
