#!/bin/sh
# test.sh — sets everything up, then runs the whole suite twice: a normal
# build and an AddressSanitizer + UndefinedBehaviorSanitizer build.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

"$root/scripts/setup.sh" "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
(cd "$root/build" && ctest --output-on-failure -j"$jobs")

"$root/scripts/setup.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DMLG_SANITIZE=ON
# OpenBLAS keeps per-thread buffers until exit; a single BLAS thread keeps
# LeakSanitizer's report about our code only.
(cd "$root/build-asan" && OPENBLAS_NUM_THREADS=1 \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j"$jobs")
echo "test.sh: all tests passed (normal and sanitizer builds)"

# Fuzzing, briefly: each libFuzzer target (clang) for 20 s from the golden
# tests' seeds, about 1.5 minutes with the build (docs/fuzzing.md).
"$root/scripts/fuzz.sh" 20
