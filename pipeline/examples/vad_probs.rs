//! Prints Silero VAD speech probabilities (one per 512-sample chunk) of an
//! audio file as JSON; `--pcm-out PATH` also writes the decoded 16 kHz samples
//! (raw little-endian f32), `--weights` picks another safetensors file and
//! `--bench N` times N runs on stderr.
//!
//! `cargo run --release -p mymeet-pipeline --example vad_probs -- FILE [--weights PATH] [--pcm-out PATH] [--bench N]`
//! (weights from `$MYMEET_MODELS_DIR/silero-vad/silero_vad_16k.safetensors`).

use std::path::PathBuf;
use std::time::Instant;

use mymeet_pipeline::audio::decode_file;
use mymeet_pipeline::vad::SileroVad;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: vad_probs FILE [--weights PATH] [--pcm-out PATH] [--bench N]";
    let file = PathBuf::from(args.next().ok_or(usage)?);
    let (mut runs, mut pcm_out, mut weights) = (0usize, None, None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(usage)?;
        match flag.as_str() {
            "--bench" => runs = value.parse()?,
            "--pcm-out" => pcm_out = Some(PathBuf::from(value)),
            "--weights" => weights = Some(PathBuf::from(value)),
            _ => return Err(usage.into()),
        }
    }
    let models = std::env::var_os("MYMEET_MODELS_DIR")
        .map_or_else(|| PathBuf::from("/var/tmp/mymeet-models"), PathBuf::from);
    let weights = weights.unwrap_or_else(|| models.join("silero-vad/silero_vad_16k.safetensors"));
    let vad = SileroVad::load(&weights)?;

    let started = Instant::now();
    let pcm = decode_file(&file)?;
    let decode_s = started.elapsed().as_secs_f64();
    if let Some(out) = pcm_out {
        let bytes: Vec<u8> = pcm.iter().flat_map(|s| s.to_le_bytes()).collect();
        std::fs::write(out, bytes)?;
    }
    let probs = vad.speech_probabilities(&pcm)?;
    println!("{}", serde_json::to_string(&probs)?);

    if runs > 0 {
        let audio_s = pcm.len() as f64 / 16_000.0;
        let started = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(vad.speech_regions(&pcm)?);
        }
        let per_run = started.elapsed().as_secs_f64() / runs as f64;
        eprintln!(
            "{}: {audio_s:.1} s of audio; decode {:.1} ms; VAD {:.2} ms per run = {:.1} µs per second of audio (real-time factor {:.5})",
            file.display(),
            decode_s * 1e3,
            per_run * 1e3,
            per_run * 1e6 / audio_s,
            per_run / audio_s
        );
    }
    Ok(())
}
