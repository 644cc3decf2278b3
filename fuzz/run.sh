#!/bin/sh
# In-process fuzzing of HyperINR's parsers with libFuzzer (the Swift toolchain's -sanitize=fuzzer, with
# AddressSanitizer). Usage: sh fuzz/run.sh [SECONDS] [TARGET...]  (default 60 s each, every target:
# png jpeg wav obj ply safetensors model hinr config). Builds into .build/fuzz (the normal build is
# untouched), starts from the committed seeds in fuzz/corpus/TARGET and keeps what it finds in
# .build/fuzz/corpus/TARGET and its log in .build/fuzz/TARGET.log; a crashing input is written to
# .build/fuzz/crash-TARGET-* and the script stops with its status. Replay any input with the normal build: swift run -c release hyperinr-fuzz TARGET FILE.
# HYPERINR_FUZZ_RUNS=N stops each target after N executions instead (SECONDS stays an upper bound).
# Each run prints libFuzzer's final line (executions, coverage); fuzz/README.md has the counts measured.
set -e
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-png jpeg wav obj ply safetensors model hinr config}
case "${HYPERINR_FUZZ_RUNS:-1}" in
  ''|*[!0-9]*) echo "HYPERINR_FUZZ_RUNS must be a whole number of executions, got '$HYPERINR_FUZZ_RUNS'" >&2; exit 2 ;;
esac
case "$seconds" in
  ''|*[!0-9]*) echo "SECONDS must be a whole number, got '$seconds' (usage: sh fuzz/run.sh [SECONDS] [TARGET...])" >&2; exit 2 ;;
esac
runs=${HYPERINR_FUZZ_RUNS:+-runs=$HYPERINR_FUZZ_RUNS}
mkdir -p .build/fuzz
swift build -c release --scratch-path .build/fuzz --product hyperinr-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library >.build/fuzz/build.log 2>&1 ||
  { tail -30 .build/fuzz/build.log; echo "fuzz build failed; full log in .build/fuzz/build.log"; exit 1; }
bin=.build/fuzz/release/hyperinr-fuzz
for t in $targets; do
  mkdir -p ".build/fuzz/corpus/$t"
  SWIFT_BACKTRACE=enable=no HYPERINR_FUZZ_TARGET=$t HYPERINR_THREADS=1 nice "$bin" ".build/fuzz/corpus/$t" "fuzz/corpus/$t" \
    -max_total_time="$seconds" $runs -timeout=20 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix=".build/fuzz/crash-$t-" 2>".build/fuzz/$t.log" || { grep -m1 -B2 -A20 'ERROR:' ".build/fuzz/$t.log"; exit 1; }
  echo "$t: $(grep -E '^stat::number_of_executed_units' ".build/fuzz/$t.log" | awk '{print $2}') executions, $(grep -E '^#[0-9]+.*DONE' ".build/fuzz/$t.log" | tail -1)"
done
