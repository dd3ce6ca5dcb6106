#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UBSan into build-asan/ and runs test files against it:
#   bash scripts/test_sanitized.sh                  # the whole suite
#   bash scripts/test_sanitized.sh test/core        # some files or folders
# Node is not instrumented, so the ASan runtime is preloaded; LeakSanitizer is off here (Node
# and libtorch keep process-lifetime allocations; use `valgrind --leak-check=full` or run with
# ASAN_OPTIONS=detect_leaks=1 on a short script for leaks). UBSan findings abort the test.
# allocator_may_return_null: tests ask for absurd sizes on purpose; libtorch must see a failed
# allocation (and throw), as without ASan, instead of ASan aborting.
set -euo pipefail
cd "$(dirname "$0")/.."
npx cmake-js build --out build-asan --log-level warn --CDRESNET_NATIVE_SANITIZE=ON >/dev/null
libasan=$(g++ -print-file-name=libasan.so)
libubsan=$(g++ -print-file-name=libubsan.so)
export RESNET_NATIVE_ADDON="$PWD/build-asan/Release/resnet_native.node"
export LD_PRELOAD="$libasan:$libubsan"
# Tests whose measure ASan itself changes (RSS, under its quarantine) read this.
export RESNET_NATIVE_SANITIZED=1
# new_delete_type_mismatch: libtorch 1.13's own sized deletes; alloc_dealloc_mismatch: Node's.
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:new_delete_type_mismatch=0:alloc_dealloc_mismatch=0:abort_on_error=1:print_summary=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Instrumented code and a preloaded runtime in every child process run 2-3x slower: the default
# per-test limit (30 s, for tests that set none) is raised; tests with their own limits keep them.
exec npx vitest run --testTimeout=120000 "$@"
