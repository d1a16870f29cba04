#!/usr/bin/env python3
"""Write the weights of silero-vad's reference ONNX model as a safetensors file
with the tensor names of the wheel's `silero_vad_16k.safetensors`.

The 6.2.3 wheel's safetensors holds a different checkpoint than its ONNX/JIT
models (only the STFT basis is identical), so comparing our port with the ONNX
model is only meaningful on the ONNX model's own weights.

Usage: python onnx_to_safetensors.py silero_vad_16k_op15.onnx OUT.safetensors
Needs: numpy, onnx.
"""
import json
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper

NAMES = {"model.stft.forward_basis_buffer": "stft_conv.weight",
         "model.decoder.rnn.weight_ih": "lstm_cell.weight_ih",
         "model.decoder.rnn.weight_hh": "lstm_cell.weight_hh",
         "model.decoder.rnn.bias_ih": "lstm_cell.bias_ih",
         "model.decoder.rnn.bias_hh": "lstm_cell.bias_hh",
         "model.decoder.decoder.2.weight": "final_conv.weight",
         "model.decoder.decoder.2.bias": "final_conv.bias"}
for i in range(4):
    for kind in ("weight", "bias"):
        NAMES[f"model.encoder.{i}.reparam_conv.{kind}"] = f"conv{i + 1}.{kind}"


def main(onnx_path: str, out_path: str) -> None:
    graph = onnx.load(onnx_path).graph
    tensors = {NAMES[i.name]: numpy_helper.to_array(i).astype("<f4")
               for i in graph.initializer if i.name in NAMES}
    missing = set(NAMES.values()) - set(tensors)
    if missing:
        sys.exit(f"{onnx_path}: missing {sorted(missing)}")
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        blob = np.ascontiguousarray(tensors[name]).tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with open(out_path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


if __name__ == "__main__":
    main(*sys.argv[1:3])
