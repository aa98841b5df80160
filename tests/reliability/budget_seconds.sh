#!/bin/sh
# budget_seconds.sh MILEAGE WORKDIR — BUDGET n SECONDS ends a search that
# has far more work within 10% of the limit or one fit, whichever is
# longer (the fits in flight finish), plus 0.1 s to score and record the
# last runs and rank (under ASan those took up to a few tens of ms past
# the fits), records how much it used, and ranks only whole configurations.
set -u
bin=$1; work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work"
cd "$root" || exit 1
db="$work/budget.db"; rm -f "$db" "$db"-*
"$bin" --db "$db" -c "CREATE DATASET d FROM 'data/digits.csv'; CREATE TASK t ON d PREDICT target EVALUATE BY CV(3) SEED 1;" > /dev/null || { echo "FAIL: setup"; exit 1; }
for limit in 2 4; do
    "$bin" --db "$db" -c "EXPLORE t USING forest(trees IN [20, 200] INT, max_depth IN [4, 30] INT), knn(k IN [1, 50] INT) SEARCH random(2000) BUDGET $limit SECONDS TOP 1;" > "$work/out$limit" 2>&1 || { echo "FAIL: explore"; cat "$work/out$limit"; exit 1; }
    grep -q "budget $limit seconds, used" "$work/out$limit" || { echo "FAIL: no budget line"; cat "$work/out$limit"; exit 1; }
    row=$("$bin" --db "$db" --mode csv -c "SELECT budget_used, budget_limit, (SELECT max(fit_seconds) FROM runs r WHERE r.experiment = e.id), status FROM experiments e ORDER BY id DESC LIMIT 1" | tail -1)
    echo "limit $limit: used, limit, longest fit, status = $row"
    ok=$(echo "$row" | awk -F, '{ used=$1; lim=$2; fit=$3; slack = lim * 0.1; if (fit > slack) slack = fit; slack += 0.1;
                                  print (used >= lim && used <= lim + slack && $4 == "finished") ? 1 : 0 }')
    [ "$ok" = 1 ] || { echo "FAIL: budget $limit s not honoured: $row"; exit 1; }
done
echo "ok: time budgets end on time"
