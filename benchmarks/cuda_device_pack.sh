#!/usr/bin/env bash
# Prepares, on a machine with the CUDA toolkit but no GPU, what benchmarks/cuda_device_check.sh
# needs on a GPU machine that may lack the project's Debian dependencies:
#   <pack>/tests/..., <pack>/tools/jhr   the CUDA suites, the typed suites and `jhr`, built here
#                                        (Release, no oneDNN, sm_90) in the layout of a build folder;
#   <pack>/lib/                          the shared libraries they load but the C/C++ runtimes and
#                                        cuDNN: libcudart of the toolkit they were built with, libstb;
#   <pack>/deps.tar.gz                   the build dependencies (Eigen, xtensor, xtl, nlohmann-json,
#                                        doctest, CLI11 headers; stb's headers and library) with their
#                                        CMake / pkg-config files, in a /usr layout, for building from
#                                        source there instead;
#   <pack>/PACKED                        what was built: commit, compiler, CUDA and cuDNN versions.
# cuDNN and cuBLAS are not packed (hundreds of MiB): the GPU machine's are used.
#
# Usage: benchmarks/cuda_device_pack.sh [pack-dir]     (default: carry/cuda, ignored by git)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
pack=$(mkdir -p "${1:-$root/carry/cuda}" && cd "${1:-$root/carry/cuda}" && pwd)
build=$root/build-device-pack
jobs=$(nproc 2>/dev/null || echo 2)
typed="core layers losses optim nets models train"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJHR_WITH_CUDA=ON -DJHR_WITH_ONEDNN=OFF \
  -DJHR_BUILD_TOOLS=ON -DJHR_BUILD_EXAMPLES=OFF -DJHR_TEST_AREAS="cuda;${typed// /;}"
targets=(jhr_test_cuda jhr_test_cuda_loading jhr_cli)
for area in $typed; do targets+=("jhr_test_$area"); done
cmake --build "$build" --target "${targets[@]}" -j "$jobs"

rm -rf "$pack/tests" "$pack/tools" "$pack/lib" "$pack/deps.tar.gz" "$pack/PACKED"
mkdir -p "$pack/tests/cuda" "$pack/tools" "$pack/lib"
binaries=("$build/tests/cuda/jhr_test_cuda" "$build/tests/cuda/jhr_test_cuda_loading" "$build/tools/jhr")
for area in $typed; do binaries+=("$build/tests/$area/jhr_test_$area"); done
for b in "${binaries[@]}"; do
  relative=${b#"$build"/}
  mkdir -p "$pack/$(dirname "$relative")"
  strip -o "$pack/$relative" "$b"
done
# The shared libraries they load, but the C and C++ runtimes and cuDNN (the GPU machine's are used).
for b in "${binaries[@]}"; do ldd "$b"; done | awk '$3 ~ /^\// { print $1, $3 }' | sort -u |
  while read -r name path; do
    case $name in
      libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | libstdc++.so.* | libgcc_s.so.* | \
        ld-linux* | libcudnn*) ;;
      *) cp -L "$path" "$pack/lib/$name" ;;
    esac
  done

# Header-only dependencies, for a build from source on the GPU machine.
deps=$(mktemp -d)
trap 'rm -rf "$deps"' EXIT
for package in libeigen3-dev xtl-dev libxtensor-dev nlohmann-json3-dev doctest-dev libstb-dev libstb0 libcli11-dev; do
  dpkg -L "$package" | while read -r path; do
    case $path in
      /usr/include/* | */cmake/* | *.pc | */libstb.so*) [ -f "$path" ] && install -D -m 644 "$path" "$deps$path" ;;
    esac
  done
done
tar -czf "$pack/deps.tar.gz" -C "$deps" usr

{
  echo "commit $(git -C "$root" rev-parse HEAD)$(git -C "$root" diff --quiet HEAD || echo ' with uncommitted changes')"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m)"
  echo "compiler $(c++ --version | head -n 1)"
  echo "nvcc $(nvcc --version | tail -n 2 | head -n 1)"
  echo "cudnn headers $(awk '/define CUDNN_(MAJOR|MINOR|PATCHLEVEL) / { printf "%s ", $3 }' \
    "$(grep -m1 JHR_CUDNN_INCLUDE_DIR: "$build/CMakeCache.txt" | cut -d= -f2)/cudnn_version.h")"
  echo "architectures $(grep -m1 JHR_CUDA_ARCHITECTURES: "$build/CMakeCache.txt" | cut -d= -f2)"
  # cuBLAS is loaded at run time by the soname of the toolkit's major version, that of libcudart.
  echo "cublas libcublas.so.$(find "$pack/lib" -name 'libcudart.so.*' -printf '%f\n' | head -n 1 | cut -d. -f3)"
} >"$pack/PACKED"
cat "$pack/PACKED"
du -sh "$pack"
