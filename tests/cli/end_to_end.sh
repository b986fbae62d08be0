#!/usr/bin/env bash
# End-to-end tests of the jhr binary: end_to_end.sh STEP JHR FACES_HELPER WORK_DIR.
# "train" creates WORK_DIR (synthetic LFW-style faces and a tiny trained Joint Model); the other
# steps use it. Each step exits non-zero, with the reason on stderr, when a check fails.
set -u
step=$1 jhr=$2 faces=$3 work=$4
root=$work/faces model=$work/model
tiny=(--face-height 64 --face-width 56 --frnet-widths 4,8,8,8 --frnet-blocks 0,0,0,0 --features 16 --batch 4 --quiet)

fail() { echo "FAIL: $*" >&2; exit 1; }
# expect CODE CMD...: runs CMD, keeps stdout in $out and stderr in $err, checks the exit status.
expect() {
  local code=$1; shift
  out=$("$@" 2>"$work/stderr.$step"); local rc=$?
  err=$(cat "$work/stderr.$step")
  [[ $rc == "$code" ]] || fail "exit $rc (expected $code): $*"$'\n'"stdout: $out"$'\n'"stderr: $err"
}
contains() { [[ $1 == *"$2"* ]] || fail "expected '$2' in: $1"; }
# at_bf16 NAME CMD...: runs CMD --precision bf16 (CMD prints JSON). Where the backend computes at
# bf16 the output must say so; elsewhere it must be a usage error naming what the backend has.
at_bf16() {
  local name=$1; shift
  local rc=0
  "$@" --precision bf16 >"$work/$name.out" 2>"$work/$name.err" || rc=$?
  if [[ $rc == 0 ]]; then
    local named='"precision": ?"bf16"'
    [[ $(cat "$work/$name.out") =~ $named ]] || fail "$name: no bf16 in: $(cat "$work/$name.out")"
  else
    [[ $rc == 2 ]] || fail "$name: exit $rc at bf16: $(cat "$work/$name.err")"
    contains "$(cat "$work/$name.err")" "bf16 is not available on backend"
  fi
}

