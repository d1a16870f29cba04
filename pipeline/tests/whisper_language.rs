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

#[test]
fn a_recording_in_two_languages_gets_each_segments_own_when_asked() {
    use mymeet_pipeline::transcribe::Transcriber;
    use mymeet_pipeline::whisper::TranscribeOptions;
    // 26 s of Russian prompts, 1.5 s of silence, then JFK in English.
    let ru = pcm(&clips("asterisk-ru/conf-adminmenu-162")[0].path());
    let en = pcm(&clips("jfk/jfk")[0].path());
    let mut call = ru.clone();
    call.extend(std::iter::repeat_n(0.0, 24_000));
    call.extend_from_slice(&en);
    let switch_s = (ru.len() + 24_000) as f64 / 16_000.0;
    model_dir("silero-vad");
    let mut options = TranscribeOptions::default();
    options.search.beam_size = 1;
    let load = || {
        Transcriber::load(&whisper_support::store(), "base", true, options.clone())
            .expect("base and silero-vad are installed")
    };

    // Per recording: one language, found in the first 30 s, for everything.
    let whole = load().transcribe_pcm(&call, &mut |_, _| {}).unwrap();
    assert_eq!(whole.language, "ru");
    assert!(whole.segments.iter().all(|s| s.language == "ru"));

    // Per segment: the English turn is detected, decoded and labelled as English.
    let mut per_segment = load().with_language_per_segment(true);
    let t = per_segment.transcribe_pcm(&call, &mut |_, _| {}).unwrap();
    let languages: Vec<(f64, &str)> = t
        .segments
        .iter()
        .map(|s| (s.start, s.language.as_str()))
        .collect();
    assert_eq!(t.language, "ru", "most speech is Russian");
    assert!(
        t.segments
            .iter()
            .filter(|s| s.end < switch_s - 0.5)
            .all(|s| s.language == "ru"),
        "{languages:?}"
    );
    let english: Vec<_> = t
        .segments
        .iter()
        .filter(|s| s.start > switch_s - 0.5)
        .collect();
    assert!(
        !english.is_empty() && english.iter().all(|s| s.language == "en"),
        "{languages:?}"
    );
    let text = english
        .iter()
        .map(|s| s.text.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("country"), "{text}");
}
