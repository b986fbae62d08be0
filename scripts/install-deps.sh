#!/usr/bin/env bash
# Installs jhr's build and test dependencies from Debian packages; installs only what is missing.
# Usage: scripts/install-deps.sh [--with-torch]   (--with-torch adds python3-torch for the comparisons)
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config
          libeigen3-dev xtensor-dev libdnnl-dev doctest-dev libbenchmark-dev
          libstb-dev libcli11-dev nlohmann-json3-dev clang libclang-rt-14-dev)
[[ "${1:-}" == "--with-torch" ]] && packages+=(python3-torch python3-numpy)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  echo "installing: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "dependencies: ok"
