#!/bin/sh
# Runs (or continues) the D'OH Kodak rate-distortion study and writes docs/results/doh-kodak.{md,csv} and doh-kodak-rd.svg.
set -e
cd "$(dirname "$0")/.."
mkdir -p docs/results
swift run -c release hyperinr rd --config experiments/doh-kodak.yaml --report docs/results/doh-kodak.md
