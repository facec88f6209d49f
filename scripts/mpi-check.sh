#!/usr/bin/env bash
# Checks pixelood-mpi (issue #24) on this machine: builds the MPI package (MPI/), trains a
# 2-step RPL head on a tiny synthetic world with the bundled segmenter, evaluates it in one
# process (pixelood eval) and over two MPI ranks (mpirun -np 2 pixelood-mpi eval), and
# requires the two report.json files to be equal but for the wall time; then runs a
# two-point sweep both ways and compares each point's report; then a rank that fails must
# end the whole job with its error; then data-parallel training: 3 steps on 2 ranks × 2
# crops must log the losses of 1 rank × 4 crops (to 1e-5) for an RPL head, an RPL + CoroCL
# head and the segmenter, and a rank killed mid-run must stop the job, its last checkpoint resuming on
# one rank. Installs libopenmpi-dev and openmpi-bin when
# missing (scripts/install-deps.sh --mpi); needs the main build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --mpi
swift build -c release --package-path MPI
pixelood=.build/release/pixelood
mpi=MPI/.build/release/pixelood-mpi
mpirun=(mpirun --allow-run-as-root --oversubscribe -np 2)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$pixelood" data synth --out "$work/world" --size 128x256 --train 4 --val 5 --outliers 4 --test 5 --progress none
overrides=(--set segmenter.width_divisor=2 --set segmenter.backbone.width_divisor=8
           --set checkpoint=Examples/quickstart/segmenter.h5 --set "data.crop_size=[128, 256]"
           --set "data.train.root=$work/world/cityscapes" --set "data.val.root=$work/world/cityscapes"
           --set "data.outliers.root=$work/world/coco" --set data.workers=1 --set "work_dir=$work/run"
           --set stages.0.iterations=2 --set stages.0.checkpoint_every=0)
for i in 0 1 2 3; do overrides+=(--set "eval.datasets.$i.root=$work/world"); done
recipe=Examples/recipes/rpl.yaml
"$pixelood" train "$recipe" "${overrides[@]}" --progress none
"$pixelood" eval "$recipe" "${overrides[@]}" --no-store --progress none --out "$work/one" >/dev/null
"${mpirun[@]}" "$mpi" eval "$recipe" "${overrides[@]}" --no-store --progress none --out "$work/two" >/dev/null
python3 - "$work/one/report.json" "$work/two/report.json" <<'PY'
import json, sys
one, two = (json.load(open(path)) for path in sys.argv[1:])
for report in (one, two):
    report.pop("seconds")
if one != two:
    different = sorted(key for key in set(one) | set(two) if one.get(key) != two.get(key))
    sys.exit(f"pixelood-mpi eval on 2 ranks differs from pixelood eval in: {', '.join(different)}")
rows = len(one["rows"])
components = sum(1 for row in one["rows"] if row.get("components"))
print(f"pixelood-mpi eval on 2 ranks: report.json equal to one process's ({rows} rows, {components} with component metrics, "
      f"mIoU {one['mean_iou']:.4f}; wall time aside)")
PY
# A sweep across the two ranks: its points dealt over them, each point's report equal to the
# one-process sweep's (wall times aside).
cat > "$work/sweep.yaml" <<YAML
recipe: $PWD/$recipe
points:
  - {name: slow}
  - {name: fast, set: {stages.0.optimizer.lr: 1.0e-4}}
YAML
"$pixelood" sweep "$work/sweep.yaml" "${overrides[@]}" --work-dir "$work/sweep-one" --no-store --progress none >/dev/null
"${mpirun[@]}" "$mpi" sweep "$work/sweep.yaml" "${overrides[@]}" --work-dir "$work/sweep-two" --no-store --progress none >/dev/null
python3 - "$work/sweep-one" "$work/sweep-two" <<'PY'
import json, sys
for point in ("slow", "fast"):
    one, two = (json.load(open(f"{folder}/{point}/eval/report.json")) for folder in sys.argv[1:])
    for report in (one, two):
        report.pop("seconds")
        report.pop("checkpoint")  # the point's final.h5, in each sweep's own folder
    if one != two:
        sys.exit(f"pixelood-mpi sweep on 2 ranks: point {point}'s report differs from pixelood sweep's")
print("pixelood-mpi sweep on 2 ranks: both points' report.json equal to the one-process sweep's (wall time and folder aside)")
PY
# A rank that fails stops every rank with its error (here: a dataset folder that does not exist).
if "${mpirun[@]}" "$mpi" eval "$recipe" "${overrides[@]}" --set "eval.datasets.0.root=$work/missing" --no-store \
     --progress none --out "$work/three" >"$work/failed.log" 2>&1; then
  echo "pixelood-mpi eval succeeded on a missing dataset" >&2; exit 1
