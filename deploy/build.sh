#!/bin/sh
# Builds Vigie's static binary, as the Dockerfile's build stage does:
#   deploy/build.sh [OUT]        (default OUT: ./vigie)
# The Dockerfile runs this very script, and .ci/dockerfile-check.sh runs
# it outside Docker, so the flags live here only.
set -eu
out=${1:-vigie}
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out" ./cmd/vigie
