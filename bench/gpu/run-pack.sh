#!/bin/sh
# The one command on the GPU machine: unpacks the GPU pack (bench/gpu/pack.mjs) into a temporary folder, runs it,
# and removes the folder. Results: ./bench/results-gpu.{json,md} (or $DISTILLERY_RESULTS_DIR).
#   sh run-pack.sh [distillery-gpu-pack.tar.xz] [runner options, e.g. --models tiny-cnn]
set -eu
pack=${1:-distillery-gpu-pack.tar.xz}
[ $# -gt 0 ] && shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/distillery-gpu.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if command -v xz >/dev/null 2>&1; then
  xz -dc "$pack" | tar -xf - -C "$tmp"
else # no xz-utils: Python's lzma reads it too
  python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$pack" | tar -xf - -C "$tmp"
fi
DISTILLERY_RESULTS_DIR=${DISTILLERY_RESULTS_DIR:-$PWD/bench} sh "$tmp/distillery-gpu-pack/run.sh" "$@"
