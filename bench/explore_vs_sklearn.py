#!/usr/bin/python3
"""mileage (sharing on / off) vs scikit-learn GridSearchCV, same grid, same folds.

Grid (issue 4): impute + onehot + standardize, 5-fold CV, and
  logreg C in logspace(-3, 3, 7); ridge classifier alpha in logspace(-3, 3, 10);
  knn k in 1..25 step 2; tree max_depth in 2..12; nb var_smoothing in logspace(-9, -3, 4).
Times are wall-clock seconds (mileage: the whole CLI process running one
EXPLORE after the dataset and task exist, loading the data included;
scikit-learn: GridSearchCV.fit per family with n_jobs = cores, summed,
Python start-up and data loading excluded). A scikit-learn family
that exceeds the timeout is stopped and reported as "> t".

usage: explore_vs_sklearn.py MILEAGE DATA_DIR [dataset ...]
"""
import csv
import io
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.model_selection import GridSearchCV, PredefinedSplit
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

TARGETS = {"digits": "target", "credit-g": "class", "satellite": "classes", "synthetic": "y"}
USING = ("logreg(C IN logspace(-3, 3, 7)), ridge(alpha IN logspace(-3, 3, 10)), "
         "knn(k IN 1..25 STEP 2), tree(max_depth IN 2..12), nb(var_smoothing IN logspace(-9, -3, 4))")
SK = {
    "logreg": (lambda: LogisticRegression(max_iter=1000), {"C": list(np.logspace(-3, 3, 7))}),
    "ridge": (lambda: RidgeClassifier(), {"alpha": list(np.logspace(-3, 3, 10))}),
    "knn": (lambda: KNeighborsClassifier(), {"n_neighbors": list(range(1, 26, 2))}),
    "tree": (lambda: DecisionTreeClassifier(random_state=0), {"max_depth": list(range(2, 13))}),
    "nb": (lambda: GaussianNB(), {"var_smoothing": list(np.logspace(-9, -3, 4))}),
}


def synthetic(path):
    """200 000 x 50 numeric table with a binary target (fixed seed)."""
    if os.path.exists(path):
        return
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200_000, 50))
    w = rng.standard_normal(50) * (rng.random(50) < 0.3)
    y = (X @ w + 0.5 * rng.standard_normal(200_000) > 0).astype(int)
    with open(path, "w") as f:
        f.write(",".join([f"x{i}" for i in range(50)] + ["y"]) + "\n")
        for i in range(200_000):
            f.write(",".join(f"{v:.6g}" for v in X[i]) + f",{y[i]}\n")


PEAK = {}   # statement kind -> peak resident MB of the process that ran it


def mileage(binary, db, sql, mode="table", kind=None):
    t0 = time.time()
    cmd = [binary, "--db", db, "--no-times", "--mode", mode, "-c", sql]
    with tempfile.NamedTemporaryFile("w+") as peak:
        # peak resident set of mileage itself: GNU time's child is mileage
        # alone; a child forked from this Python would count the
        # interpreter's pages (numpy, scikit-learn, the data) until its exec
        timed = kind is not None and os.path.exists("/usr/bin/time")
        if timed:
            cmd = ["/usr/bin/time", "-f", "%M", "-o", peak.name] + cmd
        res = subprocess.run(cmd, capture_output=True, text=True)
        secs = time.time() - t0
        if res.returncode:
            raise subprocess.CalledProcessError(res.returncode, sql, res.stdout, res.stderr)
        if timed:
            peak.seek(0)
            PEAK[kind] = int(peak.read().split()[-1]) / 1024
    return secs, res.stdout


