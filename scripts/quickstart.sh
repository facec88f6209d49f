#!/usr/bin/env bash
# The README's first command: installs missing system packages, builds release and runs
# the main job. Until training lands, the main job is the engine benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product pixelood
.build/release/pixelood bench "$@"
