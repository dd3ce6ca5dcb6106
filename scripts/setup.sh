#!/usr/bin/env bash
# Sets up resnet-native on a fresh machine, and does nothing slow when all is there:
#   1. Debian packages (libtorch, PyTorch for reference tests, BLAS, Fashion-MNIST, tools)
#   2. npm dependencies
#   3. the native addon (cmake-js; ccache keeps rebuilds fast) and the TypeScript build
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libtorch-dev libgloo-dev python3-torch python3-torchvision libopenblas0 dataset-fashion-mnist
  cmake g++ ccache clang-format libdnnl-dev)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.setup-lock-hash
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  echo "setup: installing npm dependencies"
  # onnxruntime-node (a dev dependency) would download CUDA parts in its postinstall: not offline.
  ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci --no-audit --no-fund
  echo "$hash" >"$stamp"
fi

# cmake-js rebuilds only what changed; ccache makes even a clean rebuild quick.
echo "setup: building the native addon"
npx cmake-js build --out build --log-level warn >/dev/null
echo "setup: building the TypeScript package"
npx tsup --silent >/dev/null
echo "setup: ready"
