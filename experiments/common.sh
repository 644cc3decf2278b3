# Sourced by the experiment scripts from the package root. Sets BIN, the hyperinr binary: $HYPERINR_BIN, or
# this checkout's release build (rebuilt first, so results never come from a stale binary). Defines
# run_training DIR CONFIG [--set ...]: trains into DIR, resumes an interrupted run from its checkpoint, and
# leaves a finished one (DIR/report.md exists) alone.
if [ -n "$HYPERINR_BIN" ]; then BIN=$HYPERINR_BIN; else BIN=.build/release/hyperinr; swift build -c release --product hyperinr >/dev/null; fi

run_training() {
  dir=$1; config=$2; shift 2
  if [ -f "$dir/report.md" ]; then return; fi
  if [ -f "$dir/checkpoint.safetensors" ]; then resume=--resume; else resume=; fi
  $BIN train --config "$config" --output "$dir" $resume "$@"
}
