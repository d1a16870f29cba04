"""Collects `mymeet transcribe --format json --out-dir DIR` outputs into {stem: text}."""
import json
import sys
from pathlib import Path

out_dir, dest = Path(sys.argv[1]), Path(sys.argv[2])
texts = {}
for f in sorted(out_dir.glob("*.json")):
    t = json.loads(f.read_text())
    texts[f.stem] = " ".join(s["text"].strip() for s in t["segments"])
dest.write_text(json.dumps(texts, ensure_ascii=False, indent=1))
