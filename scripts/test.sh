#!/usr/bin/env bash
# The test command of the README: the shared build (scripts/build.sh; nothing to do when
# quickstart.sh built it), every test of that release build (numeric tests are 10-100x
# slower in debug builds), then the out-of-tree plugin package built and run for a few
# steps (scripts/custom-head.sh). The layering check (and its self-test) runs first, after
# the system packages: it needs no build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/check-layering.py --self-test
scripts/check-layering.py
scripts/build.sh
swift test -c release --skip-build
scripts/custom-head.sh
