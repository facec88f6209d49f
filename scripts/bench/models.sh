#!/usr/bin/env bash
# Frozen forward of every segmenter at 512x1024 (batch 1), PixelOoD and PyTorch CPU, one
# process each (the training step: `pixelood bench step` beside torch_train_step.py, in
# docs/benchmarks.md). Needs the README's .venv. PIXELOOD_BENCH_CLEAN_ENV=1 drops OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE first.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${PIXELOOD_BENCH_CLEAN_ENV:-0}" = 1 ]; then unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; fi
swift build -c release --product pixelood >/dev/null
for spec in "mobilenet_v2 16" "resnet50 8" "resnet101 8" "wide_resnet38 8" "ldn121 8"; do
  set -- $spec
  .build/release/pixelood bench model --backbone "$1" --output-stride "$2" "${@:3}"
  .venv/bin/python scripts/bench/torch_models.py --backbone "$1" --output-stride "$2"
done
