#!/bin/sh
# Same-run comparison of `jhr bench` with benchmarks/torch_joint.py (PyTorch): the paper's Joint
# Model, training step and inference, same batch and thread count, one after the other.
# Prints both images/s, the ratios jhr/PyTorch and the peak resident memory of each (on a GPU also
# the peak device memory: jhr's allocator statistics, PyTorch's max_memory_allocated).
# Usage: benchmarks/compare_torch.sh [JHR_BINARY] [BATCH] [THREADS] [ITERATIONS]
#   defaults: build-bench/tools/jhr 16 2 10; BACKEND=onednn by default. PRECISION is fp32 by
#   default, bf16 (both sides autocast-style bf16 convolutions; onednn or cuda) or tf32 (cuda).
#   BACKEND=cuda compares on the GPU, PyTorch with --device cuda. PYTHON names the interpreter
#   that imports torch (default /usr/bin/python3). JHR_ARGS and TORCH_ARGS add arguments to each
#   side (e.g. JHR_ARGS="--layout nhwc" TORCH_ARGS="--channels-last --cudnn-benchmark").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jhr=${1:-build-bench/tools/jhr}
batch=${2:-16}
threads=${3:-2}
iterations=${4:-10}
backend=${BACKEND:-onednn}
precision=${PRECISION:-fp32}
python=${PYTHON:-/usr/bin/python3} # an interpreter that imports torch
device=cpu
[ "$backend" = cuda ] && device=cuda
export OMP_NUM_THREADS="$threads"

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
jhr_json=$("$jhr" bench --backend "$backend" --precision "$precision" --batch "$batch" --threads "$threads" \
  --iterations "$iterations" ${JHR_ARGS:-} --json)
torch_json=$("$python" "$here/torch_joint.py" --device "$device" --precision "$precision" --batch "$batch" \
  --threads "$threads" --iterations "$iterations" ${TORCH_ARGS:-} --json)
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" - "$jhr_json" "$torch_json" <<'PY'
import json, sys
j, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"{t['device']}, {j['precision']}, batch {j['batch']}, threads {j['threads']}, median of {j['iterations']} iterations")
print(f"jhr layout {j.get('layout', 'automatic')}; PyTorch channels_last {t.get('channels_last', False)}, "
      f"cudnn.benchmark {t.get('cudnn_benchmark', False)}")
print(f"{'':12}{'jhr ' + j['backend']:>18}{t['backend']:>22}{'jhr/PyTorch':>14}")
for key, label in (("train", "training"), ("infer", "inference")):
    a, b = j[key + "_images_per_second"], t[key + "_images_per_second"]
    print(f"{label + ' im/s':12}{a:18.2f}{b:22.2f}{a / b:14.2f}")
print(f"{'peak MiB':12}{j['peak_rss_mib']:18.0f}{t['peak_rss_mib']:22.0f}{j['peak_rss_mib'] / t['peak_rss_mib']:14.2f}")
if j.get("peak_device_mib") is not None and t.get("peak_device_mib") is not None:
    a, b = j["peak_device_mib"], t["peak_device_mib"]
    print(f"{'device MiB':12}{a:18.0f}{b:22.0f}{a / b:14.2f}")
PY
