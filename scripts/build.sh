#!/usr/bin/env bash
# The one build both README commands share: installs missing system packages, then builds
# release with the tests, testable (as `swift test` builds them) and with the import check CI
# keeps. quickstart.sh and test.sh both call it, so whichever runs second builds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --build-tests -Xswiftc -enable-testing --explicit-target-dependency-import-check error
