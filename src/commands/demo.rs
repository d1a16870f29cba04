//! `mymeet demo`: the whole loop on one machine. A local testbed meeting
//! with three speaking participants, a bot that joins and records it, and the
//! pipeline (transcription, report, email) on the embedded stack: SQLite, the
//! in-process bus and local files, all under one folder per run.

use anyhow::{bail, Context};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use mymeet_bot::wired::{WiredContext, WiredOptions};
use mymeet_bot::{BotConfig, HostAlias};
use mymeet_core::blob::{layout, LocalBlobStore, SharedBlobStore};
use mymeet_core::config::Config;
use mymeet_core::db::entities::deliveries::DeliveryStatus;
use mymeet_core::db::entities::reports::ReportFormat;
use mymeet_core::db::repo::{self, meetings::NewMeeting};
use mymeet_core::db::Db;
use mymeet_core::domain::{BotState, Platform};
use mymeet_pipeline::delivery::OutboxMailer;
use mymeet_pipeline::models::{self, ModelStore};
use mymeet_pipeline::render::clock;
use mymeet_pipeline::stages::{Pipeline, Stage};
use mymeet_testbed::{ParticipantSpec, RunningTestbed, Testbed, TestbedConfig};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use uuid::Uuid;

/// The demo's participants: who speaks, from which file of the voices folder.
const VOICES: [(&str, &str); 3] = [
    ("Alice", "alice.opus"),
    ("Bob", "bob.opus"),
    ("Carol", "carol.opus"),
];

/// The address the report goes to.
const RECIPIENT: &str = "you@example.com";

/// Options of `mymeet demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Which platform's join flow the testbed meeting follows.
    #[arg(long, value_name = "PLATFORM", default_value = "meet")]
    pub platform: Platform,
    /// Folder with alice.opus, bob.opus and carol.opus (any audio ffmpeg decodes).
    #[arg(long, value_name = "DIR")]
    pub voices: Option<PathBuf>,
    /// Where to keep this run's database, recordings, reports and outbox;
    /// default: DATA_DIR/demo/<time>.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Give up when the report has not been emailed this long after the meeting ended.
    #[arg(long, value_name = "SECS", default_value_t = 900)]
    pub timeout: u64,
}

/// Runs the demo and prints where every file is.
pub async fn run(config: &Config, args: DemoArgs) -> anyhow::Result<()> {
    let voices = voices_dir(args.voices.as_deref())?;
    let run_dir = args.out.clone().unwrap_or_else(|| {
        config
            .data_dir
            .join("demo")
            .join(Utc::now().format("%Y%m%d-%H%M%S").to_string())
    });
    let config = demo_config(config, &run_dir)?;
    super::transcribe::limit_compute_threads(config.transcription.threads);
    println!(
        "mymeet demo: a {} call with Alice, Bob and Carol; files in {}",
        args.platform,
        run_dir.display()
    );

    ensure_models(&config).await?;

    let db = super::migrate::open_migrated(&config).await?;
    let bus = mymeet_core::bus::open(&config.bus, &db)
        .await
        .context("cannot open the in-process bus")?;
    let blobs_dir = run_dir.join("blobs");
    let blobs: SharedBlobStore = Arc::new(LocalBlobStore::new(&blobs_dir));

    let participants = VOICES
        .iter()
        .map(|(name, file)| ParticipantSpec {
            name: (*name).to_owned(),
            audio: voices.join(file),
        })
        .collect();
    let mut testbed_config = TestbedConfig::new(participants);
    testbed_config.auto_admit = Some(Duration::from_secs(2));
    let testbed = Testbed::start(testbed_config)
        .await
        .context("cannot start the testbed meeting")?;
    let bot_id = schedule_bot(&db, &testbed, args.platform).await?;

    let progress = Arc::new(TranscriptionMeter::default());
    let meter = progress.clone();
    let pipeline = Pipeline::from_config(
        &config,
        db.clone(),
        bus.clone(),
        blobs.clone(),
        &Stage::ALL,
        Some(Arc::new(move |_, done, total| meter.set(done, total))),
    )
    .await
    .context("cannot start the pipeline")?;
    let (stop_pipeline, pipeline_stopped) = watch::channel(false);
    let pipeline = tokio::spawn(pipeline.run(pipeline_stopped));

    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));

    let ctx = WiredContext {
        db: db.clone(),
        bus: bus.clone(),
        blobs: blobs.clone(),
    };
    let options = bot_options(&testbed, &run_dir.join("bot"));
    let stop = super::signal::shutdown_flag();
    let bot = tokio::spawn(mymeet_bot::wired::run_bot(
        ctx,
        bot_id,
        options,
        stop.clone(),
    ));

    let ended_at = follow_meeting(&db, &testbed, bot_id, &bar).await?;
    let run = bot.await.context("the bot task failed")??;
    if run.report.state != BotState::Done {
        bar.finish_and_clear();
        bail!(
            "the bot ended {} ({}): {}",
            run.report.state,
            run.report
                .end_reason
                .map(|r| r.to_string())
                .unwrap_or_default(),
            run.report.detail.unwrap_or_default()
        );
    }
    let delivered = follow_pipeline(
        &db,
        bot_id,
        &bar,
        &progress,
        Duration::from_secs(args.timeout),
    )
    .await;
    bar.finish_and_clear();
    let _ = stop_pipeline.send(true);
    testbed.shutdown().await;
    let delivered = delivered?;
    if let Ok(Err(e)) = pipeline.await {
        tracing::warn!(error = %e, "the pipeline stopped with an error");
    }
    println!(
        "delivered {:.1} s after the meeting ended",
        delivered.duration_since(ended_at).as_secs_f64()
    );
    print_files(&db, &config, &blobs_dir, &run_dir, bot_id).await
}

