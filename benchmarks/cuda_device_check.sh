#!/usr/bin/env bash
# Builds the CUDA backend, its own suites and the typed suites, then runs them on this machine's
# GPU: the CUDA suites whole (jhr_test_cuda, jhr_test_cuda_loading), the typed suites' <jhr::cuda>
# test cases. With --bench, also builds `jhr` and compares it with PyTorch on the same GPU at batch
# 128 (benchmarks/compare_torch.sh, fp32, tf32 and bf16; PyTorch's bf16 is autocast) and times jhr's
# CUDA graph replays (`jhr bench --graph`) and the activation layouts automatic does not pick (`jhr
# bench --layout`), into <build-dir>/cuda_bench.log; then `jhr train
# --backend cuda` end to end (the data loader included) at batch 128, bf16 with --graph, then bf16,
# tf32 and fp32, 400 iterations on 20,000 cached synthetic faces, whose images/s,
# data wait and input copy time project the paper's 28,000-step schedule, into <build-dir>/cuda_train.log
# (per-iteration lines in cuda_train_<run>.jsonl: the first epoch renders the faces, later
# ones read them from the cache).
#
# Usage: benchmarks/cuda_device_check.sh [build-dir] [--bench]     (default: build-cuda-device)
# Needs: CUDA 12+ (nvcc on PATH or in /usr/local/cuda/bin), cuDNN 9, CMake 3.25+, and the project's
# Debian dependencies (Eigen, xtensor, nlohmann-json, stb, doctest; CLI11 for --bench; PYTHON, an
# interpreter with torch, found by itself when unset). A build-dir made by benchmarks/cuda_device_pack.sh (it holds PACKED) is
# run as it is: its binaries with its lib/ first on the loader's path, and cuDNN and cuBLAS looked
# for where this machine keeps them (also PyTorch's wheels). When one of its binaries misses a
# library, or finds no GPU where nvidia-smi shows one, the script builds from source in
# build-cuda-device instead, with the pack's header dependencies (deps.tar.gz) first on CMake's path. Writes the test log to <build-dir>/cuda_test.log. Exits non-zero when the
# build fails, a test fails, or the tests found no usable GPU (the runner's "skipped: no GPU"
# line): on a GPU machine a skip is a failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench=0
args=()
for a in "$@"; do
  if [ "$a" = --bench ]; then bench=1; else args+=("$a"); fi
done
build=${args[0]:-$root/build-cuda-device}
jobs=$(nproc 2>/dev/null || echo 4)
if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then export PATH=/usr/local/cuda/bin:$PATH; fi

# PYTHON: as given, else the first of python3 (PATH) and /usr/bin/python3 that imports torch.
if [ -z "${PYTHON:-}" ]; then
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import torch' 2>/dev/null; then PYTHON=$(command -v "$candidate"); break; fi
  done
fi
export PYTHON=${PYTHON:-/usr/bin/python3}

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "(nvidia-smi not available)"
echo "== nvcc"
nvcc --version | tail -n 2

