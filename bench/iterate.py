#!/usr/bin/python3
"""bench/iterate: a scripted session of six EXPLOREs, each a small change of
the last (and a seventh, a large change, printed for reference), timed with
reuse across queries (the default) and with SET reuse = off, side by side in
one process.

Two catalogs are open through the C API (libmileage.so via ctypes): one
keeps reuse on, the other runs SET reuse = off; each step runs on the first
and then on the second, so machine load falls on both alike.  The dataset
is read once per catalog (mileage keeps it between statements, as in an
interactive session); creating dataset and task is not timed.  Times are
wall-clock seconds of the EXPLORE statement.  Per step the script checks
that both ranked tables hold the same configurations in the same order
with the same mean and std of every metric: the number of differing values
is printed (0 expected), and the largest absolute difference (0 expected,
except that logreg's warm-started C path ends at each optimum only to
rounding: see docs/performance.md).

usage: iterate.py LIBMILEAGE DATA_DIR [--quick] [--cache-budget SIZE] [dataset ...]
       datasets: satellite, synthetic (200 000 x 50; --quick: 20 000 x 50)
"""
import ctypes
import os
import sys
import tempfile
import time

import numpy as np

TARGETS = {"satellite": "classes", "synthetic": "y"}

# The session: each step a small change of the last.  Four pipelines (pca
# k = 10, 20, 30, 40: a user scanning the number of components).  A small
# change is one whose new work is a small part of the statement: with reuse
# a step costs what is new in it, so its ratio is (old + new) / new.  Step 7
# is not part of the session: it changes the widest pipeline (pca 40 -> 50),
# which re-runs about half of the statement's work (logreg's Newton fits
# grow with the square of the columns), and is printed for reference.
BASE = "ridge(alpha IN logspace(-3, 3, 7)), logreg(C IN logspace(-2, 2, 5))"
RIDGE_WIDE = "ridge(alpha IN logspace(-4, 4, 9)), logreg(C IN logspace(-2, 2, 5))"
TREE = "tree(max_depth IN 2..8)"
TREE_WIDE = "tree(max_depth IN 2..12)"
NB = "nb(var_smoothing IN {1e-9, 1e-6})"
PCA = "PREPROCESS standardize, pca(k IN {10, 20, 30, 40})"
PCA2 = "PREPROCESS standardize, pca(k IN {15, 20, 30, 40})"
PCA3 = "PREPROCESS standardize, pca(k IN {15, 20, 30, 50})"
STEPS = [
    ("base: ridge x7, logreg x5, tree depth 2..8 on 4 pipelines", f"{BASE}, {TREE} {PCA}"),
    ("add a family (nb x2)", f"{BASE}, {TREE}, {NB} {PCA}"),
    ("widen a range (tree depth 2..8 -> 2..12)", f"{BASE}, {TREE_WIDE}, {NB} {PCA}"),
    ("change a transform parameter (pca 10 -> 15)", f"{BASE}, {TREE_WIDE}, {NB} {PCA2}"),
    ("re-run unchanged", f"{BASE}, {TREE_WIDE}, {NB} {PCA2}"),
    ("widen a range (ridge alpha 1e-3..1e3 -> 1e-4..1e4)", f"{RIDGE_WIDE}, {TREE_WIDE}, {NB} {PCA2}"),
    ("for reference, not small: change the widest pipeline (pca 40 -> 50)", f"{RIDGE_WIDE}, {TREE_WIDE}, {NB} {PCA3}"),
]
SESSION = 6   # steps 1..SESSION are the session; later ones are printed for reference


def synthetic(path, rows):
    """rows x 50 numeric table with a binary target (fixed seed), as
    bench/explore_vs_sklearn writes it."""
    if os.path.exists(path):
        return
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, 50))
    w = rng.standard_normal(50) * (rng.random(50) < 0.3)
    y = (X @ w + 0.5 * rng.standard_normal(rows) > 0).astype(int)
    tmp = path + ".part"
    with open(tmp, "w") as f:
        f.write(",".join([f"x{i}" for i in range(50)] + ["y"]) + "\n")
        for i in range(rows):
            f.write(",".join(f"{v:.6g}" for v in X[i]) + f",{y[i]}\n")
    os.replace(tmp, path)


class Mileage:
    MLG_ROW, MLG_DONE = 100, 101

    def __init__(self, lib):
        L = ctypes.CDLL(lib)
        vp, cp = ctypes.c_void_p, ctypes.c_char_p
        L.mlg_open.argtypes = [cp, ctypes.POINTER(vp)]
        L.mlg_close.argtypes = [vp]
        L.mlg_prepare.argtypes = [vp, cp, ctypes.c_int, ctypes.POINTER(vp), ctypes.POINTER(cp)]
        L.mlg_step.argtypes = [vp]
        L.mlg_finalize.argtypes = [vp]
        L.mlg_column_count.argtypes = [vp]
        L.mlg_column_name.argtypes = [vp, ctypes.c_int]
        L.mlg_column_name.restype = cp
        L.mlg_column_type.argtypes = [vp, ctypes.c_int]
        L.mlg_column_double.argtypes = [vp, ctypes.c_int]
        L.mlg_column_double.restype = ctypes.c_double
        L.mlg_column_text.argtypes = [vp, ctypes.c_int]
        L.mlg_column_text.restype = cp
        L.mlg_stmt_message.argtypes = [vp]
        L.mlg_stmt_message.restype = cp
        L.mlg_errmsg.argtypes = [vp]
        L.mlg_errmsg.restype = cp
        self.L = L

    def open(self, path):
        db = ctypes.c_void_p()
        if self.L.mlg_open(path.encode(), ctypes.byref(db)):
            raise RuntimeError(self.L.mlg_errmsg(db).decode())
        return db

    def run(self, db, sql):
        """(seconds of the statement, rows as dicts, message)"""
        st = ctypes.c_void_p()
        if self.L.mlg_prepare(db, sql.encode(), -1, ctypes.byref(st), None):
            raise RuntimeError(f"{sql}: {self.L.mlg_errmsg(db).decode()}")
        t0 = time.perf_counter()
        rc = self.L.mlg_step(st)
        secs = time.perf_counter() - t0
        rows = []
        while rc == self.MLG_ROW:
            n = self.L.mlg_column_count(st)
            row = {}
            for i in range(n):
                name = self.L.mlg_column_name(st, i).decode()
                t = self.L.mlg_column_type(st, i)
                row[name] = (self.L.mlg_column_double(st, i) if t in (1, 2) else
                             None if t == 0 else self.L.mlg_column_text(st, i).decode())
            rows.append(row)
            rc = self.L.mlg_step(st)
        if rc != self.MLG_DONE:
            msg = self.L.mlg_errmsg(db).decode()
            self.L.mlg_finalize(st)
            raise RuntimeError(f"{sql}: {msg}")
        m = self.L.mlg_stmt_message(st)
        msg = m.decode() if m else ""
        self.L.mlg_finalize(st)
        return secs, rows, msg