fi
grep -q "failed: stopping every rank" "$work/failed.log" || { cat "$work/failed.log" >&2; exit 1; }
echo "pixelood-mpi: a failing rank stopped the job with its error"

# Data-parallel training (pixelood-mpi train): 3 steps on 2 ranks x 2 crops must log the losses of
# 1 rank x 4 crops to 1e-5 (relative), for the RPL head on the bundled segmenter (head batch norm
# and dropout training), for RPL + CoroCL (context images forwarded with the crops, CoroCL's
# pixels drawn over the whole batch) and for the bundled segmenter itself fine-tuned (every
# batch norm synchronised across the ranks).
train=("${overrides[@]}" --set data.batch_size=4 --set stages.0.checkpoint_every=1 --progress none)
segmenter=(--set checkpoint=Examples/quickstart/segmenter.h5 --set "data.train.root=$work/world/cityscapes"
           --set "data.val.root=$work/world/cityscapes" --set data.workers=1 --set data.batch_size=4
           --set stages.0.iterations=3 --set stages.0.checkpoint_every=0 --progress none)
"$pixelood" train "$recipe" "${train[@]}" --set stages.0.iterations=3 --work-dir "$work/dp-rpl-one" >/dev/null
"${mpirun[@]}" "$mpi" train "$recipe" "${train[@]}" --set stages.0.iterations=3 --work-dir "$work/dp-rpl-two" >/dev/null
"$pixelood" train Examples/recipes/rpl-corocl.yaml "${train[@]}" --set stages.0.iterations=3 --work-dir "$work/dp-corocl-one" >/dev/null
"${mpirun[@]}" "$mpi" train Examples/recipes/rpl-corocl.yaml "${train[@]}" --set stages.0.iterations=3 --work-dir "$work/dp-corocl-two" >/dev/null
"$pixelood" train Examples/quickstart/segmenter.yaml "${segmenter[@]}" --work-dir "$work/dp-seg-one" >/dev/null
"${mpirun[@]}" "$mpi" train Examples/quickstart/segmenter.yaml "${segmenter[@]}" --work-dir "$work/dp-seg-two" >/dev/null
python3 - "$work" <<'PY'
import json, sys
def losses(folder):
    return [json.loads(line)["loss"] for line in open(f"{sys.argv[1]}/{folder}") if line.strip()]
for name, kind, log in (("RPL head", "rpl", "rpl/log.jsonl"), ("RPL + CoroCL head", "corocl", "rpl/log.jsonl"),
                        ("segmenter", "seg", "segmenter/log.jsonl")):
    one, two = losses(f"dp-{kind}-one/{log}"), losses(f"dp-{kind}-two/{log}")
    worst = max(abs(a - b) / (1 + abs(b)) for a, b in zip(two, one))
    if len(one) != 3 or len(two) != 3 or worst > 1e-5:
        sys.exit(f"pixelood-mpi train ({name}): 2 ranks logged {two}, 1 rank logged {one}")
    print(f"pixelood-mpi train ({name}) on 2 ranks x 2 crops: 3 steps log the losses of 1 rank x 4 crops "
          f"(largest relative difference {worst:.1e}; {', '.join(f'{v:.6f}' for v in one)})")
PY
# A rank killed mid-run stops the job (mpirun names it); the last checkpoint resumes on one rank.
"${mpirun[@]}" "$mpi" train "$recipe" "${train[@]}" --set stages.0.iterations=200 --work-dir "$work/dp-kill" \
  >"$work/killed.log" 2>&1 &
job=$!
for _ in $(seq 600); do [ -e "$work/dp-kill/rpl/step_000002.h5" ] && break; sleep 0.1; done
victim=$(pgrep -f "^$mpi train" | tail -1)
kill -9 "$victim"
if wait "$job"; then echo "pixelood-mpi train went on after a rank was killed" >&2; exit 1; fi
grep -qi "rank" "$work/killed.log" || { cat "$work/killed.log" >&2; exit 1; }
"$pixelood" train "$recipe" "${train[@]}" --set stages.0.iterations=200 --work-dir "$work/dp-kill" --max-steps 2 2>"$work/resumed.log" >/dev/null
grep -q "continuing from $work/dp-kill/rpl/step_" "$work/resumed.log" || { cat "$work/resumed.log" >&2; exit 1; }
echo "pixelood-mpi train: a killed rank (pid $victim) stopped the job; $(grep -o 'continuing from [^,]*' "$work/resumed.log") on one rank"
