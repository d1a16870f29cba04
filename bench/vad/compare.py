#!/usr/bin/env python3
"""Compare mymeet's candle port of Silero VAD v6 with the reference ONNX model.

Runs the reference `silero_vad.onnx` (from the silero-vad 6.2.3 wheel) with
onnxruntime exactly as silero-vad's OnnxWrapper does (512-sample chunks, 64
samples of context, state carried across chunks, reset per file) and prints
the largest per-chunk probability difference against
`cargo run --example vad_probs` on the same 16 kHz audio.

The 6.2.3 wheel's `silero_vad_16k.safetensors` is a different checkpoint from
its ONNX/JIT models (same STFT basis, other weights), so the architecture check
runs our port on the ONNX model's own weights (converted by
onnx_to_safetensors.py) and must agree within 1e-3; the difference between the
wheel's safetensors and the ONNX model is printed for information.

Usage (from the repository root):
    python3 -m venv /var/tmp/mymeet-bench/vad-venv
    /var/tmp/mymeet-bench/vad-venv/bin/pip install onnxruntime onnx numpy
    /var/tmp/mymeet-bench/vad-venv/bin/python bench/vad/compare.py [FILE...]

The ONNX file comes from the wheel (pip download silero-vad==6.2.3) unless
SILERO_ONNX points at one. Audio is decoded once, by the Rust side, and handed
over as raw f32, so both models see identical samples.
"""
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import onnxruntime

ROOT = Path(__file__).resolve().parents[2]
SPEECH = Path(os.environ.get("MYMEET_TEST_SPEECH_DIR", ROOT.parent / "shared/data/speech"))
DEFAULT_FILES = [
    SPEECH / "conversation/phonecall_30s.flac",
    SPEECH / "conversation/lecture_60s.flac",
    SPEECH / "jfk/jfk.flac",
    SPEECH / "asterisk-en/silence__5.flac",
]
TOLERANCE = 1e-3


def onnx_model() -> Path:
    if os.environ.get("SILERO_ONNX"):
        return Path(os.environ["SILERO_ONNX"])
    cache = Path("/var/tmp/mymeet-bench/silero-vad-6.2.3")
    onnx = cache / "silero_vad/data/silero_vad.onnx"
    if not onnx.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                        "silero-vad==6.2.3", "-d", str(cache)], check=True)
        wheel = next(cache.glob("silero_vad-6.2.3-*.whl"))
        zipfile.ZipFile(wheel).extractall(cache)
    return onnx


def onnx_probs(session, pcm: np.ndarray) -> np.ndarray:
    chunk, context = 512, 64
    if len(pcm) % chunk:
        pcm = np.pad(pcm, (0, chunk - len(pcm) % chunk))
    state = np.zeros((2, 1, 128), dtype=np.float32)
    ctx = np.zeros((1, context), dtype=np.float32)
    sr = np.array(16000, dtype=np.int64)
    out = []
    for i in range(0, len(pcm), chunk):
        x = np.concatenate([ctx, pcm[None, i:i + chunk]], axis=1)
        prob, state = session.run(None, {"input": x, "state": state, "sr": sr})
        ctx = x[:, -context:]
        out.append(float(prob[0, 0]))
    return np.array(out)


def rust_probs(path: Path, weights: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """Our probabilities and the 16 kHz samples we decoded (fed to ONNX too)."""
    with tempfile.NamedTemporaryFile(suffix=".f32") as pcm:
        extra = ["--weights", str(weights)] if weights else []
        result = subprocess.run(
            ["cargo", "run", "-q", "-p", "mymeet-pipeline", "--example", "vad_probs", "--",
             str(path), "--pcm-out", pcm.name, *extra],
            cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"vad_probs failed on {path}:\n{result.stderr}")
        return np.array(json.loads(result.stdout)), np.fromfile(pcm.name, dtype="<f4")


def compare(session, files, weights: Path | None, label: str) -> float:
    worst = 0.0
    for path in files:
        ours, pcm = rust_probs(path, weights)
        theirs = onnx_probs(session, pcm)
        if len(ours) != len(theirs):
            sys.exit(f"{path}: {len(ours)} chunks (ours) vs {len(theirs)} (onnx)")
        diff = np.abs(ours - theirs)
        agree = np.mean((ours >= 0.5) == (theirs >= 0.5))
        worst = max(worst, float(diff.max()))
        print(f"  [{label}] {path.name}: {len(ours)} chunks, max |dp| {diff.max():.2e}, "
              f"mean |dp| {diff.mean():.2e}, speech decisions agree {100 * agree:.2f} %")
    return worst


def main() -> int:
    files = [Path(f) for f in sys.argv[1:]] or DEFAULT_FILES
    onnx_path = onnx_model()
    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = opts.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(onnx_path), sess_options=opts,
                                           providers=["CPUExecutionProvider"])
    with tempfile.TemporaryDirectory() as tmp:
        converted = Path(tmp) / "onnx_weights.safetensors"
        op15 = onnx_path.with_name("silero_vad_16k_op15.onnx")
        subprocess.run([sys.executable, str(Path(__file__).with_name("onnx_to_safetensors.py")),
                        str(op15 if op15.exists() else onnx_path), str(converted)], check=True)
        print("our port on the ONNX model's weights vs the ONNX model:")
        worst = compare(session, files, converted, "onnx weights")
    print("our port on the wheel's safetensors (default weights) vs the ONNX model (information):")
    compare(session, files, None, "wheel safetensors")
    verdict = "OK" if worst < TOLERANCE else "FAIL"
    print(f"{verdict}: architecture max abs difference {worst:.2e} (tolerance {TOLERANCE:.0e})")
    return 0 if worst < TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