def mileage_on_off(binary, path, task, explore, skip, best="max"):
    """Creates dataset d from path and task t (task: what follows PREDICT),
    runs explore with sharing on and, unless "off" is in skip, off — reuse
    off in both: the second run must fit, not take the first one's runs
    from the repository (nor its cached designs).  Returns both times, the
    best (max or min) mean score per family and experiment ({family: {1:
    on, 2: off}}) and the folds the task stored, per row."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "b.db")
        mileage(binary, db, f"CREATE DATASET d FROM '{path}'; CREATE TASK t ON d PREDICT {task};")
        t_on, _ = mileage(binary, db, "SET reuse = off; " + explore, kind="on")
        t_off = float("nan")
        if "off" not in skip:
            t_off, _ = mileage(binary, db, "SET reuse = off; SET sharing = off; " + explore, kind="off")
        _, out = mileage(binary, db, f"SELECT e.id, r.family, {best}(r.mean_score) AS best FROM results r JOIN "
                                     "experiments e ON e.id = r.experiment GROUP BY 1, 2", mode="csv")
        bests = {}
        for r in csv.DictReader(io.StringIO(out)):
            bests.setdefault(r["family"], {})[int(r["id"])] = float(r["best"])
        _, out = mileage(binary, db, "SELECT fold FROM folds WHERE task = 't' ORDER BY row", mode="csv")
        folds = np.array([int(v) for v in out.split()[1:]])
    return t_on, t_off, bests, folds


def load(path, target):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    ti = header.index(target)
    feats = [j for j in range(len(header)) if j != ti]
    def is_num(j):
        try:
            [float(r[j]) for r in rows[:2000] if r[j] != ""]
            return True
        except ValueError:
            return False
    numeric = {j: is_num(j) for j in feats}
    num = [i for i, j in enumerate(feats) if numeric[j]]
    cat = [i for i, j in enumerate(feats) if not numeric[j]]
    if cat:
        X = np.array([[(float(r[j]) if r[j] != "" else np.nan) if numeric[j] else r[j] for j in feats] for r in rows],
                     dtype=object)
    else:
        X = np.array([[float(r[j]) if r[j] != "" else np.nan for j in feats] for r in rows])
    return X, np.array([r[ti] for r in rows]), num, cat


def sk_pipeline(model, num, cat):
    """impute(median) + onehot + standardize before model, as the grids say."""
    parts = []
    if num:
        parts.append(("num", SimpleImputer(strategy="median"), num))
    if cat:
        parts.append(("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                           OneHotEncoder(handle_unknown="ignore")), cat))
    return Pipeline([("pre", ColumnTransformer(parts, sparse_threshold=0)), ("scale", StandardScaler()),
                     ("model", model)])


TIME_HEADER = ["dataset", "mileage on (s)", "mileage off (s)", "scikit-learn (s)", "vs sklearn", "on vs off"]


def time_cells(name, t_on, t_off, t_sk, skip, sk_txt=None, timed_out=False):
    """A dataset's summary cells under TIME_HEADER: the three times and the
    two ratios, "-" for a skipped part; sk_txt (default: t_sk to two
    decimals) and timed_out (">" before the ratio) for a capped
    scikit-learn run."""
    return [name, f"{t_on:.2f}", "-" if "off" in skip else f"{t_off:.2f}",
            "-" if "sklearn" in skip else (f"{t_sk:.2f}" if sk_txt is None else sk_txt),
            "-" if "sklearn" in skip else f"{'>' if timed_out else ''}{t_sk / t_on:.1f}x",
            "-" if "off" in skip else f"{t_off / t_on:.1f}x"]


def print_table(header, rows):
    """The summary as a markdown table (docs/performance.md)."""
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(v) for v in row) + " |")


def sk_fit(args):
    fam, X, y, num, cat, folds = args
    warnings.simplefilter("ignore")
    make, grid = SK[fam]
    pipe = sk_pipeline(make(), num, cat)
    gs = GridSearchCV(pipe, {"model__" + k: v for k, v in grid.items()}, cv=PredefinedSplit(folds),
                      scoring="accuracy", n_jobs=os.cpu_count())
    t0 = time.time()
    gs.fit(X, y)
    return gs.best_score_, time.time() - t0


def bench_args(prog, known):
    """The datasets named after the binary and data directory (all of known
    when none) and MLG_BENCH_SKIP's parts (off, sklearn: a quick look at
    mileage alone; the goals are judged on full runs).  Anything else ends
    the run with a one-line error."""
    names = sys.argv[3:] or list(known)
    skip = set(filter(None, os.environ.get("MLG_BENCH_SKIP", "").split(",")))
    unknown = [n for n in names if n not in known] + sorted(skip - {"off", "sklearn"})
    if unknown:
        sys.exit(f"{prog}: unknown dataset or MLG_BENCH_SKIP value {', '.join(unknown)} "
                 f"(datasets: {', '.join(known)}; MLG_BENCH_SKIP: off, sklearn)")
    return names, skip


def bench_start(prog, known):
    """bench_args, warnings silenced, and the machine line: the binary, the
    data directory, the datasets and the skipped parts."""
    names, skip = bench_args(prog, known)
    warnings.simplefilter("ignore")
    print(f"machine: {os.cpu_count()} cores; scikit-learn GridSearchCV n_jobs={os.cpu_count()}")
    return sys.argv[1], sys.argv[2], names, skip


def print_times(name, rows, t_on, t_off, t_sk, skip):
    """A dataset's three times and their ratios, the skipped parts said so."""
    print(f"\n{name}: {rows} rows")
    print(f"  mileage sharing on   {t_on:9.2f} s")
    if "off" in skip:
        print("  mileage sharing off    skipped (MLG_BENCH_SKIP)")
    else:
        print(f"  mileage sharing off  {t_off:9.2f} s   (on is {t_off / t_on:.1f}x faster)")
    if "sklearn" in skip:
        print("  scikit-learn           skipped (MLG_BENCH_SKIP)")
    else:
        print(f"  scikit-learn         {t_sk:9.2f} s   (mileage on is {t_sk / t_on:.1f}x faster)")