/// The configuration of this run: the user's settings with the embedded
/// state (SQLite database, blobs, outbox) under `run_dir`. A configured
/// database, broker or SMTP server is used as it is, so the same demo proves
/// the distributed stack.
fn demo_config(config: &Config, run_dir: &Path) -> anyhow::Result<Config> {
    std::fs::create_dir_all(run_dir)
        .with_context(|| format!("cannot create {}", run_dir.display()))?;
    let mut demo = config.clone();
    demo.models_dir = Some(
        ModelStore::from_config(&config.data_dir, config.models_dir.as_deref())
            .dir()
            .to_path_buf(),
    );
    demo.data_dir = run_dir.to_path_buf();
    // Local blobs under the run folder, so that every file can be shown.
    demo.storage.url = None;
    demo.email.outbox = Some(run_dir.join("outbox"));
    demo.email.attach_docx = true;
    Ok(demo)
}

/// `--voices`, else `demo/speech` here, else the one in the source tree.
fn voices_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let candidates: Vec<PathBuf> = match given {
        Some(dir) => vec![dir.to_path_buf()],
        None => vec![
            PathBuf::from("demo/speech"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/speech"),
        ],
    };
    for dir in &candidates {
        if VOICES.iter().all(|(_, f)| dir.join(f).is_file()) {
            return Ok(dir.clone());
        }
    }
    bail!(
        "the demo's voices ({}) are not in {}; pass --voices DIR",
        VOICES.map(|(_, f)| f).join(", "),
        candidates[0].display()
    )
}

/// Fetches the transcription models the first time (the only network use).
async fn ensure_models(config: &Config) -> anyhow::Result<()> {
    let store = ModelStore::from_config(&config.data_dir, config.models_dir.as_deref());
    let mut wanted = vec![config.transcription.model.clone()];
    if config.transcription.vad {
        wanted.push("silero-vad".into());
    }
    for name in wanted {
        let Ok(spec) = ModelStore::spec(&name) else {
            continue; // a model folder given by path: nothing to fetch
        };
        if store.is_installed(spec) {
            continue;
        }
        println!(
            "fetching model {name} into {} (once)",
            store.dir().display()
        );
        let store = store.clone();
        tokio::task::spawn_blocking(move || models::fetch(&store, spec, true))
            .await
            .context("the model download task failed")?
            .with_context(|| {
                format!("cannot fetch model {name}; run `mymeet models fetch {name}`")
            })?;
    }
    Ok(())
}

