#!/usr/bin/env bash
# Installs what is missing, builds jhr with every backend this machine can build, and runs every
# test: the fuzz targets on a fixed number of inputs from a fixed seed (repeatable), the suite under
# AddressSanitizer + UBSan, then the optimised suite (CUDA tests print "skipped: no GPU" where
# there is none).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JHR_JOBS:-$(nproc)}

bash scripts/install-deps.sh

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DJHR_BUILD_BENCHMARKS=ON
cmake --build build -j"$jobs"

# The sanitised build checks the library's own code on the reference backend and on the CUDA
# backend executed on the host (its kernels and host code; docs/cuda.md); -O1 keeps it quick.
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
      -DJHR_SANITIZE=ON -DJHR_WITH_CUDA=HOST -DJHR_WITH_ONEDNN=OFF -DJHR_BUILD_TOOLS=OFF -DJHR_BUILD_EXAMPLES=OFF
cmake --build build-sanitize -j"$jobs"

bash tests/fuzz/run.sh --runs "${JHR_FUZZ_RUNS:-50000}" build-fuzz

echo "== tests under AddressSanitizer and UndefinedBehaviorSanitizer =="
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-sanitize --output-on-failure
echo "== tests =="
ctest --test-dir build --output-on-failure
