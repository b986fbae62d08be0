#!/usr/bin/env bash
# Checks the oneDNN backend's `DNNL_VERSION_MAJOR >= 3` code against oneDNN 3.x without installing
# anything: fetches Debian trixie's libdnnl-dev and its runtime package from the Debian archive
# (checked against the SHA256 in the archive's Packages index), unpacks them with dpkg-deb -x into a
# temporary directory, asserts that the unpacked headers are oneDNN 3, and compiles every
# tests/backends/test_onednn*.cpp (they instantiate the whole backend) with the test build's flags
# and -Werror, the 3.x headers first. Then, if this system can load the unpacked libdnnl (trixie's
# needs glibc 2.38 and GLIBCXX_3.4.32), links and runs the tests; otherwise it says why and stops
# after compiling. Exits non-zero on a download, compile, link or test failure.
# Usage: scripts/check-onednn3.sh   (DEBIAN_MIRROR overrides http://deb.debian.org/debian)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

curl -fsSL "$mirror/dists/trixie/main/binary-amd64/Packages.xz" | xz -dc >"$tmp/Packages"
# "<Filename> <SHA256> <Depends>" of one package in the index.
field() { awk -v RS= -v p="$1" '$0 ~ "(^|\n)Package: " p "\n" {
  match($0, /Filename: [^\n]*/); f = substr($0, RSTART + 10, RLENGTH - 10)
  match($0, /SHA256: [^\n]*/); s = substr($0, RSTART + 8, RLENGTH - 8)
  d = ""; if (match($0, /\nDepends: [^\n]*/)) d = substr($0, RSTART + 10, RLENGTH - 10)
  print f, s, d; exit }' "$tmp/Packages"; }
read -r dev_file dev_sha dev_depends < <(field libdnnl-dev)
runtime=${dev_depends%% *} # libdnnl-dev depends on exactly its runtime package, e.g. libdnnl3.6
read -r lib_file lib_sha _ < <(field "$runtime")
for entry in "$dev_file $dev_sha" "$lib_file $lib_sha"; do
  read -r file sha <<<"$entry"
  echo "fetching $mirror/$file"
  curl -fsSL -o "$tmp/${file##*/}" "$mirror/$file"
  echo "$sha  $tmp/${file##*/}" | sha256sum -c --quiet
  dpkg-deb -x "$tmp/${file##*/}" "$tmp/onednn3"
done
include=$tmp/onednn3/usr/include
libdir=$tmp/onednn3/usr/lib/x86_64-linux-gnu

# The flags of tests/backends in a CPU-only build (-O1 keeps the check quick), the 3.x headers first.
flags=(-std=c++20 -O1 -Wall -Wextra -Werror -fopenmp -DEIGEN_DONT_PARALLELIZE -DJHR_HAVE_ONEDNN=1
       -DJHR_HAVE_REFERENCE=1 "-DJHR_SOURCE_DIR=\"$root\"" -isystem "$include" -I"$root/tests"
       -I"$root/backends/reference/include" -I"$root/include" -I"$root/backends/onednn/include"
       -isystem /usr/include/eigen3 -isystem /usr/include/stb)

printf '#include "jhr/backends/onednn.hpp"\nstatic_assert(DNNL_VERSION_MAJOR == 3);\n' >"$tmp/version.cpp"
c++ "${flags[@]}" -fsyntax-only "$tmp/version.cpp"
echo "headers: oneDNN $(awk '/define DNNL_VERSION_(MAJOR|MINOR|PATCH) /{printf "%s%s", s, $3; s="."}' \
  "$include/oneapi/dnnl/dnnl_version.h") ($dev_file)"
objects=()
for source in tests/backends/test_onednn*.cpp; do
  echo "compiling $source"
  c++ "${flags[@]}" -c "$source" -o "$tmp/$(basename "$source" .cpp).o"
  objects+=("$tmp/$(basename "$source" .cpp).o")
done
echo "compile against oneDNN 3: ok"

missing=$(ldd "$libdir/libdnnl.so" 2>&1 | grep 'not found' || true)
if [[ -n "$missing" ]]; then
  echo "not linked or run: this system cannot load $runtime's libdnnl:"
  echo "$missing"
  exit 0
fi
c++ "${flags[@]}" -c tests/support/main.cpp -o "$tmp/main.o"
c++ -fopenmp "${objects[@]}" "$tmp/main.o" -L"$libdir" -Wl,-rpath,"$libdir" -ldnnl -o "$tmp/test_onednn3"
JHR_SOURCE_DIR=$root "$tmp/test_onednn3"
echo "tests against oneDNN 3: ok"
