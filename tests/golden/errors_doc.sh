#!/bin/sh
# errors_doc.sh [--check] — docs/errors.md from the golden error tests: for
# every tests/golden/err_*.mql, what it tries (its leading comment) and the
# exact message mileage prints (from expected/*.out).  With --check, fails
# when docs/errors.md is not what this would write.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
{
    echo "# Errors"
    echo
    echo "Every class of bad input mileage recognises, with the exact message it"
    echo "prints. Each row is a golden test (\`tests/golden/<name>.mql\`, expected"
    echo "output in \`tests/golden/expected/<name>.out\`), so this list cannot drift"
    echo "from the code: \`tests/golden/errors_doc.sh\` writes it and a test checks it."
    echo
    echo "Query errors are printed as \`FILE:LINE:COLUMN: error: MESSAGE\` with the"
    echo "source line and a caret under the offending token; data errors name the"
    echo "file, line and field. In batch mode the first error stops the run with exit"
    echo "status 1; the catalog is left as it was before the failing statement."
    echo
    echo "| test | what it tries | message |"
    echo "|---|---|---|"
    for q in "$root"/tests/golden/err_*.mql; do
        n=$(basename "$q" .mql)
        what=$(sed -n 's/^-- //p' "$q" | grep -v '^args:\|^env:\|^before:' | tr '\n' ' ' | sed 's/ *$//; s/|/\\|/g')
        msg=$(grep -m1 ': error: ' "$root/tests/golden/expected/$n.out" 2>/dev/null | sed 's/^[^:]*:[0-9:]*: error: //; s/|/\\|/g' || true)
        if [ -z "$msg" ] && grep -q '| failed *|' "$root/tests/golden/expected/$n.out"; then
            # runs that fail: the reason the catalog recorded for them
            msg=$(grep -m1 '| failed *|' "$root/tests/golden/expected/$n.out" | awk -F'|' '{ f = $(NF-1); gsub(/^ +| +$/, "", f); print f; exit }' || true)
            msg="(each run fails) $msg"
        elif [ -z "$msg" ]; then
            # runs that are ok with a warning (runs.warning, the last column)
            msg=$(grep -m1 '| ok *|.*[^L] *|$' "$root/tests/golden/expected/$n.out" | awk -F'|' '{ f = $(NF-1); gsub(/^ +| +$/, "", f); print f; exit }' || true)
            msg="(each run is ok, with a warning) $msg"
        fi
        echo "| \`$n\` | $what | \`$msg\` |"
    done
} > "$out"
if [ "${1:-}" = --check ]; then
    if ! diff -u "$root/docs/errors.md" "$out"; then
        echo "docs/errors.md is out of date: run tests/golden/errors_doc.sh"
        rm -f "$out"
        exit 1
    fi
    rm -f "$out"
    exit 0
fi
mv "$out" "$root/docs/errors.md"
