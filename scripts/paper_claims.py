#!/usr/bin/env python3
"""The RPL paper's claims judged on a multi-seed sweep (issue #22, Deliver 6).

Reads the sweep.json that `pixelood sweep ... --seeds 666,1,2` writes and prints, as a
markdown list for docs/results.md, each claim as holding, not holding or within noise:

  1. RPL beats every logit score on AuPRC and FPR95 on every test set.
  2. RPL keeps the segmenter's mIoU exactly.
  3. RPL beats the retraining methods (PEBAL, Meta-OoD).
  4. CoroCL helps most under context shift (country).
  5. Table 4's order: PE + DS over PE over entropy + DS and energy hinge + DS.
  6. Table 6: RPL on the PEBAL- and Meta-OoD-retrained segmenters improves them.

One comparison is a difference of means d (oriented so that d > 0 is the claimed
direction: higher AuPRC, lower FPR95) and its standard error se = sqrt(sa²/na + sb²/nb)
from each row's per-seed values (sample standard deviations; a post-hoc row has one value
and no spread). It holds when d > 2 se, goes against the claim when d < -2 se, and is
within noise otherwise. A claim holds when all its comparisons hold, does not hold when
any goes against it, and is within noise otherwise; the counts are printed beside it.
Rows are found by their table labels (the defaults are Examples/sweeps/full-tier.yaml's;
--label ROLE=LABEL overrides one); a claim whose rows are missing is "not measured".

Run: python3 scripts/paper_claims.py runs/sweeps/full-tier/sweep.json
"""
import argparse
import json
import math
import statistics

LABELS = {
    "max_softmax": "max softmax", "max_logit": "max logit", "entropy": "entropy", "energy": "energy",
    "rpl": "RPL (PE + DS)", "corocl": "RPL + CoroCL", "pebal": "PEBAL", "pebal_rpl": "PEBAL + RPL",
    "meta_ood": "Meta-OoD", "meta_ood_rpl": "Meta-OoD + RPL", "pe": "Table 4: PE",
    "entropy_ds": "Table 4: entropy + DS", "hinge_ds": "Table 4: energy hinge + DS",
}
TEST_SETS = ["static", "obstacle", "country"]
METRICS = [("auprc", +1, "AuPRC"), ("fpr95", -1, "FPR95")]


class Sweep:
    """The rows of one sweep.json, by label, with their per-seed values."""

    def __init__(self, path, labels):
        with open(path) as f:
            data = json.load(f)
        self.sets = [name.split()[-1] for name in data["datasets"]]
        self.rows = {row["label"]: row for row in data["rows"]}
        self.labels = labels

    def row(self, role):
        return self.rows.get(self.labels[role])

    def values(self, role, set_name, metric):
        """Per-seed values of `metric` on `set_name` (one value for a post-hoc row)."""
        index = self.sets.index(set_name)
        return [seed[index][metric] for seed in self.row(role)["per_seed"]]


def compare(sweep, a, b, set_name, metric, sign):
    """(d, se, verdict) of `a` against `b`, d > 0 in the claimed direction."""
    va, vb = sweep.values(a, set_name, metric), sweep.values(b, set_name, metric)
    d = sign * (statistics.fmean(va) - statistics.fmean(vb))
    var = lambda v: statistics.variance(v) / len(v) if len(v) > 1 else 0.0
    se = math.sqrt(var(va) + var(vb))
    verdict = "holds" if d > 2 * se else "against" if d < -2 * se else "noise"
    return d, se, verdict


def judge(comparisons):
    """The claim's verdict from its comparisons' verdicts, with the counts."""
    counts = {v: sum(1 for c in comparisons if c[-1] == v) for v in ("holds", "noise", "against")}
    if counts["against"]:
        verdict = "**does not hold**"
    elif counts["noise"]:
        verdict = "**within noise**" if not counts["holds"] else "**partly** (the rest within noise)"
    else:
        verdict = "**holds**"
    return f"{verdict} ({counts['holds']} of {len(comparisons)} comparisons hold, {counts['noise']} within noise, {counts['against']} against)"


def pairwise(sweep, pairs, sets=TEST_SETS, metrics=METRICS):
    """Every (a, b) pair on every set and metric: (description, d, se, verdict)."""
    out = []
    for a, b in pairs:
        for set_name in sets:
            for metric, sign, name in metrics:
                d, se, verdict = compare(sweep, a, b, set_name, metric, sign)
                out.append((f"{sweep.labels[a]} vs {sweep.labels[b]}, {set_name} {name}", d, se, verdict))
    return out


