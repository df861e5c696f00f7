#!/bin/sh
# Run one fuzz target for a bounded time on the seed corpus (CI: `meson test
# --suite fuzz`; long runs: see README, Fuzzing). Exit status non-zero on a
# crash, leak, timeout or invariant violation; the reproducer is left in
# ARTIFACTS (default: the build directory's fuzz-artifacts/).
# Usage: run.sh TARGET SOURCE_DIR SECONDS [libFuzzer options...]
set -eu
target=$1
src=$2
secs=$3
shift 3
name=$(basename "$target")
work=${TP_FUZZ_DIR:-$(dirname "$target")/fuzz-work}
corpus="$work/corpus-$name"
art="$work/artifacts/"
mkdir -p "$corpus" "$art"
sh "$src/tests/fuzz/corpus.sh" "$src" "$corpus" >/dev/null
# -rss_limit_mb: policy loading is bounded; a run that needs more is a bug.
# -timeout: one input must load in well under a second (program start-up).
export LSAN_OPTIONS="suppressions=$src/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# Per-input leak checks are off while fuzzing: libconfig 1.5 leaks on many
# syntax errors (suppressed above), and each such input would cost a full
# LeakSanitizer scan. The corpus the run kept, seeds included, is then
# replayed once with leak checks on.
"$target" -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$art" -detect_leaks=0 \
    -dict="$src/tests/fuzz/policy.dict" "$@" "$corpus"
echo "fuzz: replaying $(ls "$corpus" | wc -l) inputs with leak checks"
exec "$target" -runs=0 -detect_leaks=1 -timeout=5 -rss_limit_mb=1024 -max_len=65536 \
    -artifact_prefix="$art" "$corpus"
