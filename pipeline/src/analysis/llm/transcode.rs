//! Converting a GGUF model whose tensor types have no SIMD kernels in candle
//! (Q4_1, Q5_0, Q5_1): small models become f32 (matrix products on gemm),
//! larger ones Q8_0 (which has SIMD dot products). SmolLM2-135M's Q4_1 file
//! runs about ten times faster as f32, for 0.5 GB of memory.

use super::super::AnalysisError;
use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::Device;
use std::io::{Cursor, Read, Seek};
use std::path::Path;

/// A converted model: its header and a reader over the whole file.
pub type InMemory = (gguf_file::Content, Cursor<Vec<u8>>);

/// Up to this many weights in slow tensors, convert them to f32 (4 bytes each).
const F32_MAX_WEIGHTS: usize = 400_000_000;

/// Whether candle multiplies this type with scalar code only.
fn slow(dtype: GgmlDType) -> bool {
    matches!(dtype, GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1)
}

/// `None` when the model is fast as it is, else an in-memory copy with its
/// slow tensors converted.
pub fn fast_copy<R: Read + Seek>(
    content: &gguf_file::Content,
    reader: &mut R,
    path: &Path,
) -> Result<Option<InMemory>, AnalysisError> {
    if !content.tensor_infos.values().any(|t| slow(t.ggml_dtype)) {
        return Ok(None);
    }
    let err = |e: candle_core::Error| AnalysisError::Model {
        path: path.to_path_buf(),
        detail: format!("converting slow tensors: {e}"),
    };
    let slow_weights: usize = content
        .tensor_infos
        .values()
        .filter(|t| slow(t.ggml_dtype))
        .map(|t| t.shape.elem_count())
        .sum();
    let target = if slow_weights <= F32_MAX_WEIGHTS {
        GgmlDType::F32
    } else {
        GgmlDType::Q8_0
    };
    let mut names: Vec<&String> = content.tensor_infos.keys().collect();
    names.sort();
    let mut tensors: Vec<(&str, QTensor)> = Vec::with_capacity(names.len());
    for name in names {
        let tensor = content.tensor(reader, name, &Device::Cpu).map_err(err)?;
        let tensor =
            if slow(tensor.dtype()) && tensor.shape().dims().last().is_some_and(|d| d % 32 == 0) {
                QTensor::quantize(&tensor.dequantize(&Device::Cpu).map_err(err)?, target)
                    .map_err(err)?
            } else {
                tensor
            };
        tensors.push((name.as_str(), tensor));
    }
    let metadata: Vec<(&str, &gguf_file::Value)> = content
        .metadata
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (*n, t)).collect();
    let mut buffer = Cursor::new(Vec::new());
    gguf_file::write(&mut buffer, &metadata, &tensor_refs).map_err(err)?;
    buffer.set_position(0);
    let copy = gguf_file::Content::read(&mut buffer).map_err(err)?;
    Ok(Some((copy, buffer)))
}
