#!/usr/bin/env bash
# Installs the Debian packages PixelOoD builds against (and python3, which runs the layering
# check), when any is missing; with --mpi also Open MPI (libopenmpi-dev, openmpi-bin), which
# only the MPI package (MPI/, pixelood-mpi) needs.
# Run as root (CI and the development machines are root); prints what it installs.
set -euo pipefail
packages=(libopenblas-dev libhdf5-dev libpng-dev libjpeg62-turbo-dev libwebp-dev pkg-config python3)
if [ "${1:-}" = "--mpi" ]; then packages+=(libopenmpi-dev openmpi-bin); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
