#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++ (-fsanitize=fuzzer,address,undefined) and runs each for a
# bounded time or a fixed number of inputs.
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET (default 20) | --runs N] [BUILD_DIR (default build-fuzz)]
# --runs N tries N inputs per target from the fixed seed 1, so that a run is repeatable (the test
# script uses it); SECONDS explores from a random seed for as long as given.
# Seeds come from tests/fuzz/corpus/<target>/; new inputs are kept in BUILD_DIR/corpus/<target>/.
# Exits non-zero if a target fails to build or finds a crash, a hang (10 s per input) or a leak.
set -euo pipefail
if [[ "${1:-}" == --runs ]]; then
    limit=(-runs="$2" -seed=1)
    what="$2 inputs from seed 1"
    shift 2
else
    limit=(-max_total_time="${1:-20}")
    what="${1:-20}s"
    shift $(($# > 0 ? 1 : 0))
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build-fuzz}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cxx=${CXX_FUZZ:-clang++}
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$root/include" -I/usr/include/eigen3)

# The targets compile in parallel.
pids=()
build() { # name source extra-flags...
    local name=$1 src=$2; shift 2
    echo "building $name"
    "$cxx" "${flags[@]}" "$@" "$src" -o "$out/$name" -lstb &
    pids+=($!)
}
build fuzz_lfw_pairs "$here/fuzz_text_parsers.cpp" -DJHR_FUZZ_PARSER=0
build fuzz_lfw_people "$here/fuzz_text_parsers.cpp" -DJHR_FUZZ_PARSER=1
build fuzz_landmarks "$here/fuzz_text_parsers.cpp" -DJHR_FUZZ_PARSER=2
build fuzz_list_file "$here/fuzz_text_parsers.cpp" -DJHR_FUZZ_PARSER=3
build fuzz_youtube_faces "$here/fuzz_text_parsers.cpp" -DJHR_FUZZ_PARSER=4
build fuzz_image_decode "$here/fuzz_image_decode.cpp"
build fuzz_safetensors "$here/fuzz_safetensors.cpp"
for pid in "${pids[@]}"; do wait "$pid" || { echo "a fuzz target failed to build"; exit 1; }; done

for target in fuzz_lfw_pairs fuzz_lfw_people fuzz_landmarks fuzz_list_file fuzz_youtube_faces fuzz_image_decode fuzz_safetensors; do
    corpus="$out/corpus/$target"
    mkdir -p "$corpus"
    seeds=()
    [ -d "$here/corpus/$target" ] && seeds+=("$here/corpus/$target")
    echo "running $target: $what"
    (cd "$out" && ./"$target" "${limit[@]}" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 "$corpus" "${seeds[@]}" 2>&1 | tail -n 12)
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "$target failed"; exit 1; }
done
echo "all fuzz targets ran clean"
