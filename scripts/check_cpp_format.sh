#!/usr/bin/env bash
# Fails when a C++ file under native/ differs from clang-format's output.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  echo "clang-format is missing: run npm run setup" >&2
  exit 1
fi
clang-format --dry-run --Werror native/*.cc native/*.h native/ops/*.cc