case $step in
train)
  rm -rf "$work" && mkdir -p "$work"
  "$faces" "$root" || fail "cannot write the test faces"
  expect 0 "$jhr" train --data synthetic --identities 4 --images 4 "${tiny[@]}" --iterations 6 \
    --checkpoint "$model" --checkpoint-every 3 --metrics "$work/metrics.jsonl" --json
  contains "$out" '"final_iteration": 6'
  contains "$out" '"first_iteration": 0'
  [[ -d $model/ckpt-3 && -d $model/ckpt-6 && -f $model/latest ]] || fail "checkpoints missing: $(ls "$model")"
  [[ $(wc -l < "$work/metrics.jsonl") == 6 ]] || fail "expected 6 metrics lines"
  # The other data sources: identity folders and an LFW people file (with the face rule).
  expect 0 "$jhr" train --data "$root" "${tiny[@]}" --iterations 2 --setting hr
  contains "$out" "iterations 0 -> 2"
  expect 0 "$jhr" train --data "$root/people.txt" --image-root "$root" "${tiny[@]}" --iterations 2 --setting lr --json
  contains "$out" '"setting": "lr"'
  at_bf16 train_bf16 "$jhr" train --data synthetic --identities 4 --images 4 "${tiny[@]}" --iterations 2 --json
  # --deterministic is reported, and two such runs from one seed end with the same losses.
  expect 0 "$jhr" train --data synthetic --identities 4 --images 4 "${tiny[@]}" --iterations 3 --deterministic --json
  contains "$out" '"deterministic": true'
  first_losses=$(grep -A4 '"final_losses"' <<<"$out")
  [[ $first_losses == *softmax* ]] || fail "no final losses in: $out"
  expect 0 "$jhr" train --data synthetic --identities 4 --images 4 "${tiny[@]}" --iterations 3 --deterministic --json
  [[ $(grep -A4 '"final_losses"' <<<"$out") == "$first_losses" ]] || fail "deterministic runs differ: $first_losses / $out"
  # --graph replays the captured step on a backend that captures graphs; elsewhere it is an error
  # naming what it needs.
  rc=0
  "$jhr" train --data synthetic --identities 4 --images 4 "${tiny[@]}" --iterations 6 --graph --json \
    >"$work/graph.out" 2>"$work/graph.err" || rc=$?
  if [[ $rc == 0 ]]; then
    [[ $(cat "$work/graph.out") =~ \"replayed_iterations\":\ [1-9] ]] || fail "no replays: $(cat "$work/graph.out")"
  else
    [[ $rc == 1 ]] || fail "exit $rc with --graph: $(cat "$work/graph.err")"
    contains "$(cat "$work/graph.err")" "captures graphs (cuda)"
  fi
  ;;
embed)
  expect 0 "$jhr" embed "$root/face.jpg" --checkpoint "$model" --json
  contains "$out" '"dimension":32'
  contains "$out" '"test_type":"lr"'
  expect 0 "$jhr" embed "$root/face.jpg" "$root/person_01/person_01_0001.jpg" --checkpoint "$model"
  contains "$out" "32-d descriptor"
  expect 2 "$jhr" embed "$root/face.jpg" --checkpoint "$model" --precision tf32
  contains "$err" "tf32 is not available on backend"
  ;;
verify)
  expect 0 "$jhr" verify "$root/face.jpg" "$root/face.jpg" --checkpoint "$model" --threshold 0.99 --json
  contains "$out" '"same":true'
  expect 0 "$jhr" verify "$root/face.jpg" "$root/person_03/person_03_0002.jpg" --checkpoint "$model" --threshold 0.5
  contains "$out" "cosine"
  ;;
hallucinate)
  expect 0 "$jhr" degrade "$root/face.jpg" "$work/lr.png" --scale 4
  expect 0 "$jhr" hallucinate "$work/lr.png" "$work/sr.png" --checkpoint "$model" --json
  contains "$out" '"output_size":[56,48]'
  [[ -s $work/sr.png ]] || fail "sr.png not written"
  expect 0 "$jhr" hallucinate "$work/lr.png" "$work/sr_full.png" --checkpoint "$model" --full-size --json
  contains "$out" '"output_size":[64,56]'
  ;;
eval)
  expect 0 "$jhr" eval --checkpoint "$model" --pairs "$root/pairs.txt" --image-root "$root" --json --quiet
  contains "$out" '"protocol": "view2"'
  contains "$out" '"pairs": 24'
  contains "$out" '"accuracy_mean"'
  expect 0 "$jhr" eval --checkpoint "$model" --pairs "$root/pairsDevTest.txt" --view1-train "$root/pairsDevTrain.txt" \
    --image-root "$root" --quiet
  contains "$out" "LFW View 1"
  sed 's/^person_02\t/person_99\t/' "$root/pairs.txt" > "$work/bad_pairs.txt"
  expect 1 "$jhr" eval --checkpoint "$model" --pairs "$work/bad_pairs.txt" --image-root "$root" --quiet
  contains "$err" "bad_pairs.txt:"
  contains "$err" "person_99_000"
  expect 0 "$jhr" eval --checkpoint "$model" --pairs "$work/bad_pairs.txt" --image-root "$root" --skip-missing --json --quiet
  contains "$out" '"skipped_pairs": 2'
  at_bf16 eval_bf16 "$jhr" eval --checkpoint "$model" --pairs "$root/pairs.txt" --image-root "$root" --json --quiet
  ;;
