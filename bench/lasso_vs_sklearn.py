#!/usr/bin/python3
"""mileage (sharing on / off) vs scikit-learn GridSearchCV for lasso and elasticnet.

Grid (issue 4, rule 3 for the coordinate-descent families): standardize,
5-fold CV, metric rmse, and
  lasso alpha in logspace(-3, 1, 10);
  elasticnet alpha in logspace(-3, 1, 5) x l1_ratio in {0.2, 0.5, 0.8}.
scikit-learn: Pipeline(StandardScaler, Lasso / ElasticNet) with their
defaults (tol 1e-4, max_iter 1000, precompute False), GridSearchCV with
n_jobs = cores on the folds mileage stored.  Times are wall-clock seconds
(mileage: the whole CLI process running one EXPLORE after the dataset and
task exist, loading the data included; scikit-learn: GridSearchCV.fit per
family, summed, Python start-up and data loading excluded).

usage: lasso_vs_sklearn.py MILEAGE DATA_DIR [dataset ...]
"""
import csv
import os
import sys
import tempfile
import time

import numpy as np
from sklearn.linear_model import ElasticNet, Lasso
from sklearn.model_selection import GridSearchCV, PredefinedSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from explore_vs_sklearn import TIME_HEADER, bench_start, mileage_on_off, print_table, print_times, time_cells

TARGETS = {"diabetes_progression": "target", "boston_housing": "medv", "synthetic_reg": "y"}
USING = ("lasso(alpha IN logspace(-3, 1, 10)), "
         "elasticnet(alpha IN logspace(-3, 1, 5), l1_ratio IN {0.2, 0.5, 0.8})")
SK = {
    "lasso": (Lasso, {"alpha": list(np.logspace(-3, 1, 10))}),
    "elasticnet": (ElasticNet, {"alpha": list(np.logspace(-3, 1, 5)), "l1_ratio": [0.2, 0.5, 0.8]}),
}


def synthetic(path):
    """200 000 x 50 numeric table, a sparse linear target plus noise (fixed seed)."""
    if os.path.exists(path):
        return
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200_000, 50))
    w = rng.standard_normal(50) * (rng.random(50) < 0.4)
    y = X @ w + rng.standard_normal(200_000)
    with open(path, "w") as f:
        f.write(",".join([f"x{i}" for i in range(50)] + ["y"]) + "\n")
        for i in range(200_000):
            f.write(",".join(f"{v:.6g}" for v in X[i]) + f",{y[i]:.6g}\n")


def load(path, target):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    ti = header.index(target)
    X = np.array([[float(v) for j, v in enumerate(r) if j != ti] for r in rows])
    return X, np.array([float(r[ti]) for r in rows])


def main():
    binary, data_dir, names, skip = bench_start("lasso_vs_sklearn", TARGETS)
    summary = []
    for name in names:
        path = os.path.join(data_dir, name + ".csv")
        if name == "synthetic_reg":
            path = os.path.join(tempfile.gettempdir(), "mileage_synthetic_reg_200000x50.csv")
            synthetic(path)
        t_on, t_off, best, folds = mileage_on_off(
            binary, path, f'"{TARGETS[name]}" AS REGRESSION METRIC rmse EVALUATE BY CV(5) SEED 0',
            f"EXPLORE t USING {USING} PREPROCESS standardize;", skip, best="min")
        t_sk, sk_best = 0.0, {}
        if "sklearn" not in skip:
            X, y = load(path, TARGETS[name])
            for fam, (make, grid) in SK.items():
                pipe = Pipeline([("scale", StandardScaler()), ("model", make())])
                gs = GridSearchCV(pipe, {"model__" + k: v for k, v in grid.items()}, cv=PredefinedSplit(folds),
                                  scoring="neg_root_mean_squared_error", n_jobs=os.cpu_count())
                t0 = time.time()
                gs.fit(X, y)
                t_sk += time.time() - t0
                sk_best[fam] = -gs.best_score_
        print_times(name, len(folds), t_on, t_off, t_sk, skip)
        print(f"  {'family':<11}{'mileage on':>12}{'mileage off':>13}{'sklearn':>10}   (best rmse)")
        for fam in SK:
            on = best.get(fam, {}).get(1, float("nan"))
            off = best.get(fam, {}).get(2, float("nan"))
            print(f"  {fam:<11}{on:>12.6f}{off:>13.6f}{sk_best.get(fam, float('nan')):>10.6f}")
        summary.append(time_cells(name, t_on, t_off, t_sk, skip))
    print_table(TIME_HEADER, summary)


if __name__ == "__main__":
    main()
