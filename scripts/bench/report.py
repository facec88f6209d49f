#!/usr/bin/env python3
"""Prints the markdown table of docs/benchmarks.md from `pixelood bench --json A` and
`scripts/bench/torch_ops.py --json B` measured in the same session.

Run: python3 scripts/bench/report.py pixelood.json torch.json
"""
import json
import sys


def main():
    ours, theirs = (json.load(open(p)) for p in sys.argv[1:3])
    torch = {r["name"]: r for r in theirs["results"]}
    peak = ours.get("sgemmGFLOPs")
    print(f"OpenBLAS core: {ours['core']}; sgemm peak in this run: {peak:.0f} GFLOP/s; "
          f"torch {theirs['torch']}, {theirs['threads']} threads")
    print()
    print("| op | PixelOoD fwd ms | PyTorch fwd ms | fwd ratio | PixelOoD bwd ms | PyTorch bwd ms | bwd ratio | PixelOoD fwd GFLOP/s | % of sgemm |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in ours["results"]:
        t = torch[r["name"]]
        fr = r["forwardMs"] / t["forwardMs"]
        if r.get("backwardMs") and t.get("backwardMs"):
            b, tb, br = f"{r['backwardMs']:.2f}", f"{t['backwardMs']:.2f}", f"{r['backwardMs'] / t['backwardMs']:.2f}"
        else:
            b = tb = br = "-"
        g = r.get("forwardGFLOPs")
        share = f"{100 * g / peak:.0f}%" if g and peak else "-"
        gtxt = f"{g:.0f}" if g else "-"
        print(f"| {r['name']} | {r['forwardMs']:.2f} | {t['forwardMs']:.2f} | {fr:.2f} | {b} | {tb} | {br} | {gtxt} | {share} |")
    print()
    print("Ratios are PixelOoD time / PyTorch time: below 1 means PixelOoD is faster.")


if __name__ == "__main__":
    main()
