#!/usr/bin/env bash
# Runs `pixelood bench` and the PyTorch companion in one session and prints the table of
# docs/benchmarks.md. Needs the .venv of the README (torch CPU). Extra arguments go to both
# (e.g. --repeats 9). Set PIXELOOD_BENCH_CLEAN_ENV=1 to drop OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE first, so PixelOoD picks the core from CPUID as on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${PIXELOOD_BENCH_CLEAN_ENV:-0}" = 1 ]; then unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; fi
swift build -c release --product pixelood >/dev/null
out=$(mktemp -d)
.build/release/pixelood bench --json "$out/pixelood.json" "$@"
.venv/bin/python scripts/bench/torch_ops.py --threads "$(nproc)" --json "$out/torch.json" "$@"
echo
python3 scripts/bench/report.py "$out/pixelood.json" "$out/torch.json"
