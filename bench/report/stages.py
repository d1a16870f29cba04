"""Reads the database a `mymeet demo` run leaves behind (SQLite,
OUT/mymeet.db) and the SMTP server's folder, and prints one table row of
seconds per stage as JSON.

Usage: stages.py OUT_DIR SMTP_DIR

Meeting end = the bot's transition out of `recording` (it sees the host end
the meeting within its 4 Hz probe). Then: bot leaving + hand-over (→ the
recordings row), transcription (→ the transcripts row), analysis + rendering
(→ the last reports row), delivery (→ the .eml the SMTP server stored, the
moment it accepted the message; deliveries.sent_at is written just after).
"""

import json
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path


def when(text: str) -> float:
    """Unix seconds of a timestamp as sea-orm stores it in SQLite."""
    t = text.strip().replace("T", " ")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    t = t.replace(" +", "+").replace(" -", "-")
    for fmt in ("%Y-%m-%d %H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            d = datetime.strptime(t, fmt)
        except ValueError:
            continue
        if d.tzinfo is None:
            d = d.replace(tzinfo=timezone.utc)
        return d.timestamp()
    raise ValueError(f"unknown timestamp format: {text!r}")


def one(db, sql, *args):
    row = db.execute(sql, args).fetchone()
    if row is None or row[0] is None:
        raise SystemExit(f"nothing for: {sql}")
    return row[0]


def main() -> None:
    out, smtp = Path(sys.argv[1]), Path(sys.argv[2])
    db = sqlite3.connect(out / "mymeet.db")
    bot = one(db, "SELECT bot_id FROM bot_transitions WHERE from_state = 'recording' LIMIT 1")
    first_recording = when(one(db, "SELECT min(at) FROM bot_transitions WHERE bot_id = ? AND to_state = 'recording'", bot))
    ended = when(one(db, "SELECT min(at) FROM bot_transitions WHERE bot_id = ? AND from_state = 'recording'", bot))
    done = when(one(db, "SELECT max(at) FROM bot_transitions WHERE bot_id = ?", bot))
    recording_id, recorded, duration_ms = db.execute(
        "SELECT id, created_at, duration_ms FROM recordings WHERE bot_id = ?", (bot,)).fetchone()
    transcript_id, transcribed = db.execute(
        "SELECT id, created_at FROM transcripts WHERE recording_id = ?", (recording_id,)).fetchone()
    rendered = when(one(db, "SELECT max(created_at) FROM reports WHERE transcript_id = ?", transcript_id))
    sent = when(one(db, "SELECT max(d.sent_at) FROM deliveries d JOIN reports r ON r.id = d.report_id "
                        "WHERE r.transcript_id = ?", transcript_id))
    emails = sorted(smtp.glob("*.eml"))
    if len(emails) != 1:
        raise SystemExit(f"expected one email in {smtp}, found {len(emails)}")
    accepted = emails[0].stat().st_mtime
    recorded, transcribed = when(recorded), when(transcribed)
    print(json.dumps({
        "recorded_s": duration_ms / 1000.0,
        "in_call_s": ended - first_recording,
        "handover_s": recorded - ended,
        "bot_done_after_s": done - ended,
        "transcription_s": transcribed - recorded,
        "rendering_s": rendered - transcribed,
        "delivery_s": accepted - rendered,
        "total_s": accepted - ended,
        "sent_at_after_accept_s": sent - accepted,
    }))


if __name__ == "__main__":
    main()
