#!/usr/bin/env bash
# Builds the addon against the CUDA 13 libtorch of pip's torch 2.14.1 and checks it on this
# machine, GPU or not (CI runs it after the Debian build and tests, through .ci/run):
#   1. a cached virtual environment outside the clone with torch and the nvidia-* runtime
#      wheels it loads (installed once; a stamp file skips it afterwards)
#   2. the addon, built into build-cuda/ (the Debian build in build/ stays untouched)
#   3. the addon must NEED libtorch_cuda.so (else CUDA would be silently unavailable)
#   4. the core and op tests run against it through RESNET_NATIVE_ADDON, with that torch's
#      own Python making the references (REF_PYTHON): the float32 checks are then exact, as
#      they are for the Debian build, and test/core/version.test.ts checks that `version`
#      reports the CUDA and cuDNN versions that torch was built with
# Environment: RESNET_NATIVE_CACHE (default ~/.cache/resnet-native), TORCH_CUDA_ARCH_LIST
# (default 9.0: H100/H200), CUDA_HOME (the CUDA 13 toolkit; default /usr/local/cuda), PYTHON
# (a Python 3.11 for the venv, as the wheels are cp311; default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

TORCH_SPEC=torch==2.14.1
# What libtorch_cuda.so and its dependencies load (readelf -d), plus nvrtc, which CMake's
# Caffe2 config asks for. One version of each lies in pip's local index.
NVIDIA_WHEELS=(nvidia-cuda-runtime nvidia-cuda-nvrtc nvidia-cuda-cupti nvidia-cublas nvidia-cudnn-cu13
  nvidia-cufft nvidia-cufile nvidia-curand nvidia-cusolver nvidia-cusparse nvidia-cusparselt-cu13
  nvidia-nccl-cu13 nvidia-nvjitlink nvidia-nvshmem-cu13 nvidia-nvtx)
# What `import torch` and the reference generators need in that Python (sympy: torch.broadcast_shapes).
PYTHON_PACKAGES=(typing-extensions numpy sympy mpmath)
CACHE=${RESNET_NATIVE_CACHE:-$HOME/.cache/resnet-native}
VENV=$CACHE/torch-2.14.1-cu13
BUILD_DIR=build-cuda
ADDON=$BUILD_DIR/Release/resnet_native.node

step() { echo "cuda-variant: $*"; }
started=$SECONDS
[ -d node_modules/cmake-js ] || { echo "cuda-variant: run npm run setup first (it needs cmake-js)" >&2; exit 1; }

# 1. The virtual environment. The stamp records what was installed; a changed list reinstalls.
wanted="$TORCH_SPEC ${NVIDIA_WHEELS[*]} ${PYTHON_PACKAGES[*]}"
stamp=$VENV/.resnet-native-installed
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  step "installing $TORCH_SPEC, ${#NVIDIA_WHEELS[@]} nvidia runtime wheels and ${PYTHON_PACKAGES[*]} into $VENV"
  [ -x "$VENV/bin/pip" ] || "${PYTHON:-python3}" -m venv "$VENV"
  # --no-deps: torch's other dependencies (sympy, triton, ...) serve torch.compile, not
  # libtorch or the references. --retries 0: offline, each of ~20 names would otherwise
  # wait out five retries against an unreachable index before the local one answers.
  "$VENV/bin/pip" install -q --no-deps --retries 0 "$TORCH_SPEC" "${NVIDIA_WHEELS[@]}" "${PYTHON_PACKAGES[@]}"
  echo "$wanted" >"$stamp"
else
  step "reusing $VENV"
fi
SITE=$(echo "$VENV"/lib/python3*/site-packages)
export LIBTORCH=$SITE/torch
NVRTC=$SITE/nvidia/cu13/lib/libnvrtc.so.13
[ -f "$NVRTC" ] || { echo "cuda-variant: $NVRTC is missing" >&2; exit 1; }

# 2. The addon. CMake's Caffe2 config needs the CUDA toolkit (nvcc 13; named explicitly, as
#    FindCUDA would take /usr/local/bin/nvcc's folder for the toolkit) and libnvrtc.
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
[ -x "$CUDA_HOME/bin/nvcc" ] || { echo "cuda-variant: no nvcc in $CUDA_HOME/bin (set CUDA_HOME)" >&2; exit 1; }
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}
step "building $ADDON against $LIBTORCH"
npx cmake-js build --out "$BUILD_DIR" --log-level warn \
  --CDCUDA_TOOLKIT_ROOT_DIR="$CUDA_HOME" --CDCUDAToolkit_ROOT="$CUDA_HOME" \
  --CDCMAKE_CUDA_COMPILER="$CUDA_HOME/bin/nvcc" --CDCUDA_nvrtc_LIBRARY="$NVRTC" >/dev/null

# 3. torch_cuda must be a NEEDED entry: linked --as-needed it would be dropped, since the
#    addon calls nothing in it directly, and libtorch would then report no CUDA.
if ! readelf -d "$ADDON" | grep -q 'NEEDED.*\[libtorch_cuda\.so\]'; then
  echo "cuda-variant: $ADDON does not need libtorch_cuda.so:" >&2
  readelf -d "$ADDON" | grep NEEDED >&2
  exit 1
fi
step "$ADDON needs libtorch_cuda.so"

# 4. Load it here and run the smoke tests against it. The libtorch's RPATH finds the
#    nvidia wheels beside it ($ORIGIN/../../nvidia/...): no LD_LIBRARY_PATH.
export RESNET_NATIVE_ADDON=$PWD/$ADDON
export REF_PYTHON=$VENV/bin/python
step "smoke test: test/core and test/ops.reference.test.ts with $RESNET_NATIVE_ADDON"
npx vitest run test/core test/ops.reference.test.ts
node dist/cli.js info
step "done in $((SECONDS - started)) s"
