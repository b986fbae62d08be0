#!/usr/bin/env bash
# Installs what is missing, builds jhr, and runs the main job: examples/joint_train trains the
# paper's six settings on synthetic faces (a reduced model, a few minutes on 2 cores) and prints
# Table 4 and Table 5. Extra arguments go to joint_train (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target joint_train jhr_cli
./build/examples/joint_train "$@"
