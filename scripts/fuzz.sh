#!/bin/sh
# fuzz.sh [SECONDS [TARGET...]] — builds the libFuzzer targets with clang in
# build-fuzz/ and runs each (default: query csv arff model) for SECONDS (default
# 20), one after another, from seed corpora built out of the golden tests.
# Exits non-zero when a target finds a crash, leak, UB or failed invariant;
# the reproducer is copied to build-fuzz/fuzz-findings/TARGET/.  See
# docs/fuzzing.md.
#
# The other build dependencies come from scripts/setup.sh (test.sh runs it
# first).  Environment: MLG_FUZZ_BUILD (build directory), MLG_FUZZ_JOBS (build jobs,
# default nproc).  Everything runs under nice -n 19: fuzzing usually shares
# the machine with builds and benchmarks.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
[ $# -gt 0 ] && shift
targets=${*:-query csv arff model}
build=${MLG_FUZZ_BUILD:-"$root/build-fuzz"}
jobs=${MLG_FUZZ_JOBS:-$(nproc)}
case $secs in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, not '$secs'" >&2; exit 2 ;; esac

as_root() { if [ "$(id -u)" -ne 0 ]; then sudo "$@"; else "$@"; fi; }
apt_install() {
    echo "fuzz.sh: installing: $*"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@"
}

# ---- clang with libFuzzer ----
command -v clang >/dev/null 2>&1 || apt_install clang
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
    > "$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>/dev/null; then
    # newer Debian packages the runtime libraries separately
    ver=$(clang -dumpversion | cut -d. -f1)
    apt_install "libclang-rt-$ver-dev"
    clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p"
fi

# ---- build ----
nice -n 19 cmake -S "$root" -B "$build" -DMLG_FUZZ=ON -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
bins=""
for t in $targets; do bins="$bins fuzz_$t"; done
# shellcheck disable=SC2086
nice -n 19 cmake --build "$build" -j"$jobs" --target $bins

# ---- seed corpora: the committed seeds plus the golden tests' inputs ----
work="$build/fuzz-work"
findings="$build/fuzz-findings"
rm -rf "$work"
mkdir -p "$work"
small() { [ -f "$1" ] && [ "$(wc -c < "$1")" -lt 65536 ]; }
seed_query() {
    d="$work/corpus/query"
    for q in "$root"/tests/golden/*.mql; do
        name=$(basename "$q" .mql)
        [ "$(wc -c < "$q")" -le 4096 ] && cp "$q" "$d/$name.mql"
        # and each statement alone: mutations of one statement go further
        awk -v out="$d/$name" 'BEGIN { RS = ";" }
            /[^ \t\r\n]/ { n++; f = sprintf("%s.%03d", out, n); printf "%s;", $0 > f; close(f) }' "$q"
    done
}
seed_csv() {
    for f in "$root"/tests/golden/data/*.csv "$root"/tests/golden/data/confined/*.csv "$root"/data/*.csv; do
        small "$f" && cp "$f" "$work/corpus/csv/" || true
    done
}
seed_arff() {
    for f in "$root"/tests/data/*.arff "$root"/tests/golden/data/*.arff; do
        small "$f" && cp "$f" "$work/corpus/arff/" || true
    done
}

seed_model() {
    # the committed seeds (choice bytes + a small CSV) cover it; add the
    # golden tests' small CSVs under a few choices of experiment
    i=0
    for f in "$root"/tests/golden/data/*.csv; do
        [ "$(wc -c < "$f")" -lt 4096 ] || continue
        i=$((i + 1))
        printf "\\$(printf '%03o' $((i % 16)))\\$(printf '%03o' $((i % 10)))\\000\\001" > "$work/corpus/model/golden_$i"
        cat "$f" >> "$work/corpus/model/golden_$i"
    done
}

# ---- run ----
status=0
export OPENBLAS_NUM_THREADS=1   # LeakSanitizer: OpenBLAS keeps per-thread buffers
summary=""
for t in $targets; do
    case $t in
        query) max_len=4096; dict="-dict=$root/tests/fuzz/query.dict" ;;
        csv|arff) max_len=65536; dict="" ;;
        model) max_len=8192; dict="" ;;
        *) echo "fuzz.sh: unknown target '$t' (query, csv, arff, model)" >&2; exit 2 ;;
    esac
    mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
    if [ -d "$root/tests/fuzz/corpus/$t" ]; then
        find "$root/tests/fuzz/corpus/$t" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$work/corpus/$t/" \;
    fi
    if [ -d "$root/tests/fuzz/regressions/$t" ]; then
        find "$root/tests/fuzz/regressions/$t" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$work/corpus/$t/" \;
    fi
    "seed_$t"
    seeds=$(find "$work/corpus/$t" -type f | wc -l)
    log="$work/$t.log"
    echo "fuzz.sh: fuzz_$t for ${secs}s from $seeds seeds (log: $log)"
    rc=0
    # shellcheck disable=SC2086
    (cd "$work" && nice -n 19 "$build/tests/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 \
        -max_len="$max_len" -timeout=30 -print_final_stats=1 $dict \
        -artifact_prefix="$work/artifacts/$t/" "$work/corpus/$t") > "$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    size=$(find "$work/corpus/$t" -type f | wc -l)
    line="fuzz_$t: ${secs}s, ${execs:-?} executions, corpus $seeds -> $size files"
    found=$(find "$work/artifacts/$t" -type f | head -1)
    if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
        status=1
        mkdir -p "$findings/$t"
        tail -60 "$log" >&2
        for f in "$work"/artifacts/"$t"/*; do
            [ -f "$f" ] || continue
            cp "$f" "$findings/$t/"
            echo "fuzz.sh: fuzz_$t FOUND A PROBLEM (exit $rc); reproducer: $findings/$t/$(basename "$f")" >&2
            echo "fuzz.sh:   replay: $build/tests/fuzz_$t $findings/$t/$(basename "$f")" >&2
        done
        [ -n "$found" ] || echo "fuzz.sh: fuzz_$t exited with $rc and left no reproducer; see $log" >&2
        line="$line, FAILED"
    fi
    summary="$summary$line
"
done
printf '%s' "$summary"
[ "$status" -eq 0 ] && echo "fuzz.sh: no findings"
exit "$status"