resume)
  expect 0 "$jhr" train --data synthetic --identities 4 --images 4 "${tiny[@]}" --iterations 9 \
    --checkpoint "$model" --resume --json
  contains "$out" '"first_iteration": 6'
  contains "$out" '"final_iteration": 9'
  expect 1 "$jhr" train --data synthetic --identities 4 --images 4 "${tiny[@]}" --scale 2 --iterations 12 \
    --checkpoint "$model" --resume
  contains "$err" "'scale'"
  ;;
errors)
  mkdir -p "$work"
  expect 2 "$jhr" train --data synthetic --no-such-flag
  expect 2 "$jhr" train --data synthetic --backend tpu
  expect 2 "$jhr" train --data synthetic --frnet-widths 4,8
  expect 2 "$jhr" train --data synthetic --setting hallucinated --iterations 1
  expect 2 "$jhr" train --data synthetic --backend reference --precision tf32 --iterations 1
  contains "$err" "tf32 is not available on backend 'reference', which computes at fp32"
  expect 2 "$jhr" train --data synthetic --precision bf8 --iterations 1
  expect 2 "$jhr" reproduce --data synthetic --backend reference --precision bf16 --out "$work/no_report"
  contains "$err" "bf16 is not available on backend 'reference'"
  expect 1 "$jhr" embed "$work/missing.png" --checkpoint "$model"
  contains "$err" "missing.png"
  expect 1 "$jhr" embed "$root/face.jpg" --checkpoint "$work/no_checkpoint"
  contains "$err" "no_checkpoint"
  expect 1 "$jhr" train --data "$work/no_data" --iterations 1
  contains "$err" "no_data"
  # Divergence: exit 4, naming the iteration, with the last checkpoint kept.
  rm -rf "$work/diverge"
  expect 4 "$jhr" train --data synthetic --identities 4 --images 4 "${tiny[@]}" --iterations 40 \
    --lr-frnet 1e4 --lr-srnet 1e4 --checkpoint "$work/diverge" --checkpoint-every 1
  contains "$err" "diverged at iteration"
  [[ -f $work/diverge/latest ]] || fail "no checkpoint kept: $(ls "$work/diverge")"
  ;;
bench)
  mkdir -p "$work"
  expect 0 "$jhr" bench --batch 1 --iterations 1 --warmup 0 --json
  for key in '"train_images_per_second":' '"infer_images_per_second":' '"peak_rss_mib":' \
             '"host_blocks_from_system":' '"precision":"fp32"'; do
    contains "$out" "$key"
  done
  zero='_per_second":0(\.0)?[,}]'
  [[ ! $out =~ $zero ]] || fail "zero throughput: $out"
  if [[ $out == *'"backend":"onednn"'* ]]; then
    # Blocked activations: only the network's edges are reordered (6 tensors in the Joint Model).
    reorders='"activation_reorders_per_step":([0-9.]+)'
    [[ $out =~ $reorders ]] || fail "no activation reorder count: $out"
    (( ${BASH_REMATCH[1]%.*} <= 8 )) || fail "activation reorders per training step: ${BASH_REMATCH[1]}"
    at_bf16 bench_bf16 "$jhr" bench --batch 1 --iterations 1 --warmup 0 --json
  fi
  # --layout nhwc: the CUDA backend's activations in nhwc; elsewhere a usage error naming cuda.
  rc=0
  "$jhr" bench --batch 1 --iterations 1 --warmup 0 --json --layout nhwc >"$work/layout.out" 2>"$work/layout.err" || rc=$?
  if [[ $rc == 0 ]]; then
    contains "$(cat "$work/layout.out")" '"layout":"nhwc"'
  else
    [[ $rc == 2 ]] || fail "exit $rc with --layout nhwc: $(cat "$work/layout.err")"
    contains "$(cat "$work/layout.err")" "needs --backend cuda"
  fi
  expect 2 "$jhr" bench --convolution fft
  expect 2 "$jhr" bench --precision tf32
  contains "$err" "tf32 is not available on backend"
  ;;
*) fail "unknown step $step" ;;
esac
echo "ok: $step"
