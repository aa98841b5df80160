#!/usr/bin/python3
"""warmstart.py — leave-one-dataset-out benchmark of WARM START.

For every classification dataset D of the data directory:
  1. a catalog holding grid EXPLOREs of one fixed space on every *other*
     dataset (built once for all datasets, then D dropped from a copy with
     DROP DATASET D CASCADE — the same rows a fresh catalog filled with the
     other datasets' EXPLOREs would hold: the runs are deterministic);
  2. on D, in that catalog: SEARCH random(n, seed = s), SEARCH bayes(n,
     seed = s) and SEARCH bayes(n, seed = s) WARM START over the same
     space, for R sampling seeds s = 1..R (the task's seed, hence every
     fit, stays 0).  Seed 1 runs in the held-out catalog as it is (every
     configuration fitted on D afresh); a grid of D then completes a base
     catalog, and every seed (seed 1 again, checked against the fresh
     counts) runs on a copy of that base, taking D's runs from the
     repository (reuse: the same scores, in the search's own order) — a
     copy per seed keeps the catalog small, so reuse stays fast;
  3. for each, the number of configurations evaluated (in the strategy's
     order, the runs' `seq`) until one scores within 1% of the best score
     the grid finds on D; mean, standard deviation, min and max over the R
     seeds.
Cold random search is also given as two expectations, as a check of the
measured mean: over uniformly random orders of the finite space, (N + 1) /
(m + 1) for N configurations of which m reach the target; and under
random(n)'s own sampling (a family uniformly, then each parameter
uniformly, duplicates redrawn: configurations of small families come
first more often), capped at n + 1 like the measurement, by simulation.

Usage: warmstart.py MILEAGE DATADIR OUTDIR [--seeds R] [dataset ...]
"""
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time

SPACE = ("logreg(C IN logspace(-3, 3, 7)), "
         "knn(k IN {1, 3, 5, 9, 15, 25}, weights IN {uniform, distance}), "
         "tree(max_depth IN {2, 4, 6, 8, 12}), "
         "forest(trees = 50, max_features IN {0, 0.5}, max_depth IN {0, 8}), "
         "gbt(rounds IN {50, 150}, learning_rate IN {0.05, 0.2}, max_depth IN {2, 4}), "
         "nb PREPROCESS standardize")
FAMILY_SIZE = {"logreg": 7, "knn": 12, "tree": 5, "forest": 4, "gbt": 8, "nb": 1}
N_SPACE = sum(FAMILY_SIZE.values())
N_SEARCH = 30          # random / bayes budget in configurations
SEEDS = 50             # sampling seeds per strategy and dataset (--seeds)
TOL = 0.01             # within 1% of the grid's best

# the classification datasets of data/ and their targets (README.md)
DATASETS = [("breast_cancer", "target"), ("credit-g", "class"), ("diabetes", "class"),
            ("digits", "target"), ("glass", "Type"), ("iris", "target"), ("satellite", "classes"),
            ("vehicle", "Class"), ("wine", "target")]


def name_of(ds):
    return ds.replace("-", "_")


def run(mileage, db, sql, cwd):
    p = subprocess.run(["nice", "-n", "5", mileage, "--db", db, "--no-times", "-c", sql],
                       cwd=cwd, capture_output=True, text=True)
    if p.returncode:
        sys.exit("mileage failed on %s:\n%s%s" % (sql[:200], p.stdout[-2000:], p.stderr[-2000:]))
    return p.stdout


def remove_db(db):
    for f in (db, db + "-wal", db + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    shutil.rmtree(db + ".cache", ignore_errors=True)   # the intermediate cache beside it


def copy_db(src, dst):
    remove_db(dst)
    shutil.copy(src, dst)
    if os.path.exists(src + "-wal"):
        shutil.copy(src + "-wal", dst + "-wal")


def last_experiment(db):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT max(id) FROM experiments").fetchone()[0]


def evals_to_reach(db, exp, target):
    """Configurations evaluated, in the strategy's order, until the mean
    score reaches target; (count, reached, evaluated)."""
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT seq, avg(score), count(score) FROM runs WHERE experiment = ? "
                         "GROUP BY seq ORDER BY seq", (exp,)).fetchall()
    for i, (seq, m, n) in enumerate(rows):
        if m is not None and m >= target - 1e-12:
            return i + 1, True, len(rows)
    return len(rows) + 1, False, len(rows)


