#!/usr/bin/env bash
# Builds the CUDA backend, its own suite and the typed suites, then runs them on this machine's GPU:
# the CUDA suite whole, the typed suites' <jhr::cuda> test cases.
#
# Usage: benchmarks/cuda_device_check.sh [build-dir]     (default: build-cuda-device)
# Needs: CUDA 12+ (nvcc on PATH or in /usr/local/cuda/bin), cuDNN 9, CMake 3.25+, and the project's
# Debian dependencies (Eigen, xtensor, nlohmann-json, stb, doctest). Writes the test log to
# <build-dir>/cuda_test.log. Exits non-zero when the build fails, a test fails, or the tests found no
# usable GPU (the runner's "skipped: no GPU" line): on a GPU machine a skip is a failure.
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
typed="core layers losses optim nets models train"
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DJHR_WITH_CUDA=ON \
  -DJHR_WITH_ONEDNN=OFF -DJHR_BUILD_TOOLS=OFF -DJHR_BUILD_EXAMPLES=OFF -DJHR_TEST_AREAS="cuda;${typed// /;}"

echo "== build"
start=$(date +%s)
targets=(jhr_test_cuda)
for area in $typed; do targets+=("jhr_test_$area"); done
cmake --build "$build" --target "${targets[@]}" -j "$jobs"
echo "build took $(($(date +%s) - start)) s"

echo "== test"
log=$build/cuda_test.log
: >"$log"
status=0
set +e
"$build/tests/cuda/jhr_test_cuda" --duration=true 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
for area in $typed; do
  echo "-- typed suite $area on jhr::cuda" | tee -a "$log"
  "$build/tests/$area/jhr_test_$area" --duration=true --test-case='*<jhr::cuda>' 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
set -e

echo "== summary"
if grep -q "skipped: no GPU" "$log"; then
  echo "FAIL: the CUDA tests were skipped: jhr::cuda::available() found no usable GPU"
  exit 1
fi
grep -E "^\[doctest\] (test cases|assertions)" "$log" || true
if [ "$status" -ne 0 ]; then echo "FAIL: a CUDA test failed (see $log)"; exit 1; fi
echo "PASS: every CUDA primitive and every typed test case agrees with the reference on this GPU"
