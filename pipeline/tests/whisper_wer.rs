//! Word error rate of tiny.en on the English Asterisk set.
//!
//! A debug test build decodes about one clip per 2–3 s on this machine, so
//! the test uses a fixed spread of the set (every fourth clip, 31 of 124);
//! `bench/transcribe/run.sh` measures the whole set.

mod whisper_support;

use mymeet_pipeline::whisper::{
    transcribe_pcm, ModelOptions, TranscribeOptions, WeightFormat, WhisperModel,
};
use whisper_support::{clips, edit_distance, model_dir, normalize, pcm};

#[test]
fn tiny_en_wer_on_a_fixed_spread_of_the_english_asterisk_set() {
    let mut model = WhisperModel::load(&model_dir("tiny.en")).expect("load tiny.en");
    let wer = greedy_wer(&mut model, 4);
    assert!(wer < BOUND, "WER {wer:.2} % is above {BOUND} %");
}

/// The quantized path (`--weights q8`): 8-bit weights keep the words.
#[test]
fn tiny_en_in_q8_keeps_the_wer_on_a_sparser_spread() {
    let mut model = tiny_en_with(WeightFormat::Q8);
    assert!(model.tensors().is_none(), "a q8 model keeps no f32 weights");
    let wer = greedy_wer(&mut model, 8);
    assert!(wer < BOUND, "q8 WER {wer:.2} % is above {BOUND} %");
}

/// `--weights int8`: decode steps on 8-bit weights with a scale per row
/// (and f16 audio keys) keep the words.
#[test]
fn tiny_en_in_int8_keeps_the_wer_on_a_sparser_spread() {
    let mut model = tiny_en_with(WeightFormat::Int8);
    let wer = greedy_wer(&mut model, 8);
    assert!(wer < BOUND, "int8 WER {wer:.2} % is above {BOUND} %");
}

/// tiny.en with its weights in `weights`.
fn tiny_en_with(weights: WeightFormat) -> WhisperModel {
    let options = ModelOptions {
        weights,
        ..ModelOptions::default()
    };
    WhisperModel::load_with(&model_dir("tiny.en"), &options)
        .unwrap_or_else(|e| panic!("load tiny.en ({weights:?}): {e}"))
}

/// Greedy WER (%) on every `step`-th clip of the English Asterisk set.
fn greedy_wer(model: &mut WhisperModel, step: usize) -> f64 {
    let mut options = TranscribeOptions::default();
    // Greedy keeps the test fast; the benchmark measures beam 5.
    options.search.beam_size = 1;
    let all = clips("asterisk-en/");
    assert!(
        all.len() >= 100,
        "expected the whole English Asterisk set, found {} clips",
        all.len()
    );
    let set: Vec<_> = all.into_iter().step_by(step).collect();
    let (mut errors, mut words) = (0, 0);
    for clip in &set {
        let result = transcribe_pcm(model, &pcm(&clip.path()), &options, &mut |_, _| {})
            .expect("transcribe");
        let hypothesis: String = result
            .segments
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let (r, h) = (normalize(&clip.text), normalize(&hypothesis));
        let e = edit_distance(&r, &h);
        if e > 0 {
            eprintln!(
                "{}: {e} errors\n  ref: {}\n  hyp: {}",
                clip.id,
                r.join(" "),
                h.join(" ")
            );
        }
        errors += e;
        words += r.len();
    }
    let wer = 100.0 * errors as f64 / words as f64;
    eprintln!(
        "tiny.en greedy WER on {} asterisk-en clips ({words} words): {wer:.2} %",
        set.len()
    );
    wer
}

/// Measured on these clips: 0.85 % (3 errors in 352 words); the bound adds about two points.
const BOUND: f64 = 3.0;
