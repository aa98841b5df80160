#!/usr/bin/python3
"""Independent reference for tests/unit/test_cv_score.c.

Reads the folds mileage stored for task `risk` (credit-g, CV(5), seed 7),
rebuilds the same pipeline in scikit-learn -- median/most-frequent
imputation, one-hot encoding, standardization of every column -- and prints
the per-fold and mean accuracy of LogisticRegression(C=0.1) and
RidgeClassifier(alpha=10) on exactly those folds.

usage: credit_cv.py FOLDS.csv   (FOLDS.csv: `row,fold` as written by
  mileage --mode csv -c "SELECT row, fold FROM folds WHERE task='risk' ORDER BY row")
"""
import csv
import warnings
import sys
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

warnings.simplefilter("ignore")  # newton-cg complains at tol=1e-12 after converging
with open(sys.argv[2] if len(sys.argv) > 2 else "data/credit-g.csv", newline="") as f:
    rows = list(csv.reader(f))
header, rows = rows[0], rows[1:]
with open(sys.argv[1], newline="") as f:
    folds = np.array([int(r[1]) for r in list(csv.reader(f))[1:]])
def numeric(j):
    try:
        [float(r[j]) for r in rows if r[j] != ""]
        return True
    except ValueError:
        return False
target = header.index("class")
feats = [j for j in range(len(header)) if j != target]
num = [i for i, j in enumerate(feats) if numeric(j)]
cat = [i for i, j in enumerate(feats) if not numeric(j)]
data = np.array([[float(r[j]) if numeric(j) else r[j] for j in feats] for r in rows], dtype=object)
y = np.array([r[target] for r in rows])

def pipeline(model):
    pre = ColumnTransformer([
        ("num", SimpleImputer(strategy="median"), num),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(handle_unknown="ignore")), cat)],
        sparse_threshold=0)
    return make_pipeline(pre, StandardScaler(), model)

for name, model in [("logreg C=0.1", LogisticRegression(C=0.1, solver="newton-cg", tol=1e-12, max_iter=10000)),
                    ("ridge alpha=10", RidgeClassifier(alpha=10))]:
    scores = []
    for k in range(folds.max() + 1):
        tr, te = folds != k, folds == k
        p = pipeline(model).fit(data[tr], y[tr])
        scores.append((p.predict(data[te]) == y[te]).mean())
    print(name, " ".join(f"{s:.6f}" for s in scores), f"mean={np.mean(scores):.10f}")