def detail(comparisons):
    return "; ".join(f"{text}: {d:+.2f} ± {2 * se:.2f}" + ("" if v == "holds" else f" ({v})") for text, d, se, v in comparisons)


def claims(sweep):
    missing = lambda *roles: [sweep.labels[r] for r in roles if sweep.row(r) is None]
    logits = ["max_softmax", "max_logit", "entropy", "energy"]
    lines = []

    def claim(title, roles, body):
        absent = missing(*roles)
        if absent:
            lines.append(f"- {title}: **not measured** (no row {', '.join(absent)})")
        else:
            lines.append(f"- {title}: {body()}")

    def judged(pairs, **kw):
        def body():
            c = pairwise(sweep, pairs, **kw)
            return f"{judge(c)}. Differences (claimed direction positive) ± 2 se: {detail(c)}"
        return body

    claim("RPL beats every logit score on AuPRC and FPR95 on every test set", ["rpl"] + logits,
          judged([("rpl", s) for s in logits]))

    def miou():
        rpl, seg = sweep.row("rpl"), sweep.row("max_softmax")
        std = rpl.get("mean_iou_std", 0)
        same = rpl["mean_iou"] == seg["mean_iou"] and std == 0
        return ("**holds**" if same else "**does not hold**") + f" (RPL {rpl['mean_iou']:.2f} ± {std:.2f}, segmenter {seg['mean_iou']:.2f})"
    claim("RPL keeps the segmenter's mIoU exactly", ["rpl", "max_softmax"], miou)

    claim("RPL beats the retraining methods (PEBAL, Meta-OoD)", ["rpl", "pebal", "meta_ood"],
          judged([("rpl", "pebal"), ("rpl", "meta_ood")]))

    def corocl():
        gains = {}
        for set_name in TEST_SETS:
            d, se, verdict = compare(sweep, "corocl", "rpl", set_name, "auprc", +1)
            gains[set_name] = (d, se, verdict)
        best = max(gains, key=lambda s: gains[s][0])
        country = gains["country"]
        if best == "country" and country[2] == "holds":
            verdict = "**holds**"
        elif country[2] == "against" or (best != "country" and gains[best][2] == "holds"):
            verdict = "**does not hold**"
        else:
            verdict = "**within noise**"
        text = "; ".join(f"{s} {d:+.2f} ± {2 * se:.2f}" for s, (d, se, _) in gains.items())
        return f"{verdict}: CoroCL's AuPRC gain over RPL per set ± 2 se: {text} (largest: {best})"
    claim("CoroCL helps most under context shift (country)", ["corocl", "rpl"], corocl)

    claim("Table 4's order: PE + DS over PE over entropy + DS and energy hinge + DS",
          ["rpl", "pe", "entropy_ds", "hinge_ds"],
          judged([("rpl", "pe"), ("pe", "entropy_ds"), ("pe", "hinge_ds")]))

    claim("Table 6: RPL on the PEBAL-retrained segmenter improves PEBAL", ["pebal_rpl", "pebal"],
          judged([("pebal_rpl", "pebal")]))
    claim("Table 6: RPL on the Meta-OoD-retrained segmenter improves Meta-OoD", ["meta_ood_rpl", "meta_ood"],
          judged([("meta_ood_rpl", "meta_ood")]))
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sweep", help="sweep.json of a multi-seed sweep")
    ap.add_argument("--label", action="append", default=[], metavar="ROLE=LABEL",
                    help=f"a row's table label (roles: {', '.join(LABELS)})")
    args = ap.parse_args()
    labels = dict(LABELS)
    for item in args.label:
        role, _, label = item.partition("=")
        if role not in labels or not label:
            ap.error(f"--label {item!r}: expected ROLE=LABEL with ROLE one of {', '.join(LABELS)}")
        labels[role] = label
    sweep = Sweep(args.sweep, labels)
    absent = [s for s in TEST_SETS if s not in sweep.sets]
    if absent:
        ap.error(f"{args.sweep}: no set {', '.join(absent)} (has {', '.join(sweep.sets)})")
    print("\n".join(claims(sweep)))


if __name__ == "__main__":
    main()