def compare(a, b):
    """(values differing, largest absolute difference, same order) of two
    ranked tables, config ids left out (the catalogs intern apart)."""
    key = lambda r: (r["family"], r["params"], r.get("preprocess"))
    same_order = [key(r) for r in a] == [key(r) for r in b]
    bm = {key(r): r for r in b}
    ndiff, worst = 0, 0.0
    for r in a:
        o = bm.get(key(r))
        if o is None:
            ndiff += 1
            continue
        for c, v in r.items():
            if c in ("rank", "config", "family", "params", "preprocess") or c.endswith("seconds"):
                continue
            w = o.get(c)
            if v is None and w is None:
                continue
            if v is None or w is None:
                ndiff += 1
                continue
            if v != w:
                ndiff += 1
                worst = max(worst, abs(v - w))
    return ndiff, worst, same_order and len(a) == len(b)


def session(mlg, name, path, target, cache_budget=None):
    with tempfile.TemporaryDirectory() as tmp:
        dbs = {}
        for mode in ("on", "off"):
            db = mlg.open(os.path.join(tmp, f"{mode}.db"))
            mlg.run(db, f"CREATE DATASET d FROM '{path}';")
            mlg.run(db, f"CREATE TASK t ON d PREDICT \"{target}\" AS CLASSIFICATION METRIC accuracy, logloss "
                        f"EVALUATE BY CV(5) SEED 0;")
            mlg.run(db, "SET show_times = off;")
            if cache_budget:
                mlg.run(db, f"SET cache_budget = '{cache_budget}';")
            if mode == "off":
                mlg.run(db, "SET reuse = off;")
            dbs[mode] = db
        out = []
        for i, (what, using) in enumerate(STEPS, 1):
            sql = f"EXPLORE t USING {using};"
            t_on, rows_on, msg_on = mlg.run(dbs["on"], sql)
            t_off, rows_off, msg_off = mlg.run(dbs["off"], sql)
            ndiff, worst, order = compare(rows_on, rows_off)
            reused = msg_on.split(", ")[-1] if "reused" in msg_on else "0 reused"
            runs = msg_on.split(" = ")[-1].split(",")[0] if " = " in msg_on else "?"
            out.append((i, what, runs, reused.split(" ")[0], t_on, t_off, ndiff, worst, order))
            print(f"  step {i}: {what}: {runs}, {reused.split(' from')[0]}; reuse {t_on:.2f} s, off {t_off:.2f} s "
                  f"({t_off / t_on:.1f}x); differing values {ndiff}, max |diff| {worst:.3g}"
                  f"{'' if order else ', ORDER DIFFERS'}", flush=True)
        for db in dbs.values():
            mlg.L.mlg_close(db)
        return out


def main():
    lib, data_dir = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    quick = "--quick" in args
    budget = None
    if "--cache-budget" in args:
        i = args.index("--cache-budget")
        budget = args[i + 1]
        del args[i:i + 2]
    names = [a for a in args if a != "--quick"] or ["satellite", "synthetic"]
    mlg = Mileage(lib)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start"
          f"{f', cache_budget {budget}' if budget else ''}")
    tables = []
    for name in names:
        if name == "synthetic":
            rows = 20_000 if quick else 200_000
            path = os.path.join(tempfile.gettempdir(), f"mileage_synthetic_{rows}x50.csv")
            synthetic(path, rows)
            label = f"synthetic {rows} x 50"
        else:
            path = os.path.join(data_dir, name + ".csv")
            label = name
        print(f"\n{label}:", flush=True)
        tables.append((label, session(mlg, name, path, TARGETS[name], budget)))
    print("\n| dataset | step | change | runs | reused | reuse on (s) | reuse off (s) | off / on | "
          "values differing | max abs diff |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    bad = 0
    for label, rows in tables:
        for i, what, runs, reused, t_on, t_off, ndiff, worst, order in rows:
            if i == SESSION + 1:
                print("| | | *not part of the session:* | | | | | | | |")
            print(f"| {label} | {i} | {what} | {runs} | {reused} | {t_on:.2f} | {t_off:.2f} | "
                  f"{t_off / t_on:.1f}x | {ndiff} | {worst:.2g} |")
            bad += not order or worst > 1e-9
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    if bad:
        print(f"FAIL: {bad} step(s) whose results differ beyond 1e-9 or rank differently")
        sys.exit(1)


if __name__ == "__main__":
    main()
