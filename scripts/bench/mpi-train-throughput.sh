#!/usr/bin/env bash
# Data-parallel training throughput (docs/scaling.md): seconds per step of 1 rank x 2 threads,
# 2 ranks x 1 thread and 2 ranks x 2 threads, in one run, for the RPL head and RPL + CoroCL on
# the quick-start world and the full-tier segmenter. Needs the quick-start world and segmenter
# (pixelood quickstart), data/full (pixelood data synth --out data/full --train 1000), the main
# build and the MPI package (swift build -c release --package-path MPI). A quiet machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
px=.build/release/pixelood; mpi=MPI/.build/release/pixelood-mpi
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
q=(--set segmenter.width_divisor=2 --set segmenter.backbone.width_divisor=8 --set checkpoint=Examples/quickstart/segmenter.h5
   --set data.train.root=data/quickstart/cityscapes --set data.val.root=data/quickstart/cityscapes --set "data.crop_size=[128, 256]"
   --set data.outliers.root=data/quickstart/coco --set stages.0.checkpoint_every=0 --progress none)
f=(--set segmenter.width_divisor=2 --set data.train.root=data/full/cityscapes --set data.val.root=data/full/cityscapes
   --set stages.0.checkpoint_every=0 --progress none)
run() {  # name steps recipe args...
  local name=$1 steps=$2 recipe=$3; shift 3
  PIXELOOD_THREADS=2 $px train $recipe "$@" --set stages.0.iterations=$steps --work-dir $w/$name-1x2 >/dev/null 2>&1
  mpirun --allow-run-as-root --oversubscribe -np 2 $mpi train $recipe "$@" --set stages.0.iterations=$steps --threads-per-rank 1 --work-dir $w/$name-2x1 >/dev/null 2>&1
  mpirun --allow-run-as-root --oversubscribe -np 2 $mpi train $recipe "$@" --set stages.0.iterations=$steps --threads-per-rank 2 --work-dir $w/$name-2x2 >/dev/null 2>&1
}
run rpl 40 Examples/recipes/rpl.yaml "${q[@]}"
run corocl 40 Examples/recipes/rpl-corocl.yaml "${q[@]}"
run seg 12 Examples/recipes/segmenter-synthetic.yaml "${f[@]}"
python3 - "$w" <<'PY'
import json, glob, statistics, sys
root = sys.argv[1]
for name in ("rpl", "corocl", "seg"):
    row = []
    for cfg in ("1x2", "2x1", "2x2"):
        log = glob.glob(f"{root}/{name}-{cfg}/*/log.jsonl")[0]
        lines = [json.loads(l) for l in open(log) if l.strip()]
        secs = [l["seconds"] for l in lines][2:]
        row.append((cfg, statistics.median(secs), min(secs), max(secs), lines[-1]["loss"]))
    base = row[0][1]
    print(name, " | ".join(f"{c}: median {m:.3f} s (min {lo:.3f}, max {hi:.3f}) x{base/m:.2f} loss {l:.6f}" for c, m, lo, hi, l in row))
PY
