#!/usr/bin/env bash
# benchmarks/cuda_device_check.sh PACK --bench as one command on a GPU machine that limits a
# command's time: stopped after SECONDS (default 500), with its logs (cuda_*.log, cuda_*.jsonl, from
# PACK and from build-cuda-device, where it builds when the pack cannot run) copied into OUT every
# 15 s and at the end, so that a run cut short still returns what it measured.
# Usage: benchmarks/cuda_device_run.sh PACK OUT [SECONDS]     Exit status: the check's (124: timed out).
set -u
pack=$1 out=$2 seconds=${3:-500}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
copy_logs() {
  for d in "$pack" build-cuda-device; do
    cp "$d"/cuda_*.log "$d"/cuda_*.jsonl "$out"/ 2>/dev/null
  done
  return 0
}
(while sleep 15; do copy_logs; done) &
copier=$!
rc=0
timeout "$seconds" bash "$here/cuda_device_check.sh" "$pack" --bench || rc=$?
kill "$copier" 2>/dev/null
wait "$copier" 2>/dev/null
copy_logs
echo "cuda_device_run: exit $rc; logs in $out: $(ls "$out" | tr '\n' ' ')"
exit "$rc"
