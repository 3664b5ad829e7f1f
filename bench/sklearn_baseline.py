#!/usr/bin/python3
"""scikit-learn baseline for bench/ml.ts, on the same processed splits.

Usage: /usr/bin/python3 bench/sklearn_baseline.py RAW_DIR EPOCHS [LR] [BATCH] [mlp|all]
RAW_DIR holds the splits bench/ml-data.ts exported from the Parquet files as raw float32
(Debian's python3 has scikit-learn but no pyarrow). Prints one JSON line per model.
MLPClassifier gets the same network (64, 32), optimiser (Adam), learning rate, batch size and
epochs as the tfjs run, no L2 penalty and no early stop; it takes no sample weights, so the tfjs
side of the comparison is trained without class weights too.
"""
import json
import resource
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.neural_network import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def load(d, name):
    meta = json.load(open(f"{d}/{name}.json"))
    x = np.fromfile(f"{d}/{name}.x.f32", dtype=np.float32).reshape(meta["rows"], meta["k"])
    y = np.fromfile(f"{d}/{name}.y.f32", dtype=np.float32).astype(np.int64)
    return x, y


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def report(name, model, x, y, xt, yt, epochs, fit_seconds, fit_cpu):
    t = time.perf_counter()
    p = model.predict_proba(xt)[:, 1]
    predict_seconds = time.perf_counter() - t
    print(json.dumps({
        "model": name,
        "epochs": epochs,
        "trainRows": len(x),
        "trainSeconds": fit_seconds,
        "rowsPerSecond": len(x) * epochs / fit_seconds,
        "rowsPerCpuSecond": len(x) * epochs / fit_cpu,
        "predictRowsPerSecond": len(xt) / predict_seconds,
        "testRocAuc": roc_auc_score(yt, p),
        "testPrAuc": average_precision_score(yt, p),
        "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }), flush=True)


def main():
    d, epochs = sys.argv[1], int(sys.argv[2])
    lr = float(sys.argv[3]) if len(sys.argv) > 3 else 0.001
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 1024
    which = sys.argv[5] if len(sys.argv) > 5 else "all"
    x, y = load(d, "train")
    xt, yt = load(d, "test")
    mlp = MLPClassifier(hidden_layer_sizes=(64, 32), solver="adam", learning_rate_init=lr, batch_size=batch,
                        max_iter=epochs, alpha=0.0, tol=0.0, n_iter_no_change=epochs + 1, shuffle=True, random_state=42)
    t, c = time.perf_counter(), cpu_seconds()
    mlp.fit(x, y)
    report("MLPClassifier(64,32) adam", mlp, x, y, xt, yt, mlp.n_iter_, time.perf_counter() - t, cpu_seconds() - c)
    if which == "mlp":
        return

    sgd = SGDClassifier(loss="log_loss", max_iter=epochs, tol=None, random_state=42)
    t, c = time.perf_counter(), cpu_seconds()
    sgd.fit(x, y)
    report("SGDClassifier(log_loss)", sgd, x, y, xt, yt, epochs, time.perf_counter() - t, cpu_seconds() - c)

    lr_model = LogisticRegression(max_iter=200)
    t, c = time.perf_counter(), cpu_seconds()
    lr_model.fit(x, y)
    report("LogisticRegression(lbfgs)", lr_model, x, y, xt, yt, int(lr_model.n_iter_[0]), time.perf_counter() - t, cpu_seconds() - c)


if __name__ == "__main__":
    main()
