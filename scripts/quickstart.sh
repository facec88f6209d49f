#!/usr/bin/env bash
# The README's first command: installs missing system packages, builds release and runs
# the main job. Until the paper-style main job lands (issue #12), it is the engine benchmark;
# the segmenter, its scores and their table are the three commands in docs/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product pixelood
.build/release/pixelood bench "$@"
