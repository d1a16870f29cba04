#!/usr/bin/env bash
# Benchmark (issue 5): meeting end → email accepted by a real SMTP server.
# For each meeting length (seconds; default 60 300 900) builds three voices
# from the real English speech (make_voices.py), runs the release
# `mymeet demo` (testbed meeting, bot, embedded pipeline with tiny.en) with
# delivery to Debian's aiosmtpd on loopback, and prints the time from the
# meeting's end to the email, the target (5 % of the meeting + 15 s) and the
# split by stage, read from the database the demo leaves (stages.py).
#
# Usage: bench/report/run.sh [SECONDS...]   (MYMEET=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/mymeet-target}"
export MYMEET_MODELS_DIR="${MYMEET_MODELS_DIR:-/var/tmp/mymeet-models}"
SPEECH="${SPEECH:-${MYMEET_TEST_SPEECH_DIR:-/work/shared/data/speech}}"
HERE=bench/report
WORK=$(mktemp -d /var/tmp/mymeet-bench-report.XXXXXX)
SMTP_PID=
cleanup() {
  [ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null || true
}
trap cleanup EXIT

if [ -z "${MYMEET:-}" ]; then
  cargo build -q --release -p mymeet
  MYMEET="$CARGO_TARGET_DIR/release/mymeet"
fi
LENGTHS=("$@")
[ ${#LENGTHS[@]} -gt 0 ] || LENGTHS=(60 300 900)
echo "work folder: $WORK (kept: databases, recordings, reports, emails)" >&2

printf "| meeting | end → email | target | met | bot leaving + hand-over | transcription | analysis + rendering | delivery | demo's own figure | load (1 min) |\n"
printf "|---|---|---|---|---|---|---|---|---|---|\n"
for length in "${LENGTHS[@]}"; do
  run="$WORK/$length"
  mkdir -p "$run/smtp"
  python3 "$HERE/make_voices.py" "$SPEECH" "$length" "$run/voices"

  /usr/bin/python3 pipeline/tests/delivery/smtp_server.py "$run/smtp" > "$run/smtp.out" 2>&1 &
  SMTP_PID=$!
  port=
  for _ in $(seq 50); do
    port=$(awk '/^PORT/ {print $2}' "$run/smtp.out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$run/smtp.out" >&2; exit 1; }

  load_before=$(cut -d' ' -f1 /proc/loadavg)
  MYMEET_EMAIL__SMTP__HOST=127.0.0.1 MYMEET_EMAIL__SMTP__PORT="$port" MYMEET_EMAIL__SMTP__TLS=none \
    "$MYMEET" demo --voices "$run/voices" --out "$run/demo" --timeout 1800 > "$run/demo.out" 2> "$run/demo.err" \
    || { tail -20 "$run/demo.out" "$run/demo.err" >&2; exit 1; }
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  kill "$SMTP_PID"; wait "$SMTP_PID" 2>/dev/null || true; SMTP_PID=

  demo_s=$(sed -n 's/^delivered \([0-9.]*\) s after the meeting ended.*/\1/p' "$run/demo.out")
  python3 "$HERE/stages.py" "$run/demo" "$run/smtp" > "$run/stages.json"
  python3 - "$run/stages.json" "$demo_s" "$load_before" "$load_after" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
demo, lb, la = sys.argv[2], sys.argv[3], sys.argv[4]
meeting = s["in_call_s"]
target = 0.05 * meeting + 15
met = "yes" if s["total_s"] <= target else "no"
m, sec = divmod(round(meeting), 60)
print(f"| {m}:{sec:02d} | {s['total_s']:.1f} s | {target:.1f} s | {met} | {s['handover_s']:.1f} s | "
      f"{s['transcription_s']:.1f} s | {s['rendering_s']:.1f} s | {s['delivery_s']:.1f} s | {demo} s | {lb} → {la} |")
PY
done
