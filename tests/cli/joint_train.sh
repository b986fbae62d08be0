#!/usr/bin/env bash
# examples/joint_train on real data: joint_train.sh JOINT_TRAIN LFW_DIR WORK_DIR. Checks the error for a
# training folder without pairs, then a tiny LFW View 1 run ($JHR_LFW_DIR overrides LFW_DIR); exits 77
# (skipped) after the first check when there is no LFW copy.
set -u
jt=$1 lfw=${JHR_LFW_DIR:-$2} work=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"

out=$("$jt" --data "$work" 2>&1) && fail "expected an error for a folder without peopleDevTrain.txt"
[[ $out == *"View 2 needs --pairs pairs.txt"* ]] || fail "unexpected message: $out"

[[ -f $lfw/peopleDevTrain.txt ]] || { echo "skipped: no LFW copy at $lfw (set JHR_LFW_DIR)"; exit 77; }
"$jt" --data "$lfw" --iterations 2 --batch 4 --train-limit 40 --pairs-limit 10 --out "$work/report" \
  > "$work/log" 2>&1 || fail "LFW View 1 run failed: $(tail -5 "$work/log")"
grep -q "^Table 4 on LFW View 1" "$work/log" || fail "no Table 4 header: $(tail -20 "$work/log")"
[[ $(grep -c "^| " "$work/log") -ge 8 ]] || fail "tables incomplete: $(tail -20 "$work/log")"
for f in report.md metrics.json roc.svg losses.svg sheet.png; do
  [[ -s $work/report/$f ]] || fail "report file $f missing"
done
echo "ok: joint_train on LFW View 1"
