//! Language detection with the multilingual base model.

mod whisper_support;

use mymeet_pipeline::whisper::{detect_language_pcm, WhisperModel};
use whisper_support::{clips, model_dir, pcm};

#[test]
fn base_detects_russian_and_english() {
    let mut model = WhisperModel::load(&model_dir("base")).expect("load base");
    assert!(model.is_multilingual());
    // A fixed spread of clips: every ninth Russian prompt, every thirtieth English one plus JFK.
    let ru: Vec<_> = clips("asterisk-ru/").into_iter().step_by(9).collect();
    let mut en: Vec<_> = clips("asterisk-en/").into_iter().step_by(30).collect();
    en.extend(clips("jfk/"));
    assert!(ru.len() >= 5 && en.len() >= 4);
    for (expected, set) in [("ru", &ru), ("en", &en)] {
        for clip in set.iter() {
            let (lang, p) = detect_language_pcm(&mut model, &pcm(&clip.path())).expect("detect");
            eprintln!("{}: {lang} ({p:.3})", clip.id);
            assert_eq!(lang, expected, "{} detected as {lang} ({p:.3})", clip.id);
            assert!(p > 0.5 && p <= 1.0, "{}: probability {p}", clip.id);
        }
    }
}
