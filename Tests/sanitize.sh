#!/bin/sh
# The test suite under a sanitizer: sh Tests/sanitize.sh address|thread [swift test options, e.g. --filter X].
# Builds into .build/asan or .build/tsan (the normal build is untouched) and runs every test there, the CLI
# tests' hyperinr subprocesses built with the same sanitizer. Any report fails the run: AddressSanitizer and
# LeakSanitizer (suppressions for XCTest's own leaks: Tests/lsan.supp), ThreadSanitizer (halt_on_error).
set -e
cd "$(dirname "$0")/.."
case "${1:-}" in
  address) dir=.build/asan ;;
  thread) dir=.build/tsan ;;
  *) echo "usage: sh Tests/sanitize.sh address|thread [swift test options]" >&2; exit 2 ;;
esac
kind=$1; shift
swift build -c release --build-tests --sanitize="$kind" --scratch-path "$dir"
LSAN_OPTIONS="suppressions=$PWD/Tests/lsan.supp" TSAN_OPTIONS="halt_on_error=1" \
  swift test -c release --skip-build --sanitize="$kind" --scratch-path "$dir" "$@"