def sampler_expectation(fams_in_target, n, reps=50000):
    """E[min(position of the first target, n + 1)] when configurations
    come in the order of their first draw, each draw a family uniformly and
    then a configuration of it uniformly (cmp_space_sample); fams_in_target
    lists the family of every target configuration."""
    fams = list(FAMILY_SIZE)
    rng = random.Random(12345)
    total = 0
    for _ in range(reps):
        seen = set()
        pos = 0
        while pos < n:
            f = fams[rng.randrange(len(fams))]
            c = (f, rng.randrange(FAMILY_SIZE[f]))
            if c in seen:
                continue
            seen.add(c)
            pos += 1
            if c[1] < fams_in_target.count(f):   # the first k of a family stand for its k targets
                break
        else:
            pos = n + 1
        total += pos
    return total / reps


def stats(v):
    m = sum(v) / len(v)
    sd = (sum((x - m) ** 2 for x in v) / (len(v) - 1)) ** 0.5 if len(v) > 1 else 0.0
    return m, sd, min(v), max(v)


def main():
    args = sys.argv[4:]
    mileage, datadir, outdir = sys.argv[1:4]
    nseeds = SEEDS
    if args[:1] == ["--seeds"]:
        nseeds = int(args[1])
        args = args[2:]
    only = set(args)
    sets = [d for d in DATASETS if not only or d[0] in only]
    os.makedirs(outdir, exist_ok=True)
    full = os.path.join(outdir, "full.db")
    for f in (full, full + "-wal", full + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    t0 = time.time()
    grid = {}
    for ds, target in sets:
        n = name_of(ds)
        t = time.time()
        run(mileage, full,
            "CREATE DATASET %s FROM '%s/%s.csv'; CREATE TASK %s_t ON %s PREDICT %s; "
            "EXPLORE %s_t USING %s;" % (n, datadir, ds, n, n, target, n, SPACE), outdir)
        exp = last_experiment(full)
        with sqlite3.connect(full) as c:
            res = c.execute("SELECT mean_score, family FROM results WHERE experiment = ?", (exp,)).fetchall()
        scores = [r[0] for r in res]
        best = max(scores)
        m = sum(1 for s in scores if s >= best * (1 - TOL) - 1e-12)
        fams = [r[1] for r in res if r[0] >= best * (1 - TOL) - 1e-12]
        grid[ds] = (best, m, len(scores), fams)
        print("grid %-14s best %.4f, %d of %d within 1%%  (%.0f s)" % (ds, best, m, len(scores), time.time() - t),
              flush=True)
    rows = []
    for ds, target in sets:
        n = name_of(ds)
        t = time.time()
        db = os.path.join(outdir, "held_out_%s.db" % n)
        copy_db(full, db)
        best, m, total, fams = grid[ds]
        goal = best * (1 - TOL)
        run(mileage, db, "DROP DATASET %s CASCADE; CREATE DATASET %s FROM '%s/%s.csv'; "
            "CREATE TASK %s_t ON %s PREDICT %s;" % (n, n, datadir, ds, n, n, target), outdir)

        def searches(on, seed):
            got = {}
            for key, clause in (("random", "SEARCH random(%d, seed = %d)" % (N_SEARCH, seed)),
                                ("bayes", "SEARCH bayes(%d, seed = %d)" % (N_SEARCH, seed)),
                                ("warm", "SEARCH bayes(%d, seed = %d) WARM START" % (N_SEARCH, seed))):
                run(mileage, on, "EXPLORE %s_t USING %s %s;" % (n, SPACE, clause), outdir)
                got[key] = evals_to_reach(on, last_experiment(on), goal)
            return got
        # seed 1 in the held-out catalog as it is: every configuration
        # fitted on D for the first time
        fresh = searches(db, 1)
        # then every configuration of the space once (reused where seed 1
        # fitted it): the base each seed starts from, so that every search
        # reuses its runs.  D's own runs are never suggested (SUGGEST learns
        # from other datasets only) and a reused run has the score and the
        # place in the order a fresh fit would have (checked on seed 1)
        run(mileage, db, "EXPLORE %s_t USING %s;" % (n, SPACE), outdir)
        res = {"random": [], "bayes": [], "warm": []}
        work = os.path.join(outdir, "seed_%s.db" % n)
        for seed in range(1, nseeds + 1):
            copy_db(db, work)
            got = searches(work, seed)
            for key in res:
                res[key].append(got[key])
            if seed == 1 and got != fresh:
                sys.exit("%s, seed 1: reused runs gave %s, fresh fits %s" % (ds, got, fresh))
        remove_db(work)
        plan = run(mileage, db, "EXPLAIN EXPLORE %s_t USING %s SEARCH bayes(%d) WARM START;" % (n, SPACE, N_SEARCH),
                   outdir)
        src = sorted(set(re.findall(r" on (\S+) \(dataset ", plan)))
        expect = (total + 1) / (m + 1)
        sexpect = sampler_expectation(fams, N_SEARCH)
        counts = {k: [r[0] for r in v] for k, v in res.items()}
        missed = {k: sum(1 for r in v if not r[1]) for k, v in res.items()}
        rows.append((ds, best, m, total, expect, sexpect, counts, missed, ", ".join(src)))
        print("%-14s random %.2f, bayes %.2f, warm %.2f over %d seeds (%.0f s)"
              % (ds, stats(counts["random"])[0], stats(counts["bayes"])[0], stats(counts["warm"])[0], nseeds,
                 time.time() - t), flush=True)

    def cell(v, miss):
        m, sd, lo, hi = stats(v)
        hi_s = ">%d" % N_SEARCH if hi > N_SEARCH else "%d" % hi
        return "%.2f ± %.2f (%d–%s%s)" % (m, sd, lo, hi_s, ", %d missed" % miss if miss else "")

    out = []
    out.append("| dataset | grid best | within 1%% | random, uniform order | random(%d), its sampling | random(%d) | "
               "bayes(%d) | bayes(%d) WARM START | warm / random | seeds from |" % ((N_SEARCH,) * 4))
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for ds, best, m, total, expect, sexpect, counts, missed, src in rows:
        rm = stats(counts["random"])[0]
        out.append("| %s | %.4f | %d of %d | %.2f | %.2f | %s | %s | %s | %.2f | %s |"
                   % (ds, best, m, total, expect, sexpect, cell(counts["random"], missed["random"]),
                      cell(counts["bayes"], missed["bayes"]), cell(counts["warm"], missed["warm"]),
                      stats(counts["warm"])[0] / rm, src))
    k = len(rows)
    # per seed, the mean over datasets: the spread of the averaged figure
    per_seed = {key: [sum(r[6][key][i] for r in rows) / k for i in range(nseeds)] for key in ("random", "bayes", "warm")}
    me = sum(r[4] for r in rows) / k
    mse = sum(r[5] for r in rows) / k
    mean = lambda key: stats(per_seed[key])[0]

    def mcell(key):
        m, sd, lo, hi = stats(per_seed[key])
        return "**%.2f** ± %.2f (%.2f–%.2f)" % (m, sd, lo, hi)

    out.append("| **mean** | | | %.2f | %.2f | %s | %s | %s | **%.2f** | |"
               % (me, mse, mcell("random"), mcell("bayes"), mcell("warm"), mean("warm") / mean("random")))
    text = "\n".join(out)
    print()
    print(text)
    print()
    print("%d sampling seeds per strategy and dataset; cells: mean ± standard deviation (min–max) over the seeds; "
          "mean row: over the datasets, ± and (min–max) of that mean across the seeds" % nseeds)
    ratios = [w / r for w, r in zip(per_seed["warm"], per_seed["random"])]
    print("warm start / random measured = %.2f (per seed: %.2f–%.2f); / random under its sampling = %.2f; "
          "/ random, uniform order = %.2f; / bayes = %.2f  (goal: at most 0.5)"
          % (mean("warm") / mean("random"), min(ratios), max(ratios), mean("warm") / mse, mean("warm") / me,
             mean("warm") / mean("bayes")))
    print("(not reached within %d: counted as %d)" % (N_SEARCH, N_SEARCH + 1))
    print("total %.0f s" % (time.time() - t0))


if __name__ == "__main__":
    main()