/// The demo's tenant, user, meeting and bot; returns the bot.
async fn schedule_bot(
    db: &Db,
    testbed: &RunningTestbed,
    platform: Platform,
) -> anyhow::Result<Uuid> {
    let slug = format!("demo-{}", Uuid::new_v4().simple());
    let tenant = repo::tenants::create(db, "Demo", &slug).await?;
    let user = repo::users::create(db, tenant.id, RECIPIENT, "You").await?;
    let now = Utc::now();
    let meeting = repo::meetings::upsert(
        db,
        NewMeeting {
            tenant_id: tenant.id,
            platform,
            meeting_url: &testbed.join_url(platform),
            title: "mymeet demo call",
            starts_at: now,
            ends_at: now + chrono::Duration::minutes(2),
        },
    )
    .await?
    .model;
    Ok(repo::bots::create(db, meeting.id, now, &[user.id])
        .await?
        .id)
}

fn bot_options(testbed: &RunningTestbed, out: &Path) -> WiredOptions {
    // The meeting URL comes from the meeting row.
    let mut bot = BotConfig::new("", out);
    bot.bot_name = "mymeet notetaker".into();
    bot.host_aliases = Platform::ALL
        .into_iter()
        .filter_map(|p| format!("{}={p}", testbed.addr(p)).parse::<HostAlias>().ok())
        .collect();
    // The defaults: the audio goes up as parts every 2 s; whole tracks only
    // as often as live transcription is told about them.
    WiredOptions::new(bot)
}

