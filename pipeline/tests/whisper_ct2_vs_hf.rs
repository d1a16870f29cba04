//! A CTranslate2 folder and the same weights written as a Hugging Face
//! folder decode to the same tokens.

mod whisper_support;

use mymeet_pipeline::whisper::{transcribe_pcm, Layout, TranscribeOptions, WhisperModel};
use whisper_support::{model_dir, pcm, speech_dir};

#[test]
fn ct2_and_hugging_face_layouts_give_the_same_tokens() {
    let ct2_dir = model_dir("tiny.en");
    let mut ct2 = WhisperModel::load(&ct2_dir).expect("load CTranslate2 tiny.en");
    assert_eq!(ct2.layout, Layout::Ct2);
    let tmp = tempfile::tempdir().expect("temp dir");
    ct2.export_hf(&ct2_dir, tmp.path())
        .expect("export as Hugging Face");
    assert!(tmp.path().join("model.safetensors").is_file());
    let mut hf = WhisperModel::load(tmp.path()).expect("load the Hugging Face folder");
    assert_eq!(hf.layout, Layout::HuggingFace);
    assert_eq!(hf.config, ct2.config);
    // Every tensor, including the split q/k/v and k/v projections, survives the round trip.
    let (ct2_tensors, hf_tensors) = (
        ct2.tensors().expect("float weights"),
        hf.tensors().expect("float weights"),
    );
    assert_eq!(hf_tensors.len(), ct2_tensors.len());
    for (name, t) in ct2_tensors {
        let other = hf_tensors
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing from the HF folder"));
        assert_eq!(t.dims(), other.dims(), "{name}");
    }
    let audio = pcm(&speech_dir().join("jfk/jfk.flac"));
    let mut options = TranscribeOptions::default();
    options.search.beam_size = 1;
    let a = transcribe_pcm(&mut ct2, &audio, &options, &mut |_, _| {}).expect("CT2 transcription");
    let b = transcribe_pcm(&mut hf, &audio, &options, &mut |_, _| {}).expect("HF transcription");
    let tokens = |r: &mymeet_pipeline::whisper::Transcription| {
        r.segments
            .iter()
            .flat_map(|s| s.tokens.clone())
            .collect::<Vec<_>>()
    };
    assert!(!tokens(&a).is_empty());
    assert_eq!(tokens(&a), tokens(&b));
    let text: String = a.segments.iter().map(|s| s.text.as_str()).collect();
    assert!(
        text.contains("ask not what your country can do for you"),
        "{text}"
    );
}

/// The path a GPU takes (candle's generic operations only), run on the CPU:
/// the same words as our CPU kernels on a long-form recording.
#[test]
fn the_device_generic_path_transcribes_like_the_cpu_kernels() {
    use mymeet_pipeline::whisper::ModelOptions;
    let dir = model_dir("tiny.en");
    let audio = pcm(&speech_dir().join("conversation/lecture_60s.flac"));
    let mut options = TranscribeOptions::default();
    options.search.beam_size = 1;
    let texts: Vec<String> = [false, true]
        .into_iter()
        .map(|portable| {
            let model_options = ModelOptions {
                portable,
                bf16: false,
                ..ModelOptions::default()
            };
            let mut model = WhisperModel::load_with(&dir, &model_options).expect("load tiny.en");
            let result = transcribe_pcm(&mut model, &audio, &options, &mut |_, _| {})
                .unwrap_or_else(|e| panic!("portable = {portable}: {e}"));
            result
                .segments
                .iter()
                .map(|s| s.text.trim())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert!(texts[0].split_whitespace().count() > 100, "{}", texts[0]);
    assert_eq!(texts[0], texts[1]);
}
