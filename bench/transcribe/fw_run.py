"""Runs faster-whisper over files and writes {stem: text} as JSON (bench helper)."""
import json
import sys
from pathlib import Path

from faster_whisper import WhisperModel


def main() -> None:
    model_dir, compute_type, beam, out, *files = sys.argv[1:]
    model = WhisperModel(model_dir, device="cpu", compute_type=compute_type, cpu_threads=2, num_workers=1)
    texts = {}
    for f in files:
        segments, _info = model.transcribe(f, beam_size=int(beam), vad_filter=False, language="en")
        texts[Path(f).stem] = " ".join(s.text.strip() for s in segments)
    Path(out).write_text(json.dumps(texts, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
