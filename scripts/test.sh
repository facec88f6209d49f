#!/usr/bin/env bash
# The test command of the README: the shared build (scripts/build.sh; nothing to do when
# quickstart.sh built it), then every test of that release build (numeric tests are 10-100x
# slower in debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
swift test -c release --skip-build
