#!/usr/bin/env python3
"""The scikit-learn side of `pixelood bench metrics`: the same synthetic pixels (the
splitmix64 stream of scripts/fixtures/metrics.py), AUROC + AuPRC + FPR95 (nearest-recall
rule) the way the usual Python evaluation computes them: all evaluated pixels in memory.
Prints the metric time (generation excluded) and the process's peak memory.

Run: .venv/bin/python scripts/bench/sklearn_metrics.py [--pixels 100000000]
"""
import argparse
import os
import resource
import sys
import time

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from metrics import fpr_at_recall_nearest, generated  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pixels", type=int, default=100_000_000)
    args = ap.parse_args()
    chunks = [generated(min(10_000_000, args.pixels - start), start) for start in range(0, args.pixels, 10_000_000)]
    scores = np.concatenate([c[0] for c in chunks])
    labels = np.concatenate([c[1] for c in chunks])
    del chunks
    t0 = time.perf_counter()
    keep = labels <= 1
    s, y = scores[keep], labels[keep]
    auroc = roc_auc_score(y, s)
    aupr = average_precision_score(y, s)
    fpr = fpr_at_recall_nearest(s, y)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pixels {args.pixels}: AUROC {auroc:.9f}  AuPRC {aupr:.9f}  FPR95 {fpr:.9f}")
    print(f"metric time {seconds:.2f} s ({seconds * 1e9 / args.pixels:.1f} ns/pixel); peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