typed="core layers losses optim nets models train"
# Each suite, comparison and training run is stopped after this many seconds (a hung kernel costs
# one step, not the whole run): JHR_STEP_TIMEOUT, default 240.
limit=${JHR_STEP_TIMEOUT:-240}
packed=0
if [ -f "$build/PACKED" ]; then
  echo "== pack ($build)"
  cat "$build/PACKED"
  head=$(git -C "$root" rev-parse HEAD 2>/dev/null || true)
  if [ -n "$head" ] && ! grep -q "^commit $head" "$build/PACKED"; then
    echo "warning: the pack was built from another commit than this tree's ($head)"
  fi
  packed=1
  pack=$build
  export LD_LIBRARY_PATH="$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  blas=$(awk '/^cublas / { print $2 }' "$build/PACKED")
  sites=$("$PYTHON" -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null || true)
  for lib in libcudnn.so.9 "$blas"; do
    if ! /sbin/ldconfig -p 2>/dev/null | grep -q "$lib"; then
      # shellcheck disable=SC2086
      found=$(find /usr/local /usr/lib /opt $sites -name "$lib" -print -quit 2>/dev/null || true)
      if [ -n "$found" ]; then
        echo "$lib: $found"
        export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$(dirname "$found")"
      else
        echo "$lib: not found on this machine"
        packed=0
      fi
    fi
  done
  missing=$(for b in "$build"/tests/*/jhr_test_* "$build/tools/jhr"; do ldd "$b" | grep "not found" || true; done | sort -u)
  if [ -n "$missing" ]; then
    echo "the pack's binaries miss: $missing"
    packed=0
  elif [ "$packed" = 1 ] && "$build/tests/cuda/jhr_test_cuda" --test-case='cuda is named*' | grep -q "skipped: no GPU" &&
    nvidia-smi -L >/dev/null 2>&1; then
    echo "the pack's binaries find no GPU though nvidia-smi lists one (driver older than their CUDA runtime?)"
    packed=0
  fi
  if [ "$packed" = 0 ]; then
    build=$root/build-cuda-device
    echo "building from source in $build instead"
  fi
fi

if [ "$packed" = 0 ]; then
  echo "== configure ($build)"
  generator=()
  if command -v ninja >/dev/null; then generator=(-G Ninja); fi
  prefix=()
  if [ -n "${pack:-}" ] && [ -f "$pack/deps.tar.gz" ]; then
    mkdir -p "$build/deps"
    tar -xzf "$pack/deps.tar.gz" -C "$build/deps"
    prefix=(-DCMAKE_PREFIX_PATH="$build/deps/usr")
  fi
  tools=OFF
  [ "$bench" = 1 ] && tools=ON
  cmake -S "$root" -B "$build" "${generator[@]}" "${prefix[@]}" -DCMAKE_BUILD_TYPE=Release -DJHR_WITH_CUDA=ON \
    -DJHR_WITH_ONEDNN=OFF -DJHR_BUILD_TOOLS=$tools -DJHR_BUILD_EXAMPLES=OFF -DJHR_TEST_AREAS="cuda;${typed// /;}"

  echo "== build"
  start=$(date +%s)
  targets=(jhr_test_cuda jhr_test_cuda_loading)
  for area in $typed; do targets+=("jhr_test_$area"); done
  [ "$bench" = 1 ] && targets+=(jhr_cli)
  cmake --build "$build" --target "${targets[@]}" -j "$jobs"
  echo "build took $(($(date +%s) - start)) s"
fi

echo "== test"
log=$build/cuda_test.log
: >"$log"
status=0
set +e
for suite in jhr_test_cuda jhr_test_cuda_loading; do
  timeout "$limit" "$build/tests/cuda/$suite" --duration=true 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
for area in $typed; do
  echo "-- typed suite $area on jhr::cuda" | tee -a "$log"
  timeout "$limit" "$build/tests/$area/jhr_test_$area" --duration=true --test-case='*<jhr::cuda>' 2>&1 |
    tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
set -e

if [ "$bench" = 1 ]; then
  echo "== benchmarks: batch 128, jhr and PyTorch on this GPU"
  blog=$build/cuda_bench.log
  : >"$blog"
  set +e
  for precision in fp32 tf32 bf16; do
    BACKEND=cuda PRECISION=$precision timeout "$limit" "$root/benchmarks/compare_torch.sh" "$build/tools/jhr" 128 \
      "$jobs" 20 2>&1 |
      tee -a "$blog"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
  # PyTorch eager tuned for speed (channels_last, cudnn.benchmark) at bf16, the 2x goal's precision.
  echo "-- against PyTorch with --channels-last --cudnn-benchmark, bf16" | tee -a "$blog"
  BACKEND=cuda PRECISION=bf16 TORCH_ARGS="--channels-last --cudnn-benchmark" timeout "$limit" \
    "$root/benchmarks/compare_torch.sh" "$build/tools/jhr" 128 "$jobs" 20 2>&1 | tee -a "$blog"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  for precision in fp32 tf32 bf16; do
    echo "-- jhr bench --graph, $precision" | tee -a "$blog"
    timeout "$limit" "$build/tools/jhr" bench --backend cuda --precision "$precision" --batch 128 --iterations 20 \
      --graph 2>&1 | tee -a "$blog"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
  # The layouts automatic does not pick (nhwc at fp32 and tf32; nhwc and nchw, fp32 activations, at
  # bf16), for the comparisons that decide where nhwc and bfloat16 activations pay.
  for run in fp32-nhwc tf32-nhwc bf16-nhwc bf16-nchw; do
    precision=${run%-*} other=${run#*-}
    echo "-- jhr bench --layout $other, $precision" | tee -a "$blog"
    timeout "$limit" "$build/tools/jhr" bench --backend cuda --precision "$precision" --layout "$other" --batch 128 \
      --iterations 20 2>&1 | tee -a "$blog"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
  echo "== training end to end: jhr train --backend cuda, batch 128"
  tlog=$build/cuda_train.log
  : >"$tlog"
  for run in bf16-graph bf16 tf32 fp32; do # the likeliest schedule first, should the machine time run out
    precision=${run%-graph}
    graph=()
    [ "$run" != "$precision" ] && graph=(--graph)
    echo "-- $run" | tee -a "$tlog"
    timeout "$limit" "$build/tools/jhr" train --backend cuda --precision "$precision" "${graph[@]}" --data synthetic \
      --identities 1000 --images 20 --batch 128 --iterations 400 --log-every 100 \
      --workers "$(( jobs > 8 ? 8 : jobs ))" --metrics "$build/cuda_train_$run.jsonl" --json 2>&1 | tee -a "$tlog"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
  set -e
fi

echo "== summary"
if grep -q "skipped: no GPU" "$log"; then
  echo "FAIL: the CUDA tests were skipped: jhr::cuda::available() found no usable GPU"
  exit 1
fi
grep -E "^\[doctest\] (test cases|assertions)" "$log" || true
if [ "$status" -ne 0 ]; then echo "FAIL: a CUDA test or benchmark failed (see $build/cuda_*.log)"; exit 1; fi
echo "PASS: every CUDA primitive and every typed test case agrees with the reference on this GPU"
