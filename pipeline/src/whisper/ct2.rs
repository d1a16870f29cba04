//! Reading a CTranslate2 (faster-whisper) `model.bin` and renaming its
//! variables to the Hugging Face names candle's Whisper expects.

use super::WhisperError;
use candle_core::{DType, Device, Tensor};
use std::collections::HashMap;
use std::path::Path;

/// One variable of a CTranslate2 model file.
struct Variable {
    dims: Vec<usize>,
    dtype: u8,
    data: Vec<u8>,
}

/// The variables of a CTranslate2 model file by name, aliases resolved.
pub struct Ct2Model {
    vars: HashMap<String, Variable>,
}

/// A little-endian cursor over the file's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WhisperError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                WhisperError::Format(format!("model.bin ends early at byte {}", self.pos))
            })?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }
    fn u8(&mut self) -> Result<u8, WhisperError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, WhisperError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, WhisperError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self) -> Result<String, WhisperError> {
        let n = self.u16()? as usize;
        let b = self.take(n)?;
        // The length counts a trailing NUL.
        let b = b.strip_suffix(&[0]).unwrap_or(b);
        String::from_utf8(b.to_vec())
            .map_err(|_| WhisperError::Format("model.bin: a name is not UTF-8".into()))
    }
}

impl Ct2Model {
    /// Parses `model.bin`.
    pub fn read(path: &Path) -> Result<Self, WhisperError> {
        let bytes = std::fs::read(path).map_err(|e| WhisperError::Io(path.to_path_buf(), e))?;
        Self::parse(&bytes)
    }

    fn parse(bytes: &[u8]) -> Result<Self, WhisperError> {
        let mut r = Reader { bytes, pos: 0 };
        let version = r.u32()?;
        if !(5..=6).contains(&version) {
            return Err(WhisperError::Format(format!(
                "model.bin version {version} is not supported (5 or 6)"
            )));
        }
        let spec = r.string()?;
        if spec != "WhisperSpec" {
            return Err(WhisperError::Format(format!(
                "model.bin holds a {spec}, not a WhisperSpec"
            )));
        }
        let _revision = r.u32()?;
        let n = r.u32()?;
        let mut vars = HashMap::with_capacity(n as usize);
        for _ in 0..n {
            let name = r.string()?;
            let rank = r.u8()? as usize;
            let dims = (0..rank)
                .map(|_| r.u32().map(|d| d as usize))
                .collect::<Result<Vec<_>, _>>()?;
            let dtype = r.u8()?;
            let nbytes = r.u32()? as usize;
            let data = r.take(nbytes)?.to_vec();
            vars.insert(name, Variable { dims, dtype, data });
        }
        let n_aliases = r.u32()?;
        for _ in 0..n_aliases {
            let alias = r.string()?;
            let target = r.string()?;
            if let Some(v) = vars.get(&target) {
                let copy = Variable {
                    dims: v.dims.clone(),
                    dtype: v.dtype,
                    data: v.data.clone(),
                };
                vars.insert(alias, copy);
            }
        }
        Ok(Self { vars })
    }

    fn var(&self, name: &str) -> Result<&Variable, WhisperError> {
        self.vars
            .get(name)
            .ok_or_else(|| WhisperError::Format(format!("model.bin has no variable {name}")))
    }

    /// The shape of a variable.
    pub fn dims(&self, name: &str) -> Result<&[usize], WhisperError> {
        Ok(&self.var(name)?.dims)
    }

    /// A scalar integer variable (e.g. `encoder/num_heads`).
    pub fn scalar(&self, name: &str) -> Result<i64, WhisperError> {
        let v = self.var(name)?;
        let d = &v.data;
        let value = match (v.dtype, d.len()) {
            (1, 1) => d[0] as i8 as i64,
            (2, 2) => i16::from_le_bytes([d[0], d[1]]) as i64,
            (3, 4) => i32::from_le_bytes([d[0], d[1], d[2], d[3]]) as i64,
            _ => {
                return Err(WhisperError::Format(format!(
                    "{name} is not an integer scalar"
                )))
            }
        };
        Ok(value)
    }

