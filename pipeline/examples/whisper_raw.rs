//! Transcribes raw audio (16 kHz mono, 16-bit little-endian PCM) with one
//! Whisper model and prints one line per file: its name, the seconds spent
//! and the text. It reads no container format, so it needs no ffmpeg: a
//! small binary to check a build (`--features cuda`) on a GPU machine.
//!
//! `cargo run --release -p mymeet-pipeline --example whisper_raw -- MODEL_DIR
//! [--device cuda] [--weights q8|int8] [--no-bf16] [--beam 5] FILE.s16...`

use mymeet_pipeline::whisper::{transcribe_pcm, ModelOptions, TranscribeOptions, WhisperModel};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let model_dir = args
        .next()
        .ok_or("usage: whisper_raw MODEL_DIR [--device D] [--weights W] [--no-bf16] [--beam N] FILE.s16...")?;
    let (mut device, mut weights, mut beam, mut bf16, mut files) =
        ("cpu".to_owned(), "float".to_owned(), 5, true, Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--device" => device = args.next().ok_or("--device needs a value")?,
            "--weights" => weights = args.next().ok_or("--weights needs a value")?,
            "--beam" => beam = args.next().ok_or("--beam needs a value")?.parse()?,
            "--no-bf16" => bf16 = false,
            _ => files.push(arg),
        }
    }
    let started = Instant::now();
    let options = ModelOptions::from_settings(&device, &weights, bf16)?;
    let mut model = WhisperModel::load_with(std::path::Path::new(&model_dir), &options)?;
    eprintln!(
        "model loaded on {device} ({weights}) in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let mut opts = TranscribeOptions::default();
    opts.search.beam_size = beam;
    let (mut audio_s, mut spent_s) = (0.0, 0.0);
    for file in &files {
        let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        let pcm: Vec<f32> = bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0)
            .collect();
        let t = Instant::now();
        let result = transcribe_pcm(&mut model, &pcm, &opts, &mut |_, _| {})?;
        let spent = t.elapsed().as_secs_f64();
        let text: Vec<&str> = result.segments.iter().map(|s| s.text.trim()).collect();
        println!("{file}\t{spent:.3}\t{}", text.join(" "));
        audio_s += pcm.len() as f64 / 16_000.0;
        spent_s += spent;
    }
    eprintln!(
        "{} files, {audio_s:.1} s of audio in {spent_s:.2} s: RTF {:.4} (model load {:.2} s apart)",
        files.len(),
        spent_s / audio_s.max(1e-9),
        started.elapsed().as_secs_f64() - spent_s
    );
    Ok(())
}