def main():
    binary, data_dir = sys.argv[1], sys.argv[2]
    timeout = float(os.environ.get("MLG_BENCH_TIMEOUT", "1800"))
    names, skip = bench_args("explore_vs_sklearn", TARGETS)
    print(f"machine: {os.cpu_count()} cores; scikit-learn GridSearchCV n_jobs={os.cpu_count()}")
    summary = []
    for name in names:
        path = os.path.join(data_dir, name + ".csv")
        if name == "synthetic":
            path = os.path.join(tempfile.gettempdir(), "mileage_synthetic_200000x50.csv")
            synthetic(path)
        t_on, t_off, best, folds = mileage_on_off(
            binary, path, f'"{TARGETS[name]}" AS CLASSIFICATION EVALUATE BY CV(5) SEED 0',
            f"EXPLORE t USING {USING} PREPROCESS impute(median), onehot, standardize;", skip)
        with open(path) as f:
            ncols = len(f.readline().split(","))
            nrows = sum(1 for _ in f)
        data_mb = nrows * ncols * 8 / 1e6   # the loaded table as doubles, target included
        if "sklearn" in skip:
            X, y, num, cat = np.zeros((nrows, ncols - 1)), None, None, None
        else:
            X, y, num, cat = load(path, TARGETS[name])
        t_sk, sk_best, timed_out = 0.0, {}, False
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "data.pkl")
            with open(data, "wb") as f:
                pickle.dump((X, y, num, cat, folds), f)
            for fam in ([] if "sklearn" in skip else SK):
                # one child process per family (its own session, so joblib's
                # workers can use every core and a timeout stops them all)
                t0 = time.time()
                child = subprocess.Popen([sys.executable, __file__, "--sk", fam, data], stdout=subprocess.PIPE,
                                         text=True, start_new_session=True)
                try:
                    out, _ = child.communicate(timeout=timeout)
                    score, secs = out.strip().splitlines()[-1].split()
                    sk_best[fam] = float(score)
                    t_sk += float(secs)   # GridSearchCV.fit only: not Python's start-up
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.communicate()
                    sk_best[fam] = float("nan")
                    timed_out = True
                    t_sk += time.time() - t0
            for fam in SK:
                sk_best.setdefault(fam, float("nan"))
        sk_txt = f"{'>' if timed_out else ''}{t_sk:.1f}"
        print(f"\n{name}: {X.shape[0]} rows x {X.shape[1]} columns")
        print(f"  mileage sharing on   {t_on:9.2f} s   peak resident {PEAK.get('on', float('nan')):.0f} MB = "
              f"{PEAK.get('on', float('nan')) / data_mb:.2f}x the {data_mb:.1f} MB of data as doubles")
        if "off" in skip:
            print("  mileage sharing off    skipped (MLG_BENCH_SKIP)")
        else:
            print(f"  mileage sharing off  {t_off:9.2f} s   (on is {t_off / t_on:.1f}x faster)"
                  + (f"   peak resident {PEAK['off']:.0f} MB" if "off" in PEAK else ""))
        if "sklearn" in skip:
            print("  scikit-learn           skipped (MLG_BENCH_SKIP)")
        else:
            print(f"  scikit-learn         {sk_txt:>9} s   (mileage on is {'>' if timed_out else ''}"
                  f"{t_sk / t_on:.1f}x faster)")
        print(f"  {'family':<8}{'mileage on':>12}{'mileage off':>13}{'sklearn':>10}")
        for fam in SK:
            on = best.get(fam, {}).get(1, float("nan"))
            off = best.get(fam, {}).get(2, float("nan"))
            print(f"  {fam:<8}{on:>12.4f}{off:>13.4f}{sk_best[fam]:>10.4f}")
        summary.append(time_cells(name, t_on, t_off, t_sk, skip, sk_txt, timed_out) +
                       [f"{PEAK.get('on', float('nan')) / data_mb:.2f}x data"])
        PEAK.clear()
    print_table(TIME_HEADER + ["peak memory (on)"], summary)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--sk":
        with open(sys.argv[3], "rb") as f:
            X, y, num, cat, folds = pickle.load(f)
        print(*sk_fit((sys.argv[2], X, y, num, cat, folds)))
    else:
        main()
