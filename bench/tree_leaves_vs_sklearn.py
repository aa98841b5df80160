#!/usr/bin/python3
"""mileage (sharing on / off) vs scikit-learn GridSearchCV for a tree grid
over max_depth and min_samples_leaf (issue 4, rule 4: one growth to the
deepest cap serves every depth, and the leaf sizes share each node until
their splits differ).

Grid: impute(median) + onehot + standardize, 5-fold CV, accuracy, and
  tree max_depth in 2..20 x min_samples_leaf in {1, 2, 5, 10, 20}
(95 configurations).  scikit-learn: DecisionTreeClassifier(random_state=0)
in the same pipeline, GridSearchCV with n_jobs = cores on the folds mileage
stored.  Times are wall-clock seconds (mileage: the whole CLI process
running one EXPLORE after the dataset and task exist, loading included;
scikit-learn: GridSearchCV.fit, Python start-up and loading excluded).
Trees break exact ties between features at random in both tools, so best
scores agree to the quality bar (docs/quality.md), not exactly.

usage: tree_leaves_vs_sklearn.py MILEAGE DATA_DIR [dataset ...]
"""
import os
import time

from sklearn.model_selection import GridSearchCV, PredefinedSplit
from sklearn.tree import DecisionTreeClassifier

from explore_vs_sklearn import (TIME_HEADER, bench_start, load, mileage_on_off, print_table, print_times,
                                sk_pipeline, time_cells)

TARGETS = {"digits": "target", "credit-g": "class", "satellite": "classes"}
DEPTHS, LEAVES = list(range(2, 21)), [1, 2, 5, 10, 20]
USING = "tree(max_depth IN 2..20, min_samples_leaf IN {1, 2, 5, 10, 20})"


def sklearn_grid(X, y, num, cat, folds):
    pipe = sk_pipeline(DecisionTreeClassifier(random_state=0), num, cat)
    gs = GridSearchCV(pipe, {"model__max_depth": DEPTHS, "model__min_samples_leaf": LEAVES},
                      cv=PredefinedSplit(folds), scoring="accuracy", n_jobs=os.cpu_count())
    t0 = time.time()
    gs.fit(X, y)
    return time.time() - t0, gs.best_score_


def main():
    binary, data_dir, names, skip = bench_start("tree_leaves_vs_sklearn", TARGETS)
    summary = []
    for name in names:
        path = os.path.join(data_dir, name + ".csv")
        t_on, t_off, best, folds = mileage_on_off(
            binary, path, f'"{TARGETS[name]}" AS CLASSIFICATION EVALUATE BY CV(5) SEED 0',
            f"EXPLORE t USING {USING} PREPROCESS impute(median), onehot, standardize;", skip)
        t_sk, sk_best = 0.0, float("nan")
        if "sklearn" not in skip:
            X, y, num, cat = load(path, TARGETS[name])
            t_sk, sk_best = sklearn_grid(X, y, num, cat, folds)
        print_times(name, len(folds), t_on, t_off, t_sk, skip)
        on, off = best.get("tree", {}).get(1, float("nan")), best.get("tree", {}).get(2, float("nan"))
        print(f"  best accuracy: mileage on {on:.4f}, off {off:.4f}, scikit-learn {sk_best:.4f}")
        summary.append(time_cells(name, t_on, t_off, t_sk, skip) + [f"{on:.4f} / {off:.4f} / {sk_best:.4f}"])
    print_table(TIME_HEADER + ["best accuracy (on / off / sklearn)"], summary)


if __name__ == "__main__":
    main()
