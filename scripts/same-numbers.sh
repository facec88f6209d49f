#!/usr/bin/env bash
# Whether an engine change moved a trained number: 3 RPL + CoroCL steps from the full-tier
# segmenter (Examples/full/segmenter.h5 on data/full) and 3 segmenter steps from random weights,
# trained by two pixelood binaries, every dataset of the two checkpoints compared bit for bit
# (h5py from the README's .venv). Needs `pixelood data synth --out data/full --train 1000`.
# Run: scripts/same-numbers.sh BEFORE_BINARY [AFTER_BINARY (default .build/release/pixelood)]
# OpenBLAS's core is pinned to SkylakeX, the core every recorded table used, whatever the
# environment sets (SAME_NUMBERS_CORE=Haswell checks another; there any change to how a product
# is cut rounds differently, docs/benchmarks.md, "Eighth change").
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(realpath "$1"); after=$(realpath "${2:-.build/release/pixelood}")
export OPENBLAS_CORETYPE=${SAME_NUMBERS_CORE:-SkylakeX}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
roots=(--set data.train.root=data/full/cityscapes --set data.val.root=data/full/cityscapes)
# Each training's output goes to a log, shown only when it fails.
train() { "$@" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }; }
for side in before after; do
  binary=${!side}
  train "$binary" train Examples/recipes/rpl-corocl.yaml --set segmenter.width_divisor=2 --set checkpoint=Examples/full/segmenter.h5 \
    "${roots[@]}" --set data.outliers.root=data/full/coco --max-steps 3 --work-dir "$work/$side/rpl" --progress none
  train "$binary" train Examples/recipes/segmenter-synthetic.yaml "${roots[@]}" --max-steps 3 --work-dir "$work/$side/segmenter" \
    --progress none
done
.venv/bin/python - "$work" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
moved = 0
for run in ("rpl/rpl", "segmenter/segmenter"):
    a, b = (h5py.File(f"{work}/{side}/{run}/step_000003.h5", "r") for side in ("before", "after"))
    names = []
    a.visit(lambda n: names.append(n) if isinstance(a[n], h5py.Dataset) else None)
    differ = [n for n in names if n not in b or not np.array_equal(np.asarray(a[n]), np.asarray(b[n]))]
    moved += len(differ)
    print(f"{run.split('/')[0]}: {len(names)} datasets, {len(differ)} differ" + (f" (first: {differ[:3]})" if differ else ""))
sys.exit(1 if moved else 0)
PY
