#!/usr/bin/env bash
# Checks the out-of-tree plugin (part of the README's test command): builds
# Examples/CustomHead against this checkout, then trains its recipe for 3 steps on a tiny
# synthetic world, evaluates it and runs infer with its own CLI, probe-ood.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --package-path Examples/CustomHead
probe=Examples/CustomHead/.build/release/probe-ood
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$probe" list head | grep -q outlier_probe
"$probe" data synth --out "$work/world" --size 128x256 --train 4 --val 2 --outliers 4 --test 5 --progress none
overrides=(--set "data.train.root=$work/world/cityscapes" --set "data.val.root=$work/world/cityscapes"
           --set "data.outliers.root=$work/world/coco" --set "work_dir=$work/run" --set data.workers=1
           --set stages.0.iterations=3 --set stages.0.checkpoint_every=0)
# The three test sets and the outlier-exposure validation set all live in the world's root.
for i in 0 1 2 3; do overrides+=(--set "eval.datasets.$i.root=$work/world"); done
recipe=Examples/CustomHead/outlier-probe.yaml
"$probe" train "$recipe" "${overrides[@]}" --progress none
"$probe" eval "$recipe" "${overrides[@]}" --progress none
grep -q "probe: outlier_probe" "$work/run/eval/report.md"
"$probe" infer "$work/run/probe/final.h5" "$work/world/road_anomaly/original/000000.png" --out "$work/infer"
test -s "$work/infer/000000_overlay.png"
echo "Examples/CustomHead: built, trained 3 steps, evaluated and inferred with probe-ood"
