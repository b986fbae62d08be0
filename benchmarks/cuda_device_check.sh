#!/usr/bin/env bash
# Builds the CUDA backend and its test suite, then runs the suite on this machine's GPU.
#
# Usage: benchmarks/cuda_device_check.sh [build-dir]     (default: build-cuda-device)
# Needs: CUDA 12+ (nvcc on PATH or in /usr/local/cuda/bin), cuDNN 9, CMake 3.25+, and the project's
# Debian dependencies (Eigen, xtensor, nlohmann-json, stb, doctest). Writes the test log to
# <build-dir>/cuda_test.log. Exits non-zero when the build fails, a test fails, or the suite
# skipped its GPU tests (no usable GPU found): on a GPU machine a skip is a failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-cuda-device}
jobs=$(nproc 2>/dev/null || echo 4)
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then export PATH=/usr/local/cuda/bin:$PATH; fi

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "(nvidia-smi not available)"
echo "== nvcc"
nvcc --version | tail -n 2

echo "== configure ($build)"
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DJHR_WITH_CUDA=ON \
  -DJHR_WITH_ONEDNN=OFF -DJHR_BUILD_TOOLS=OFF -DJHR_BUILD_EXAMPLES=OFF -DJHR_TEST_AREAS=cuda

echo "== build"
start=$(date +%s)
cmake --build "$build" --target jhr_test_cuda -j "$jobs"
echo "build took $(($(date +%s) - start)) s"

echo "== test"
log=$build/cuda_test.log
set +e
"$build/tests/cuda/jhr_test_cuda" --duration=true 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

echo "== summary"
if grep -qE "^\[doctest\] test cases:.*\| *[1-9][0-9]* skipped" "$log"; then
  echo "FAIL: the CUDA tests were skipped: jhr::cuda::available() found no usable GPU"
  exit 1
fi
grep -E "^\[doctest\] (test cases|assertions)" "$log" || true
if [ "$status" -ne 0 ]; then echo "FAIL: jhr_test_cuda exited with $status"; exit "$status"; fi
echo "PASS: every CUDA primitive agrees with the reference on this GPU"