    /// A variable as an f32 tensor.
    pub fn tensor(&self, name: &str, device: &Device) -> Result<Tensor, WhisperError> {
        let v = self.var(name)?;
        let values: Vec<f32> = match v.dtype {
            0 => v.data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
            4 => {
                // Whole-slice conversion: vectorised (F16C) where the CPU has it.
                use half::slice::HalfFloatSliceExt;
                let halves: Vec<half::f16> = v
                    .data
                    .chunks_exact(2)
                    .map(|c| half::f16::from_le_bytes([c[0], c[1]]))
                    .collect();
                halves.to_f32_vec()
            }
            5 => v.data.chunks_exact(2).map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32()).collect(),
            other => {
                return Err(WhisperError::Format(format!(
                    "{name} has dtype {other}; quantized CTranslate2 models are not supported, use a float16 or float32 one"
                )))
            }
        };
        let expected: usize = v.dims.iter().product();
        if values.len() != expected {
            return Err(WhisperError::Format(format!(
                "{name}: {} values for shape {:?}",
                values.len(),
                v.dims
            )));
        }
        Ok(Tensor::from_vec(values, v.dims.as_slice(), device)?.to_dtype(DType::F32)?)
    }

    /// Number of `<prefix>/layer_N` blocks.
    pub fn layer_count(&self, prefix: &str) -> usize {
        (0..)
            .take_while(|i| {
                self.vars
                    .keys()
                    .any(|k| k.starts_with(&format!("{prefix}/layer_{i}/")))
            })
            .count()
    }

    /// All tensors under their Hugging Face Whisper names, fused projections split.
    pub fn hf_tensors(&self, device: &Device) -> Result<HashMap<String, Tensor>, WhisperError> {
        let mut out = HashMap::new();
        let mut put = |name: String, t: Tensor| {
            out.insert(name, t);
        };
        for side in ["encoder", "decoder"] {
            let hf = format!("model.{side}");
            put(
                format!("{hf}.layer_norm.weight"),
                self.tensor(&format!("{side}/layer_norm/gamma"), device)?,
            );
            put(
                format!("{hf}.layer_norm.bias"),
                self.tensor(&format!("{side}/layer_norm/beta"), device)?,
            );
            put(
                format!("{hf}.embed_positions.weight"),
                self.tensor(&format!("{side}/position_encodings/encodings"), device)?,
            );
            for l in 0..self.layer_count(side) {
                let c = format!("{side}/layer_{l}");
                let h = format!("{hf}.layers.{l}");
                self.put_norm(
                    &mut put,
                    &format!("{c}/self_attention/layer_norm"),
                    &format!("{h}.self_attn_layer_norm"),
                    device,
                )?;
                let qkv_w = self.tensor(&format!("{c}/self_attention/linear_0/weight"), device)?;
                let qkv_b = self.tensor(&format!("{c}/self_attention/linear_0/bias"), device)?;
                let parts = split_rows(&qkv_w, 3)?;
                let biases = split_rows(&qkv_b, 3)?;
                for (i, proj) in ["q_proj", "k_proj", "v_proj"].iter().enumerate() {
                    put(format!("{h}.self_attn.{proj}.weight"), parts[i].clone());
                    // The key projection has no bias (CTranslate2 stores zeros).
                    if *proj != "k_proj" {
                        put(format!("{h}.self_attn.{proj}.bias"), biases[i].clone());
                    }
                }
                self.put_linear(
                    &mut put,
                    &format!("{c}/self_attention/linear_1"),
                    &format!("{h}.self_attn.out_proj"),
                    device,
                )?;
                self.put_norm(
                    &mut put,
                    &format!("{c}/ffn/layer_norm"),
                    &format!("{h}.final_layer_norm"),
                    device,
                )?;
                self.put_linear(
                    &mut put,
                    &format!("{c}/ffn/linear_0"),
                    &format!("{h}.fc1"),
                    device,
                )?;
                self.put_linear(
                    &mut put,
                    &format!("{c}/ffn/linear_1"),
                    &format!("{h}.fc2"),
                    device,
                )?;
                if side == "decoder" {
                    self.put_norm(
                        &mut put,
                        &format!("{c}/attention/layer_norm"),
                        &format!("{h}.encoder_attn_layer_norm"),
                        device,
                    )?;
                    self.put_linear(
                        &mut put,
                        &format!("{c}/attention/linear_0"),
                        &format!("{h}.encoder_attn.q_proj"),
                        device,
                    )?;
                    let kv_w = split_rows(
                        &self.tensor(&format!("{c}/attention/linear_1/weight"), device)?,
                        2,
                    )?;
                    let kv_b = split_rows(
                        &self.tensor(&format!("{c}/attention/linear_1/bias"), device)?,
                        2,
                    )?;
                    put(format!("{h}.encoder_attn.k_proj.weight"), kv_w[0].clone());
                    put(format!("{h}.encoder_attn.v_proj.weight"), kv_w[1].clone());
                    put(format!("{h}.encoder_attn.v_proj.bias"), kv_b[1].clone());
                    self.put_linear(
                        &mut put,
                        &format!("{c}/attention/linear_2"),
                        &format!("{h}.encoder_attn.out_proj"),
                        device,
                    )?;
                }
            }
        }
        for conv in ["conv1", "conv2"] {
            put(
                format!("model.encoder.{conv}.weight"),
                self.tensor(&format!("encoder/{conv}/weight"), device)?,
            );
            put(
                format!("model.encoder.{conv}.bias"),
                self.tensor(&format!("encoder/{conv}/bias"), device)?,
            );
        }
        put(
            "model.decoder.embed_tokens.weight".into(),
            self.tensor("decoder/embeddings/weight", device)?,
        );
        Ok(out)
    }

    fn put_norm(
        &self,
        put: &mut impl FnMut(String, Tensor),
        ct2: &str,
        hf: &str,
        device: &Device,
    ) -> Result<(), WhisperError> {
        self.put_weight_and_bias(put, ct2, hf, ("gamma", "beta"), device)
    }

    fn put_linear(
        &self,
        put: &mut impl FnMut(String, Tensor),
        ct2: &str,
        hf: &str,
        device: &Device,
    ) -> Result<(), WhisperError> {
        self.put_weight_and_bias(put, ct2, hf, ("weight", "bias"), device)
    }

    /// Copies `ct2/<weight>` and `ct2/<bias>` to `hf.weight` and `hf.bias`.
    fn put_weight_and_bias(
        &self,
        put: &mut impl FnMut(String, Tensor),
        ct2: &str,
        hf: &str,
        (weight, bias): (&str, &str),
        device: &Device,
    ) -> Result<(), WhisperError> {
        put(
            format!("{hf}.weight"),
            self.tensor(&format!("{ct2}/{weight}"), device)?,
        );
        put(
            format!("{hf}.bias"),
            self.tensor(&format!("{ct2}/{bias}"), device)?,
        );
        Ok(())
    }
}

/// Splits a fused tensor into `n` equal row blocks (each made contiguous).
fn split_rows(t: &Tensor, n: usize) -> Result<Vec<Tensor>, WhisperError> {
    let rows = t.dim(0)?;
    if rows % n != 0 {
        return Err(WhisperError::Format(format!(
            "cannot split {rows} fused rows into {n}"
        )));
    }
    let size = rows / n;
    (0..n)
        .map(|i| Ok(t.narrow(0, i * size, size)?.contiguous()?))
        .collect()
}
