#!/usr/bin/env bash
# Benchmark: mymeet transcribe (candle) vs faster-whisper (CTranslate2) on the
# same tiny.en CTranslate2 folder, 2 threads, beam 1 and 5, no VAD, on
# conversation/lecture_60s.flac and the English Asterisk set. Prints RTF
# (process wall time ÷ audio length, model load included for both), WER
# and peak RSS, with the ratio ours ÷ theirs, for each of our weight formats
# against its like: float against float32, int8 against int8.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/mymeet-target}"
export MYMEET_MODELS_DIR="${MYMEET_MODELS_DIR:-/var/tmp/mymeet-models}"
SPEECH="${SPEECH:-/work/shared/data/speech}"
VENV=/var/tmp/mymeet-bench
HERE=bench/transcribe
WORK=$(mktemp -d /var/tmp/mymeet-bench-run.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q faster-whisper
fi
# MYMEET=path runs a binary built earlier (no rebuild while others edit the tree);
# INPUTS="lecture" skips the Asterisk set.
if [ -z "${MYMEET:-}" ]; then
  cargo build -q --release -p mymeet
  MYMEET="$CARGO_TARGET_DIR/release/mymeet"
fi
"$MYMEET" models fetch tiny.en >/dev/null
MODEL="$MYMEET_MODELS_DIR/tiny.en"

LECTURE="$SPEECH/conversation/lecture_60s.flac"
mapfile -t SET < <(python3 -c "
import json,sys
for l in open('$SPEECH/manifest.jsonl'):
    c=json.loads(l)
    if c['id'].startswith('asterisk-en/'): print('$SPEECH/'+c['audio'])")
SET_SECONDS=$(python3 -c "
import json
print(sum(json.loads(l)['duration_s'] for l in open('$SPEECH/manifest.jsonl') if json.loads(l)['id'].startswith('asterisk-en/')))")

# measure NAME SECONDS CMD...: runs CMD under /usr/bin/time, prints "wall_s rss_mb".
measure() {
  local log="$WORK/time.$1"; shift
  /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$log.err" || { cat "$log.err" >&2; return 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
  echo "$wall $rss"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-9s %-13s %-5s | %-28s | %-28s | %-24s | %s\n" input "ours/fw weights" beam "ours: RTF WER% RSS(MB)" "faster-whisper: RTF WER% RSS" "ours/theirs (time, RSS)" "load (1 min) before ours, theirs"
for input in ${INPUTS:-lecture set}; do
  if [ "$input" = lecture ]; then files=("$LECTURE"); seconds=60; else files=("${SET[@]}"); seconds=$SET_SECONDS; fi
  for beam in 1 5; do
    # Each of our weight formats against faster-whisper's like one:
    # float (fp16 weights widened) against float32, int8 against int8.
    for pair in float:float32 int8:int8; do
      weights=${pair%%:*}; ct=${pair##*:}
      rm -rf "$WORK/ours"; mkdir -p "$WORK/ours"
      o_load=$(cut -d' ' -f1 /proc/loadavg)
      read -r o_wall o_rss < <(measure "ours$beam$weights$input" "$MYMEET" transcribe --model "$MODEL" --weights "$weights" --beam "$beam" --threads 2 --no-vad --format json --out-dir "$WORK/ours" "${files[@]}")
      python3 "$HERE/ours_collect.py" "$WORK/ours" "$WORK/ours.json"
      o_wer=-; [ "$input" = set ] && o_wer=$(python3 "$HERE/wer.py" "$SPEECH/manifest.jsonl" "$WORK/ours.json")
      t_load=$(cut -d' ' -f1 /proc/loadavg)
      read -r t_wall t_rss < <(measure "fw$beam$ct$input" "$VENV/bin/python" "$HERE/fw_run.py" "$MODEL" "$ct" "$beam" "$WORK/fw.json" "${files[@]}")
      t_wer=-; [ "$input" = set ] && t_wer=$(python3 "$HERE/wer.py" "$SPEECH/manifest.jsonl" "$WORK/fw.json")
      python3 - "$input" "$weights/$ct" "$beam" "$seconds" "$o_wall" "$o_wer" "$o_rss" "$t_wall" "$t_wer" "$t_rss" "$o_load" "$t_load" <<'PY'
import sys
i, ct, beam, sec, ow, oe, orss, tw, te, trss, ol, tl = sys.argv[1:]
sec, ow, tw, orss, trss = float(sec), float(ow), float(tw), float(orss), float(trss)
print(f"{i:<9} {ct:<13} {beam:<5} | {ow/sec:6.3f} {oe:>6} {orss:7.0f}       | {tw/sec:6.3f} {te:>6} {trss:7.0f}       | {ow/tw:5.2f}x, {orss/trss:4.2f}x            | {ol}, {tl}")
PY
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
