#!/usr/bin/python3
"""mileage (sharing on / off) vs scikit-learn GridSearchCV for l1 logreg.

Grid (issue 4, rule 3 for l1 logreg): impute(median) + standardize, 5-fold
CV, metric accuracy, logreg penalty l1 with C in logspace(-2, 2, 5).
mileage solves the multinomial l1 problem by proximal Newton to the optimum
(its C path warm-starts each fit from the previous C's model); scikit-learn
by LogisticRegression(penalty='l1', solver='saga', max_iter=1000) — the
l1 solver that fits the multinomial model; saga stops at tol 1e-4 and may
stop at max_iter (warnings silenced).  Times are wall-clock seconds
(mileage: the whole CLI process running one EXPLORE after the dataset and
task exist, loading the data included; scikit-learn: GridSearchCV.fit
with n_jobs = cores, Python start-up and data loading excluded).

usage: logreg_l1_vs_sklearn.py MILEAGE DATA_DIR [dataset ...]
"""
import os
import sys
import time

# saga's ConvergenceWarning from GridSearchCV's worker processes too
os.environ["PYTHONWARNINGS"] = "ignore"
import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, PredefinedSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from explore_vs_sklearn import TIME_HEADER, bench_start, load, mileage_on_off, print_table, print_times, time_cells

TARGETS = {"satellite": "classes", "vehicle": "Class", "digits": "target", "glass": "Type"}
USING = "logreg(C IN logspace(-2, 2, 5), penalty = 'l1')"
GRID = {"C": list(np.logspace(-2, 2, 5))}


def main():
    binary, data_dir, names, skip = bench_start("logreg_l1_vs_sklearn", TARGETS)
    summary = []
    for name in names:
        path = os.path.join(data_dir, name + ".csv")
        t_on, t_off, best, folds = mileage_on_off(
            binary, path, f'"{TARGETS[name]}" METRIC accuracy EVALUATE BY CV(5) SEED 0',
            f"EXPLORE t USING {USING} PREPROCESS impute(median), standardize;", skip)
        t_sk, sk_best = float("nan"), float("nan")
        if "sklearn" not in skip:
            X, y, num, cat = load(path, TARGETS[name])
            assert not cat, f"{name}: categorical features"
            pipe = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler()),
                             ("model", LogisticRegression(penalty="l1", solver="saga", max_iter=1000))])
            gs = GridSearchCV(pipe, {"model__" + k: v for k, v in GRID.items()}, cv=PredefinedSplit(folds),
                              scoring="accuracy", n_jobs=os.cpu_count())
            t0 = time.time()
            gs.fit(X, y)
            t_sk, sk_best = time.time() - t0, gs.best_score_
        on, off = best.get("logreg", {}).get(1, float("nan")), best.get("logreg", {}).get(2, float("nan"))
        print_times(name, len(folds), t_on, t_off, t_sk, skip)
        print(f"  best accuracy: mileage on {on:.6f}, off {off:.6f}, scikit-learn {sk_best:.6f}")
        summary.append(time_cells(name, t_on, t_off, t_sk, skip) +
                       [f"{on:.4f} / " + ("-" if "off" in skip else f"{off:.4f}") + " / " +
                        ("-" if "sklearn" in skip else f"{sk_best:.4f}")])
    print_table(TIME_HEADER + ["best accuracy on / off / sklearn"], summary)


if __name__ == "__main__":
    main()