/// Shows the bot joining and recording; ends the meeting as the host once
/// everyone has spoken. Returns when the host ended it.
async fn follow_meeting(
    db: &Db,
    testbed: &RunningTestbed,
    bot_id: Uuid,
    bar: &ProgressBar,
) -> anyhow::Result<Instant> {
    let mut recording_since = None;
    loop {
        let bot = repo::bots::get(db, bot_id).await?;
        let state = bot.state();
        match state {
            Some(BotState::Recording) => {
                let since = *recording_since.get_or_insert_with(Instant::now);
                bar.set_message(format!(
                    "recording  {}",
                    clock(since.elapsed().as_secs_f64())
                ));
            }
            Some(s) if s.is_terminal() => return Ok(Instant::now()),
            Some(s) => bar.set_message(format!("joining ({s})")),
            None => {}
        }
        let schedule = testbed.schedule();
        if let Some(started) = schedule.clock_started_at_ms {
            let end = started + schedule.program_end_offset_ms + 1500;
            if unix_ms() >= end {
                bar.set_message("the host ends the meeting");
                testbed.end_meeting();
                return Ok(Instant::now());
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Shows transcription, rendering and delivery; returns when every
/// recipient's email is sent.
async fn follow_pipeline(
    db: &Db,
    bot_id: Uuid,
    bar: &ProgressBar,
    meter: &TranscriptionMeter,
    timeout: Duration,
) -> anyhow::Result<Instant> {
    let deadline = Instant::now() + timeout;
    loop {
        if Instant::now() > deadline {
            bail!(
                "no report emailed within {} s; the log above says where it stopped",
                timeout.as_secs()
            );
        }
        let stage = pipeline_stage(db, bot_id).await?;
        match stage {
            PipelineStage::Uploading => bar.set_message("handing the recording over"),
            PipelineStage::Transcribing => {
                let (done, total) = meter.get();
                bar.set_message(format!("transcribing {}", text_bar(done, total)));
            }
            PipelineStage::Rendering => bar.set_message("analysing and rendering the report"),
            PipelineStage::Delivering => bar.set_message("emailing the report"),
            PipelineStage::Delivered => return Ok(Instant::now()),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Where the bot's recording is in the pipeline.
enum PipelineStage {
    Uploading,
    Transcribing,
    Rendering,
    Delivering,
    Delivered,
}

async fn pipeline_stage(db: &Db, bot_id: Uuid) -> anyhow::Result<PipelineStage> {
    let Some(recording) = repo::recordings::for_bot(db, bot_id).await? else {
        return Ok(PipelineStage::Uploading);
    };
    let Some(transcript) = repo::transcripts::for_recording(db, recording.id).await? else {
        return Ok(PipelineStage::Transcribing);
    };
    let reports = repo::reports::list_for_transcript(db, transcript.id).await?;
    let Some(html) = reports.iter().find(|r| r.format == ReportFormat::Html) else {
        return Ok(PipelineStage::Rendering);
    };
    let deliveries = repo::deliveries::list_for_report(db, html.id).await?;
    if !deliveries.is_empty() && deliveries.iter().all(|d| d.status == DeliveryStatus::Sent) {
        Ok(PipelineStage::Delivered)
    } else {
        Ok(PipelineStage::Delivering)
    }
}

/// Prints the recording, the transcript's reports and the email.
async fn print_files(
    db: &Db,
    config: &Config,
    blobs_dir: &Path,
    run_dir: &Path,
    bot_id: Uuid,
) -> anyhow::Result<()> {
    let recording = repo::recordings::for_bot(db, bot_id)
        .await?
        .context("the recording row is gone")?;
    let transcript = repo::transcripts::for_recording(db, recording.id)
        .await?
        .context("the transcript is gone")?;
    let segments = repo::transcripts::segments(db, transcript.id).await?;
    println!();
    println!(
        "transcript ({}, {} segments):",
        transcript.language,
        segments.len()
    );
    for s in &segments {
        println!(
            "  [{}] {}: {}",
            clock(s.start_ms as f64 / 1000.0),
            s.speaker.as_deref().unwrap_or("?"),
            s.text
        );
    }
    println!();
    println!(
        "recording   {}",
        blobs_dir.join(&recording.mixed_blob_key).display()
    );
    println!(
        "bot log     {}",
        blobs_dir
            // The demo launches its bot once.
            .join(layout::bot_report(bot_id, 1).as_str())
            .display()
    );
    let reports = repo::reports::list_for_transcript(db, transcript.id).await?;
    for format in [
        ReportFormat::Html,
        ReportFormat::Pdf,
        ReportFormat::Docx,
        ReportFormat::Md,
        ReportFormat::Json,
    ] {
        if let Some(r) = reports.iter().find(|r| r.format == format) {
            let (extension, _) = mymeet_pipeline::render::file_type(format);
            println!(
                "report      {:<5} {}",
                extension,
                blobs_dir.join(&r.blob_key).display()
            );
        }
    }
    let outbox = OutboxMailer::new(config.outbox_dir());
    if let Some(html) = reports.iter().find(|r| r.format == ReportFormat::Html) {
        for d in repo::deliveries::list_for_report(db, html.id).await? {
            match &config.email.smtp {
                None => println!(
                    "email       {} → {}",
                    outbox.path_of(&d.message_id).display(),
                    d.recipient
                ),
                Some(smtp) => println!(
                    "email       sent to {} through {} as {}",
                    d.recipient, smtp.host, d.message_id
                ),
            }
        }
    }
    if config.database.url.is_none() {
        println!("database    {}", run_dir.join("mymeet.db").display());
    }
    Ok(())
}

/// Seconds of speech transcribed so far, shared with the transcription stage.
#[derive(Default)]
struct TranscriptionMeter {
    done_ms: AtomicU64,
    total_ms: AtomicU64,
}

impl TranscriptionMeter {
    fn set(&self, done: f64, total: f64) {
        self.done_ms
            .store((done * 1000.0) as u64, Ordering::Relaxed);
        self.total_ms
            .store((total * 1000.0) as u64, Ordering::Relaxed);
    }

    fn get(&self) -> (f64, f64) {
        (
            self.done_ms.load(Ordering::Relaxed) as f64 / 1000.0,
            self.total_ms.load(Ordering::Relaxed) as f64 / 1000.0,
        )
    }
}

/// `[#####-----] 12/40 s`.
fn text_bar(done: f64, total: f64) -> String {
    let share = if total > 0.0 {
        (done / total).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let filled = (share * 20.0).round() as usize;
    format!(
        "[{}{}] {:.0}/{:.0} s of speech",
        "#".repeat(filled),
        "-".repeat(20 - filled),
        done,
        total
    )
}

fn unix_ms() -> u64 {
    u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0)
}
