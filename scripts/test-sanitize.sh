#!/bin/sh
# The hardening runs of CI (issue 5), after scripts/test.sh:
#   1. ASan+UBSan: the whole suite in a gcc -fsanitize=address,undefined
#      build (BUILDDIR-asan). Its cases that run valgrind themselves are
#      left out (valgrind cannot run ASan code), and so are the LD_PRELOAD
#      fault-injection cases (they skip: ASan owns malloc). Programs we do
#      not build (python3, curl, openssl, nginx) load the instrumented
#      module, so every test process gets libasan preloaded (ASan must come
#      first); leak detection is off (LSan would report python3's own
#      leaks): the valgrind cases of the suite and (2) cover leaks.
#      Left out too, and run in a UBSan-only build instead (BUILDDIR-ubsan,
#      no preload needed): the cases that run curl (curl hangs with libasan
#      preloaded, with or without tlspolicy.so) and the provider's shell
#      tests with python3, gnutls-cli, wget, git, testssl and nginx (they hang
#      the same way).
#   2. valgrind: the C unit tests not already run under valgrind by the
#      suite, through `meson test --setup valgrind` (tests/meson.build), in
#      BUILDDIR (the build scripts/test.sh made).
#   3. ThreadSanitizer: tlspolicy.so and the threads test (many threads
#      handshaking in three library contexts) and the unload tests (threads
#      handshaking while the module is unloaded and reloaded, and while
#      OPENSSL_cleanup runs at exit) in a -fsanitize=thread build
#      (BUILDDIR-tsan); any report fails it.
#   4. libFuzzer: each fuzz target for TP_FUZZ_SECONDS (default 25) in a
#      clang build (BUILDDIR-fuzz).
# Usage: scripts/test-sanitize.sh [BUILDDIR]    (default: build-test)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-build-test}
secs=${TP_FUZZ_SECONDS:-25}
"$top/scripts/deps.sh"
cd "$top"
t0=$(date +%s)
step() { echo "== $* ($(($(date +%s) - t0)) s)"; }

setup() { # DIR ARGS...: configure once, reconfigure after
    d=$1
    shift
    if [ -d "$d" ]; then meson configure "$d" "$@" >/dev/null; else meson setup "$d" "$@" >/dev/null; fi
}

# -- 1. ASan + UBSan ------------------------------------------------------------
step "ASan+UBSan build"
setup "$b-asan" -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true -Dbuildtype=debug
meson compile -C "$b-asan" >/dev/null
libasan=$(gcc -print-file-name=libasan.so)
# Cases whose foreign programs hang under a preloaded libasan (see above).
no_asan="cipher_programs failsafe_env version_floor_programs python peers pq
         gnutls_handshakes_DEFAULT gnutls_handshakes_NO-CBC gnutls_handshakes_FUTURE
         gnutls_handshakes_TLS13-ONLY gnutls_probe testssl"
tests=$(meson test -C "$b-asan" --list 2>/dev/null | sed -n 's/^[^:]*:[^ ]* \/ //p' \
        | grep -v -e valgrind -e '^fuzz_' | grep -v -x -F "$(echo $no_asan | tr ' ' '\n')" | sort -u)
step "ASan+UBSan: $(echo "$tests" | wc -l) tests"
# shellcheck disable=SC2086
LD_PRELOAD=$libasan \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_odr_violation=0 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C "$b-asan" --no-rebuild --print-errorlogs --num-processes 2 $tests

step "UBSan only: $no_asan"
setup "$b-ubsan" -Db_sanitize=undefined -Db_lundef=false -Dwerror=true -Dbuildtype=debug
meson compile -C "$b-ubsan" provider/tlspolicy tests/module/tp_probe tools/tlspolicy >/dev/null
# shellcheck disable=SC2086
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C "$b-ubsan" --no-rebuild --print-errorlogs --num-processes 2 $no_asan

# -- 2. valgrind ------------------------------------------------------------------
step "valgrind"
[ -d "$b" ] || meson setup "$b" -Dwerror=true >/dev/null
meson compile -C "$b" >/dev/null
meson test -C "$b" --no-rebuild --setup valgrind --print-errorlogs --num-processes 2 \
    checks cli_json race-read

# -- 3. ThreadSanitizer -------------------------------------------------------------
step "ThreadSanitizer"
setup "$b-tsan" -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug
meson compile -C "$b-tsan" provider/tlspolicy tests/hardening/threads tests/hardening/unload >/dev/null
TSAN_OPTIONS="halt_on_error=1:exitcode=66:suppressions=$top/tests/hardening/tsan.supp" \
TP_THREADS_ROUNDS=20 \
    meson test -C "$b-tsan" --no-rebuild --print-errorlogs threads unload_reload unload_threads unload_exit

# -- 4. libFuzzer ---------------------------------------------------------------------
step "libFuzzer, ${secs} s per target"
if [ -d "$b-fuzz" ]; then
    meson configure "$b-fuzz" -Dfuzz_seconds="$secs" >/dev/null
else
    CC=clang meson setup "$b-fuzz" -Dfuzzing=true -Dfuzz_seconds="$secs" >/dev/null
fi
meson compile -C "$b-fuzz" tests/fuzz/fuzz_policy tests/fuzz/fuzz_render >/dev/null
meson test -C "$b-fuzz" --no-rebuild --print-errorlogs --suite fuzz
step "done"
