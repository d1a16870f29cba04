//! One bot in one meeting: drives the join flow, the state machine of
//! DESIGN.md, the bridge and the recorder, and the leave rules.

use crate::bridge::{AudioBridge, BridgePacket};
use crate::browser::BotBrowser;
use crate::config::BotConfig;
use crate::detect::detect;
use crate::observer::BotObserver;
use crate::page::{self, PageEvent, Poll, Probe, CAPTURE_SCRIPT};
use crate::profile::PlatformProfile;
use crate::recorder::Recorder;
use crate::report::{BotReport, SpeakerTurn, TransitionRecord};
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::Page;
use chrono::Utc;
use mymeet_core::domain::{BotState, EndReason};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// How often the page is inspected.
const TICK: Duration = Duration::from_millis(250);
/// How often recorded pages are flushed.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// Least time between two clicks on the same join control.
const CLICK_AGAIN_AFTER: Duration = Duration::from_secs(4);

/// A bot that could not even start (no output directory).
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// The output directory could not be created or written.
    #[error("output directory {path}: {source}")]
    Output {
        /// The directory.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Runs one bot until it is `done` or `failed`; `stop` turning true asks it
/// to leave (SIGTERM, a stop message). Returns what `bot.json` holds.
pub async fn run(
    config: BotConfig,
    observer: Arc<dyn BotObserver>,
    stop: watch::Receiver<bool>,
) -> Result<BotReport, BotError> {
    std::fs::create_dir_all(&config.out_dir).map_err(|source| BotError::Output {
        path: config.out_dir.clone(),
        source,
    })?;
    let mut bot = Session {
        report: BotReport::new(&config.meeting_url, &config.bot_name),
        config,
        observer,
        stop,
    };
    bot.save().map_err(|source| BotError::Output {
        path: bot.config.out_dir.clone(),
        source,
    })?;
    bot.run().await;
    bot.observer.finished(&bot.report).await;
    Ok(bot.report)
}

struct Session {
    config: BotConfig,
    observer: Arc<dyn BotObserver>,
    stop: watch::Receiver<bool>,
    report: BotReport,
}

/// How the call ended, decided inside the loop.
struct Ending {
    reason: EndReason,
    detail: Option<String>,
    click_leave: bool,
}

/// Pre-admission progress on the join page.
#[derive(Default)]
struct JoinProgress {
    name_filled: bool,
    join_clicked_at: Option<Instant>,
    mic_clicks: u32,
    camera_clicks: u32,
    last_reload: Option<Instant>,
}

impl Session {
    async fn run(&mut self) {
        let target = match detect(&self.config.meeting_url, &self.config.host_aliases) {
            Ok(t) => t,
            Err(e) => return self.fail(EndReason::JoinError, Some(e.to_string())).await,
        };
        self.report.platform = Some(target.platform);
        self.report.join_url = Some(target.join_url.to_string());
        let profile =
            match PlatformProfile::load(target.platform, self.config.profiles_dir.as_deref()) {
                Ok(p) => p,
                Err(e) => return self.fail(EndReason::JoinError, Some(e.to_string())).await,
            };
        let browser =
            match BotBrowser::launch(&self.config.chromium, &self.config.chromium_args).await {
                Ok(b) => b,
                Err(e) => return self.fail(EndReason::JoinError, Some(e.to_string())).await,
            };
        match browser.page_with_script(CAPTURE_SCRIPT).await {
            Ok(page) => {
                self.in_browser(&page, &profile, target.join_url.as_str())
                    .await;
                let _ = page.close().await;
            }
            Err(e) => self.fail(EndReason::JoinError, Some(e.to_string())).await,
        }
        browser.close().await;
    }

    async fn in_browser(&mut self, page: &Page, profile: &PlatformProfile, url: &str) {
        self.transition(BotState::Joining, None, None).await;
        if let Err(e) = page.goto(url).await {
            return self
                .fail_with_page(
                    page,
                    EndReason::JoinError,
                    Some(format!("opening {url}: {e}")),
                )
                .await;
        }
        let profile_json = match serde_json::to_string(profile) {
            Ok(j) => j,
            Err(e) => return self.fail(EndReason::JoinError, Some(e.to_string())).await,
        };
        let admitted = match self.join(page, profile, &profile_json).await {
            Some(probe) => probe,
            None => return,
        };
        self.record(page, profile, &profile_json, admitted).await;
    }

    /// Drives the join page until admitted (returns the probe) or ended.
    async fn join(&mut self, page: &Page, profile: &PlatformProfile, cfg: &str) -> Option<Probe> {
        let started = Instant::now();
        let mut waiting_since: Option<Instant> = None;
        let mut progress = JoinProgress::default();
        let mut ticker = tokio::time::interval(TICK);
        loop {
            ticker.tick().await;
            if *self.stop.borrow() {
                self.transition(BotState::Leaving, Some(EndReason::StoppedByUser), None)
                    .await;
                self.transition(BotState::Done, Some(EndReason::StoppedByUser), None)
                    .await;
                return None;
            }
            let probe = match page::probe(page, cfg).await {
                Ok(p) => {
                    self.report.counters.probes += 1;
                    p
                }
                Err(e) => {
                    self.report.counters.probe_errors += 1;
                    tracing::debug!(error = %e, "probe failed");
                    continue;
                }
            };
            if let Some(wall) = &probe.blocked {
                self.fail_with_page(page, EndReason::Blocked, Some(wall.clone()))
                    .await;
                return None;
            }
            if let Some(text) = &probe.denied {
                self.fail_with_page(page, EndReason::Denied, Some(text.clone()))
                    .await;
                return None;
            }
            if let Some(text) = &probe.not_found {
                self.fail_with_page(
                    page,
                    EndReason::JoinError,
                    Some(format!("meeting not found: {text}")),
                )
                .await;
                return None;
            }
            if probe.admitted(profile) {
                return Some(probe);
            }
            let waiting = probe.lobby.clone().or_else(|| {
                probe
                    .not_started
                    .as_ref()
                    .map(|t| format!("host has not started the meeting: {t}"))
            });
            if let Some(detail) = waiting {
                if self.report.state == BotState::Joining {
                    self.transition(BotState::WaitingRoom, None, Some(detail))
                        .await;
                }
                let since = *waiting_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= self.config.waiting_room_timeout {
                    let detail = format!(
                        "not admitted within {} s",
                        self.config.waiting_room_timeout.as_secs_f64()
                    );
                    self.fail_with_page(page, EndReason::WaitingRoomTimeout, Some(detail))
                        .await;
                    return None;
                }
                let reload_every = profile.states.reload_while_not_started_s;
                if probe.not_started.is_some() && reload_every > 0 {
                    let due = progress
                        .last_reload
                        .is_none_or(|t| t.elapsed() >= Duration::from_secs(reload_every));
                    if due && progress.last_reload.is_some() {
                        self.report.counters.reloads += 1;
                        let _ = page.reload().await;
                        progress = JoinProgress::default();
                    }
                    if due {
                        progress.last_reload = Some(Instant::now());
                    }
                }
                continue;
            }
            if self.report.state == BotState::Joining
                && started.elapsed() >= self.config.join_timeout
            {
                let detail = format!(
                    "the join page led nowhere in {} s ({})",
                    self.config.join_timeout.as_secs(),
                    probe.url
                );
                self.fail_with_page(page, EndReason::JoinError, Some(detail))
                    .await;
                return None;
            }
            self.join_step(page, profile, &probe, &mut progress).await;
        }
    }

    /// One step on the pre-join page: choices, name, devices off, join.
    async fn join_step(
        &mut self,
        page: &Page,
        profile: &PlatformProfile,
        probe: &Probe,
        p: &mut JoinProgress,
    ) {
        let j = &profile.join;
        if self.click(page, &[], &j.before_name_texts).await {
            return;
        }
        if probe.name_input && !p.name_filled {
            match page::fill(page, &j.name_inputs, &self.config.bot_name).await {
                Ok(filled) => p.name_filled = filled,
                Err(e) => tracing::debug!(error = %e, "typing the name"),
            }
            return;
        }
        // Each selector is present only while the device is on.
        if p.mic_clicks < 3 && self.click(page, &j.mic_off, &[]).await {
            p.mic_clicks += 1;
            return;
        }
        if p.camera_clicks < 3 && self.click(page, &j.camera_off, &[]).await {
            p.camera_clicks += 1;
            return;
        }
        let due = p
            .join_clicked_at
            .is_none_or(|t| t.elapsed() >= CLICK_AGAIN_AFTER);
        if due && self.click(page, &j.join_selectors, &j.join_texts).await {
            p.join_clicked_at = Some(Instant::now());
        }
    }

    /// In the call: records until an end condition, then leaves and finalizes.
    async fn record(&mut self, page: &Page, profile: &PlatformProfile, cfg: &str, first: Probe) {
        let started = Instant::now();
        let started_ms = Utc::now().timestamp_millis();
        self.report.recording_started_at = Some(Utc::now());
        self.transition(BotState::Recording, None, None).await;
        let mut recorder = match Recorder::new(&self.config.out_dir, started) {
            Ok(r) => r,
            Err(e) => {
                return self
                    .end_call(
                        page,
                        None,
                        None,
                        Ending {
                            reason: EndReason::Crashed,
                            detail: Some(format!("creating the recording: {e}")),
                            click_leave: true,
                        },
                    )
                    .await
            }
        };
        let (tx, mut packets) = mpsc::unbounded_channel::<BridgePacket>();
        let bridge = match self.open_bridge(page, tx).await {
            Ok(b) => Some(b),
            Err(e) => {
                tracing::error!(error = %e, "audio bridge failed; the recording will be silent");
                self.report.detail = Some(format!("audio bridge failed: {e}"));
                None
            }
        };
        let speakers_json =
            serde_json::to_string(&profile.speakers).unwrap_or_else(|_| "null".into());
        if let Err(e) = page
            .evaluate(format!(
                "window.__mymeet && window.__mymeet.watchSpeakers({speakers_json})"
            ))
            .await
        {
            tracing::warn!(error = %e, "watching speakers");
        }
        let mut timeline = Timeline::new(started_ms);
        let mut alone = AloneClock::default();
        alone.observe(
            &first,
            &self.config.bot_name,
            &mut self.report.participants_seen,
        );
        let mut after_join_clicks = 0u32;
        let mut last_flush = Instant::now();
        let mut last_dismiss = Instant::now();
        let mut ticker = tokio::time::interval(TICK);
        let ending = loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = self.stop.changed() => {}
            }
            while let Ok(p) = packets.try_recv() {
                self.report.counters.bridge_packets += 1;
                if let Err(e) = recorder.push(&p) {
                    tracing::error!(error = %e, "writing audio");
                }
            }
            // On the tick nearest the second: with "at least a second" a
            // tick a hair early would push every flush to 1.25 s.
            if last_flush.elapsed() + TICK / 2 >= FLUSH_EVERY {
                last_flush = Instant::now();
                if let Err(e) = recorder.tick(Instant::now()) {
                    tracing::error!(error = %e, "flushing audio");
                }
                // Right after the flush, in this task: the observer reads
                // files that end on a whole page, with the timeline so far.
                self.report.speakers = timeline.so_far(Utc::now().timestamp_millis());
                self.observer
                    .flushed(&self.config.out_dir, &self.report)
                    .await;
            }
            let probe = match page::poll(page, cfg).await {
                Ok(Poll { drained, probe }) => {
                    self.report.counters.probes += 1;
                    for event in drained.events {
                        match event {
                            PageEvent::Track { .. } => self.report.counters.page_tracks += 1,
                            PageEvent::SpeakerStart { name, at } => timeline.start(name, at),
                            PageEvent::SpeakerStop { name, at } => timeline.stop(&name, at),
                            _ => {}
                        }
                    }
                    Some(probe)
                }
                Err(e) => {
                    self.report.counters.probe_errors += 1;
                    tracing::debug!(error = %e, "probe failed");
                    None
                }
            };
            if *self.stop.borrow() {
                break Ending {
                    reason: EndReason::StoppedByUser,
                    detail: None,
                    click_leave: true,
                };
            }
            if let Some(max) = self.config.max_duration {
                if started.elapsed() >= max {
                    break Ending {
                        reason: EndReason::MaxDuration,
                        detail: None,
                        click_leave: true,
                    };
                }
            }
            let Some(probe) = probe else {
                continue;
            };
            if let Some(text) = probe.ended {
                break Ending {
                    reason: EndReason::MeetingEnded,
                    detail: Some(text),
                    click_leave: false,
                };
            }
            if let Some(text) = probe.removed {
                break Ending {
                    reason: EndReason::Removed,
                    detail: Some(text),
                    click_leave: false,
                };
            }
            alone.observe(
                &probe,
                &self.config.bot_name,
                &mut self.report.participants_seen,
            );
            if alone.alone_for() >= Some(self.config.alone_timeout) {
                break Ending {
                    reason: EndReason::AloneTimeout,
                    detail: None,
                    click_leave: true,
                };
            }
            if after_join_clicks < 10 && !profile.join.after_join_texts.is_empty() {
                after_join_clicks += 1;
                if self.click(page, &[], &profile.join.after_join_texts).await {
                    after_join_clicks = 10;
                }
            }
            if last_dismiss.elapsed() >= Duration::from_secs(2) {
                last_dismiss = Instant::now();
                self.click(page, &[], &profile.join.dismiss_texts).await;
            }
        };
        // Packets that arrived before the decision still belong to the call.
        while let Ok(p) = packets.try_recv() {
            self.report.counters.bridge_packets += 1;
            let _ = recorder.push(&p);
        }
        self.report.speakers = timeline.finish(Utc::now().timestamp_millis());
        self.end_call(page, Some(recorder), bridge, ending).await;
        let _ = profile;
    }

    /// Leaves (clicking when asked), finalizes the files, ends `done`.
    async fn end_call(
        &mut self,
        page: &Page,
        recorder: Option<Recorder>,
        bridge: Option<AudioBridge>,
        ending: Ending,
    ) {
        let end = Instant::now();
        self.transition(
            BotState::Leaving,
            Some(ending.reason),
            ending.detail.clone(),
        )
        .await;
        if ending.click_leave {
            self.click_leave(page).await;
        }
        if let Some(recorder) = recorder {
            match recorder.finish(end).await {
                Ok(summary) => self.report.recording = Some(summary),
                Err(e) => tracing::error!(error = %e, "finalizing the recording"),
            }
        }
        if let Some(bridge) = bridge {
            bridge.close().await;
        }
        if ending.reason.ends_done() {
            self.transition(BotState::Done, Some(ending.reason), ending.detail)
                .await;
        } else {
            self.transition(BotState::Failed, Some(ending.reason), ending.detail)
                .await;
        }
    }

    /// Clicks leave (and its confirmation), then gives the page a moment to
    /// tell the server.
    async fn click_leave(&mut self, page: &Page) {
        let Some(platform) = self.report.platform else {
            return;
        };
        let Ok(profile) = PlatformProfile::load(platform, self.config.profiles_dir.as_deref())
        else {
            return;
        };
        let leave = &profile.leave;
        if self.click(page, &leave.selectors, &leave.texts).await && !leave.confirm_texts.is_empty()
        {
            tokio::time::sleep(Duration::from_millis(300)).await;
            self.click(page, &[], &leave.confirm_texts).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    async fn open_bridge(
        &mut self,
        page: &Page,
        tx: mpsc::UnboundedSender<BridgePacket>,
    ) -> Result<AudioBridge, String> {
        let offer: String = page::eval(
            page,
            "bridge offer",
            format!("window.__mymeet.bridgeOffer({})", self.config.bridge_slots),
        )
        .await
        .map_err(|e| e.to_string())?;
        let (mut bridge, answer) = AudioBridge::answer(&offer, tx)
            .await
            .map_err(|e| e.to_string())?;
        let answer_json = serde_json::to_string(&answer).map_err(|e| e.to_string())?;
        let _mids: Vec<Option<String>> = page::eval(
            page,
            "bridge answer",
            format!("window.__mymeet.bridgeAnswer({answer_json})"),
        )
        .await
        .map_err(|e| e.to_string())?;
        if !bridge.connected(Duration::from_secs(5)).await {
            tracing::warn!(state = %bridge.state(), "bridge not connected after 5 s");
        }
        Ok(bridge)
    }

    async fn click(&mut self, page: &Page, selectors: &[String], texts: &[String]) -> bool {
        match page::click(page, selectors, texts).await {
            Ok(true) => {
                self.report.counters.clicks += 1;
                true
            }
            Ok(false) => false,
            Err(e) => {
                tracing::debug!(error = %e, "click failed");
                false
            }
        }
    }

    async fn fail_with_page(&mut self, page: &Page, reason: EndReason, detail: Option<String>) {
        let dir = &self.config.out_dir;
        let shot = page
            .screenshot(ScreenshotParams::builder().full_page(true).build())
            .await;
        if let Ok(png) = shot {
            if std::fs::write(dir.join("failure.png"), png).is_ok() {
                self.report.failure_files.push("failure.png".into());
            }
        }
        if let Ok(html) = page.content().await {
            if std::fs::write(dir.join("failure.html"), html).is_ok() {
                self.report.failure_files.push("failure.html".into());
            }
        }
        self.fail(reason, detail).await;
    }

    async fn fail(&mut self, reason: EndReason, detail: Option<String>) {
        self.transition(BotState::Failed, Some(reason), detail)
            .await;
    }

    /// Checks and records a transition; an illegal one is a bug, logged and skipped.
    async fn transition(
        &mut self,
        to: BotState,
        reason: Option<EndReason>,
        detail: Option<String>,
    ) {
        let from = self.report.state;
        if let Err(e) = from.transition(to, reason) {
            tracing::error!(error = %e, "illegal bot transition skipped");
            return;
        }
        let record = TransitionRecord {
            from,
            to,
            reason,
            detail: detail.clone(),
            at: Utc::now(),
        };
        tracing::info!(%from, %to, reason = ?reason, detail = ?detail, "bot state");
        self.report.state = to;
        if to.is_terminal() {
            self.report.end_reason = reason;
            self.report.detail = detail.or(self.report.detail.take());
        }
        self.report.transitions.push(record.clone());
        if let Err(e) = self.save() {
            tracing::error!(error = %e, "writing bot.json");
        }
        self.observer.transition(&record).await;
    }

    fn save(&self) -> std::io::Result<()> {
        self.report.write(&self.config.out_dir)
    }
}

/// Speaker turns from start/stop events in epoch milliseconds.
struct Timeline {
    origin_ms: i64,
    open: HashMap<String, i64>,
    turns: Vec<SpeakerTurn>,
}

impl Timeline {
    fn new(origin_ms: i64) -> Self {
        Self {
            origin_ms,
            open: HashMap::new(),
            turns: Vec::new(),
        }
    }

    fn start(&mut self, name: String, at: i64) {
        self.open.entry(name).or_insert(at);
    }

    fn stop(&mut self, name: &str, at: i64) {
        if let Some(from) = self.open.remove(name) {
            self.push(name.to_owned(), from, at);
        }
    }

    fn push(&mut self, name: String, from: i64, to: i64) {
        let s = |ms: i64| ((ms - self.origin_ms).max(0)) as f64 / 1000.0;
        self.turns.push(SpeakerTurn {
            name,
            from_s: s(from),
            to_s: s(to),
        });
    }

    fn finish(mut self, end_ms: i64) -> Vec<SpeakerTurn> {
        let open: Vec<(String, i64)> = self.open.drain().collect();
        for (name, from) in open {
            self.push(name, from, end_ms);
        }
        self.turns
            .sort_by(|a, b| a.from_s.total_cmp(&b.from_s).then(a.name.cmp(&b.name)));
        self.turns
    }

    /// The turns so far, the ones still going ending at `now_ms`.
    fn so_far(&self, now_ms: i64) -> Vec<SpeakerTurn> {
        let copy = Timeline {
            origin_ms: self.origin_ms,
            open: self.open.clone(),
            turns: self.turns.clone(),
        };
        copy.finish(now_ms)
    }
}

/// Counts time alone, only after someone else was seen.
#[derive(Default)]
struct AloneClock {
    seen_other: bool,
    alone_since: Option<Instant>,
}

impl AloneClock {
    fn observe(&mut self, probe: &Probe, bot_name: &str, seen: &mut Vec<String>) {
        let others: Vec<&String> = probe
            .participants
            .iter()
            .filter(|n| !n.eq_ignore_ascii_case(bot_name))
            .collect();
        for name in &others {
            if !seen.iter().any(|s| s == *name) {
                seen.push((*name).clone());
            }
        }
        if others.is_empty() {
            if self.seen_other && self.alone_since.is_none() {
                self.alone_since = Some(Instant::now());
            }
        } else {
            self.seen_other = true;
            self.alone_since = None;
        }
    }

    fn alone_for(&self) -> Option<Duration> {
        self.alone_since.map(|t| t.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeline_so_far_ends_open_turns_now_and_keeps_going() {
        let mut t = Timeline::new(10_000);
        t.start("Alice".into(), 11_000);
        t.stop("Alice", 13_000);
        t.start("Bob".into(), 12_500);
        let now = t.so_far(14_000);
        let turns: Vec<(&str, f64, f64)> = now
            .iter()
            .map(|t| (t.name.as_str(), t.from_s, t.to_s))
            .collect();
        assert_eq!(turns, vec![("Alice", 1.0, 3.0), ("Bob", 2.5, 4.0)]);
        // Bob's turn is still open: the end of the call closes it later.
        t.stop("Bob", 16_000);
        assert_eq!(t.finish(20_000)[1].to_s, 6.0);
    }
}
