#!/usr/bin/env bash
# Builds the prebuilt addons that `npm pack` ships (run by `prepack`, so by CI's package test
# and by a release), as prebuildify projects do: built on the packing machine and shipped in
# the tarball, never committed (prebuilds/ is ignored). One per libtorch, named
# prebuilds/linux-x64/resnet-native.libtorch-<major.minor>-cpu.node, which lib/addon_choice.ts
# matches against the libtorch it finds at load time:
#   1.13: Debian 12's libtorch-dev (1.13.1, CPU), linked by soname (libtorch.so.1.13)
#   2.13: pip's torch 2.13.0+cpu wheel, from a cached virtual environment outside the clone
#         (installed once from pip's local wheels); found at load time through LIBTORCH
# Each builds incrementally in its own folder, build-libtorch<major.minor>/, beside build/ so
# that ccache (base_dir) reuses build/'s objects for 1.13, with RESNET_NATIVE_PREBUILT=ON: no RPATH, since the build machine's folders mean
# nothing on a user's machine. Stripped, the 1.13 one is about 1.4 MB.
# Environment: RESNET_NATIVE_CACHE (default ~/.cache/resnet-native), PYTHON (a Python 3.11
# for the venv, the wheel is cp311; default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

PIP_TORCH=torch==2.13.0+cpu
CACHE=${RESNET_NATIVE_CACHE:-$HOME/.cache/resnet-native}
VENV=$CACHE/torch-2.13.0-cpu
OUT=prebuilds/linux-x64

step() { echo "prebuild: $*"; }
[ -d node_modules/cmake-js ] || { echo "prebuild: run npm run setup first (it needs cmake-js)" >&2; exit 1; }
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "prebuild: builds linux-x64 addons only" >&2; exit 1; }

# build <major.minor>: builds against the LIBTORCH of the environment (or the system's when it
# is unset), strips, and copies the result into $OUT.
build() {
  local release=$1 dir=build-libtorch$1
  local file=$OUT/resnet-native.libtorch-$1-cpu.node
  step "building against libtorch $release (${LIBTORCH:-the system libtorch}) in $dir"
  npx cmake-js build --out "$dir" --log-level warn --CDRESNET_NATIVE_PREBUILT=ON >/dev/null
  mkdir -p "$OUT"
  strip --strip-unneeded -o "$file" "$dir/Release/resnet_native.node"
  step "$file: $(du -k "$file" | cut -f1) KB"
}

rm -rf "$OUT"
(unset LIBTORCH && build 1.13)

stamp=$VENV/.resnet-native-installed
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$PIP_TORCH" ]; then
  step "installing $PIP_TORCH into $VENV"
  [ -x "$VENV/bin/pip" ] || "${PYTHON:-python3}" -m venv "$VENV"
  # --no-deps: libtorch needs none of torch's Python dependencies. --retries 0: offline.
  "$VENV/bin/pip" install -q --no-deps --retries 0 "$PIP_TORCH"
  echo "$PIP_TORCH" >"$stamp"
fi
(LIBTORCH=$(echo "$VENV"/lib/python3*/site-packages/torch) && export LIBTORCH && build 2.13)
