//! The tokenizer stored in a GGUF file's metadata (`tokenizer.ggml.*`):
//! a GPT-2 style byte-level BPE, rebuilt with the `tokenizers` crate so that
//! a single `.gguf` file is a whole model.

use super::super::AnalysisError;
use candle_core::quantized::gguf_file::Content;
use std::path::Path;
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::{AddedToken, Tokenizer};

/// GGUF token type of control tokens (`<|im_start|>` and friends).
const CONTROL: i32 = 3;

/// Builds the tokenizer of the model in `content`.
pub fn from_gguf(content: &Content, path: &Path) -> Result<Tokenizer, AnalysisError> {
    let err = |detail: String| AnalysisError::Model {
        path: path.to_path_buf(),
        detail,
    };
    let model = content
        .metadata
        .get("tokenizer.ggml.model")
        .and_then(|v| v.to_string().ok())
        .cloned()
        .unwrap_or_default();
    if model != "gpt2" {
        return Err(err(format!(
            "tokenizer `{model}` is not supported (only byte-level BPE, `gpt2`)"
        )));
    }
    let strings = |key: &str| -> Result<Vec<String>, AnalysisError> {
        let values = content
            .metadata
            .get(key)
            .ok_or_else(|| err(format!("no {key} in the metadata")))?
            .to_vec()
            .map_err(|e| err(format!("{key}: {e}")))?;
        values
            .iter()
            .map(|v| {
                v.to_string()
                    .cloned()
                    .map_err(|e| err(format!("{key}: {e}")))
            })
            .collect()
    };
    let tokens = strings("tokenizer.ggml.tokens")?;
    let merges = strings("tokenizer.ggml.merges")?
        .into_iter()
        .filter_map(|m| m.split_once(' ').map(|(a, b)| (a.to_owned(), b.to_owned())))
        .collect();
    let types: Vec<i32> = content
        .metadata
        .get("tokenizer.ggml.token_type")
        .and_then(|v| v.to_vec().ok())
        .map(|v| v.iter().map(|t| t.to_i32().unwrap_or(1)).collect())
        .unwrap_or_default();
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| err(format!("BPE: {e}")))?;
    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(Sequence::new(vec![
        PreTokenizerWrapper::Digits(Digits::new(true)),
        PreTokenizerWrapper::ByteLevel(ByteLevel::new(false, true, true)),
    ])));
    tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
    // Control tokens by their GGUF type, or by the `<|...|>` shape when a file has no types.
    let special: Vec<AddedToken> = tokens
        .iter()
        .enumerate()
        .filter(|(i, tok)| {
            types.get(*i) == Some(&CONTROL) || (tok.starts_with("<|") && tok.ends_with("|>"))
        })
        .map(|(_, tok)| AddedToken::from(tok.clone(), true))
        .collect();
    tokenizer
        .add_special_tokens(special)
        .map_err(|e| err(format!("special tokens: {e}")))?;
    Ok(tokenizer)
}
