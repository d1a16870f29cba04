//! `mymeet transcribe`: speech to text for local audio files.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mymeet_core::config::Config;
use mymeet_pipeline::models::ModelStore;
use mymeet_pipeline::speakers::{assign_by_timeline, timeline_from_bot_json};
use mymeet_pipeline::transcribe::Transcriber;
use mymeet_pipeline::transcript::{render, Format};
use mymeet_pipeline::whisper::{ModelOptions, TranscribeOptions};
use std::io::Write;
use std::path::PathBuf;

/// Options of `mymeet transcribe`.
#[derive(Debug, clap::Args)]
pub struct TranscribeArgs {
    /// Audio or video files (anything ffmpeg decodes).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Model name (`mymeet models list`) or a CTranslate2 / Hugging Face model folder.
    #[arg(long, default_value = "tiny.en")]
    pub model: String,
    /// Spoken language: `auto` detects it (multilingual models), or a code such as en, ru.
    #[arg(long, default_value = "auto")]
    pub language: String,
    /// Output format: txt, json, srt or vtt.
    #[arg(long, default_value = "txt")]
    pub format: Format,
    /// Beam size; 1 decodes greedily.
    #[arg(long, default_value_t = 5)]
    pub beam: usize,
    /// Compute threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Text the speech follows: names and jargon to expect.
    #[arg(long)]
    pub prompt: Option<String>,
    /// Write NAME.<format> per input here instead of printing to stdout.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Decode all audio, silence included, without voice activity detection.
    #[arg(long)]
    pub no_vad: bool,
    /// Label each segment with the speaker whose turns overlap it most, from
    /// a bot's `bot.json` (its speaker timeline) recorded with the input.
    #[arg(long, value_name = "BOT_JSON", conflicts_with = "speaker")]
    pub speakers: Option<PathBuf>,
    /// With a multilingual model and `--language auto`: detect the language of
    /// every chunk of speech (≤ 30 s) and decode it in that language.
    #[arg(long)]
    pub language_per_segment: bool,
    /// Label every segment with this speaker (one participant's track).
    #[arg(long, value_name = "NAME")]
    pub speaker: Option<String>,
    /// Where Whisper runs: cpu, cuda or cuda:N (default: `[transcription] device`).
    #[arg(long)]
    pub device: Option<String>,
    /// Weight format: auto (int8 where the CPU has VNNI and bf16, else float), float (as stored), int8 (decode steps in 8 bits) or q8 (candle q8_0; default: `[transcription] weights`).
    #[arg(long)]
    pub weights: Option<String>,
    /// Multiply whole windows in f32 even where the CPU has a bf16 unit (AMX, AVX512-BF16).
    #[arg(long)]
    pub no_bf16: bool,
}

/// Runs `mymeet transcribe`.
pub fn run(config: &Config, args: TranscribeArgs) -> anyhow::Result<()> {
    limit_compute_threads(args.threads);
    let store = ModelStore::from_config(&config.data_dir, config.models_dir.as_deref());
    let mut options = TranscribeOptions {
        language: (args.language != "auto").then(|| args.language.clone()),
        initial_prompt: args.prompt.clone(),
        ..TranscribeOptions::default()
    };
    options.search.beam_size = args.beam.max(1);
    let t = &config.transcription;
    let model_options = ModelOptions::from_settings(
        args.device.as_deref().unwrap_or(&t.device),
        args.weights.as_deref().unwrap_or(&t.weights),
        t.bf16 && !args.no_bf16,
    )?;
    let mut transcriber =
        Transcriber::load_with(&store, &args.model, !args.no_vad, options, &model_options)
            .with_context(|| format!("loading model {}", args.model))?
            .with_language_per_segment(args.language_per_segment);
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let timeline = match &args.speakers {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            timeline_from_bot_json(&bytes)
                .with_context(|| format!("{} is not a bot.json", path.display()))?
        }
        None => Vec::new(),
    };
    for file in &args.files {
        let bar = progress_bar(file);
        let mut progress = |done: f64, total: f64| {
            bar.set_length((total * 10.0) as u64);
            bar.set_position((done * 10.0) as u64);
        };
        let mut transcript = transcriber.transcribe_file(file, &mut progress)?;
        bar.finish_and_clear();
        if let Some(name) = &args.speaker {
            for segment in &mut transcript.segments {
                segment.speaker = Some(name.clone());
            }
        } else if args.speakers.is_some() {
            assign_by_timeline(&mut transcript.segments, &timeline);
        }
        let text = render(&transcript, args.format);
        match &args.out_dir {
            Some(dir) => {
                let stem = file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "out".into());
                let path = dir.join(format!("{stem}.{}", args.format.extension()));
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("{} -> {}", file.display(), path.display());
            }
            None => std::io::stdout().write_all(text.as_bytes())?,
        }
    }
    Ok(())
}

fn progress_bar(file: &std::path::Path) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {percent}% ({elapsed}, eta {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    bar
}

/// Sizes the global thread pool candle's matrix work runs on; must run
/// before the first transcription. `None` or 0 leaves it at all cores.
pub(crate) fn limit_compute_threads(threads: Option<usize>) {
    if let Some(threads) = threads.filter(|&t| t > 0) {
        // candle reads RAYON_NUM_THREADS for its matmul parallelism; the
        // global pool must be sized before its first use.
        std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
    } else if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // Without it candle works the count out again for every operation,
        // reading the CPU mask from /proc (a few percent of a transcription).
        std::env::set_var(
            "RAYON_NUM_THREADS",
            rayon::current_num_threads().to_string(),
        );
    }
}
