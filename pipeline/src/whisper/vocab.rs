//! The tokenizer and Whisper's special tokens.

use super::WhisperError;
use std::path::Path;
use tokenizers::Tokenizer;

/// The tokenizer plus the ids of the special tokens decoding needs.
pub struct Vocab {
    tokenizer: Tokenizer,
    /// `<|startoftranscript|>`.
    pub sot: u32,
    /// `<|endoftext|>`.
    pub eot: u32,
    /// `<|startofprev|>`, which introduces the prompt.
    pub sot_prev: u32,
    /// `<|startoflm|>`.
    pub sot_lm: Option<u32>,
    /// `<|transcribe|>`.
    pub transcribe: u32,
    /// `<|translate|>`.
    pub translate: u32,
    /// `<|notimestamps|>`.
    pub no_timestamps: u32,
    /// `<|nospeech|>` (or `<|nocaptions|>` in older vocabularies).
    pub no_speech: Option<u32>,
    /// The first timestamp token, `<|0.00|>`.
    pub timestamp_begin: u32,
    /// Language codes with their token ids, in vocabulary order.
    pub languages: Vec<(String, u32)>,
}

impl Vocab {
    /// Loads `tokenizer.json` and finds the special tokens.
    pub fn load(path: &Path) -> Result<Self, WhisperError> {
        let tokenizer = Tokenizer::from_file(path)
            .map_err(|e| WhisperError::Tokenizer(format!("{}: {e}", path.display())))?;
        let id = |t: &str| {
            tokenizer
                .token_to_id(t)
                .ok_or_else(|| WhisperError::Tokenizer(format!("no {t} token")))
        };
        let sot = id("<|startoftranscript|>")?;
        let translate = id("<|translate|>")?;
        let no_timestamps = id("<|notimestamps|>")?;
        let languages = (sot + 1..translate)
            .filter_map(|i| {
                let t = tokenizer.id_to_token(i)?;
                let code = t.strip_prefix("<|")?.strip_suffix("|>")?.to_owned();
                Some((code, i))
            })
            .collect();
        Ok(Self {
            sot,
            eot: id("<|endoftext|>")?,
            sot_prev: id("<|startofprev|>")?,
            sot_lm: tokenizer.token_to_id("<|startoflm|>"),
            transcribe: id("<|transcribe|>")?,
            translate,
            no_timestamps,
            no_speech: tokenizer
                .token_to_id("<|nospeech|>")
                .or_else(|| tokenizer.token_to_id("<|nocaptions|>")),
            timestamp_begin: tokenizer
                .token_to_id("<|0.00|>")
                .unwrap_or(no_timestamps + 1),
            languages,
            tokenizer,
        })
    }

    /// Encodes text without special tokens.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, WhisperError> {
        let enc = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| WhisperError::Tokenizer(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }

    /// Decodes text tokens (timestamps and other special tokens are dropped).
    pub fn decode(&self, tokens: &[u32]) -> Result<String, WhisperError> {
        let text: Vec<u32> = tokens.iter().copied().filter(|&t| t < self.eot).collect();
        self.tokenizer
            .decode(&text, true)
            .map_err(|e| WhisperError::Tokenizer(e.to_string()))
    }

    /// The token of a language code.
    pub fn language_token(&self, code: &str) -> Result<u32, WhisperError> {
        self.languages
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, id)| *id)
            .ok_or_else(|| WhisperError::Language(code.to_owned()))
    }
}
