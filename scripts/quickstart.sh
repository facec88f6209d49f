#!/usr/bin/env bash
# The README's first command: the shared build (scripts/build.sh: system packages if missing,
# release build), then `pixelood quickstart`: the synthetic world, the bundled segmenter, every
# bundled method trained and evaluated, one paper-style table. Arguments go to the quickstart
# (--train-segmenter, --only NAME, --progress plain).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
.build/release/pixelood quickstart "$@"
