#!/usr/bin/env bash
# The test command of the README: installs missing system packages, then runs every
# test in a release build (numeric tests are 10-100x slower in debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --explicit-target-dependency-import-check error
swift test -c release
