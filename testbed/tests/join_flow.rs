//! Drives each style's join page with headless Chromium through the guest flow, playing the
//! host over the control API, and checks the markers, the audio and the speaker highlight.

mod common;

use chromiumoxide::Page;
use common::*;
use mymeet_core::domain::Platform;
use mymeet_testbed::RunningTestbed;
use serde_json::Value;
use std::time::Duration;

const BOT: &str = "Recorder Bot";

/// Goes from the join link to the lobby the way a guest does on each platform.
async fn enter_lobby(page: &Page, style: Platform) {
    match style {
        Platform::Meet => {
            wait_for(
                page,
                r#"document.querySelector('input[type=text][aria-label="Your name"]')"#,
                "Meet name field",
            )
            .await;
            type_into(page, r#"input[type=text][aria-label="Your name"]"#, BOT).await;
            click(page, r#"[aria-label="Turn off microphone"]"#).await;
            click(page, r#"[aria-label="Turn off camera"]"#).await;
            wait_for(
                page,
                r#"document.querySelector('[aria-label="Turn on microphone"]')"#,
                "mic off",
            )
            .await;
            click(page, "#ask").await;
            wait_text(page, "Asking to be let in…").await;
        }
        Platform::Teams => {
            wait_text(page, "Continue on this browser").await;
            click(page, r#"[data-tid="joinOnWeb"]"#).await;
            wait_for(
                page,
                r#"document.querySelector('[data-tid="prejoin-display-name-input"]').offsetParent"#,
                "Teams prejoin",
            )
            .await;
            type_into(page, r#"[data-tid="prejoin-display-name-input"]"#, BOT).await;
            click(page, r#"[data-tid="toggle-mute"]"#).await;
            click(page, r#"[data-tid="toggle-video"]"#).await;
            click(page, r#"[data-tid="prejoin-join-button"]"#).await;
            wait_text(page, "Someone will let you in soon").await;
        }
        Platform::Zoom => {
            enter_zoom_web_client(page).await;
            zoom_preview_join(page).await;
            wait_text(page, "Please wait, the meeting host will let you in soon.").await;
        }
    }
}

async fn enter_zoom_web_client(page: &Page) {
    wait_text(page, "Join from Your Browser").await;
    click(page, "#join-from-browser").await;
    wait_for(
        page,
        "location.pathname.startsWith('/wc/') && document.readyState === 'complete'",
        "the web client",
    )
    .await;
}

async fn zoom_preview_join(page: &Page) {
    wait_for(
        page,
        "document.querySelector('#input-for-name')",
        "Zoom preview",
    )
    .await;
    click(page, "#onetrust-accept-btn-handler").await;
    click(page, "#permission-allow").await;
    type_into(page, "#input-for-name", BOT).await;
    click(page, "#preview-audio-control-button").await;
    click(page, "#preview-video-control-button").await;
    click(page, "button.preview-join-button").await;
}

fn in_call_marker(style: Platform) -> &'static str {
    match style {
        Platform::Meet => {
            r#"document.querySelector('button[aria-label="Leave call"]').offsetParent && document.querySelector('button[aria-label="Turn on captions"]').offsetParent && !document.body.innerText.includes('Asking to be let in')"#
        }
        Platform::Teams => {
            r#"document.querySelector('#callingButtons-showMoreBtn').offsetParent && document.querySelector('#hangup-button').offsetParent"#
        }
        Platform::Zoom => r#"document.querySelector('button[aria-label="Leave"]').offsetParent"#,
    }
}

fn active_speaker_js(style: Platform) -> &'static str {
    match style {
        Platform::Meet => {
            r#"() => { const t = [...document.querySelectorAll('[data-participant-id]')].find((t) => t.querySelector('.Oaajhc')); return t ? t.querySelector('span.notranslate').textContent : null; }"#
        }
        Platform::Teams => {
            r#"() => { const o = document.querySelector('[data-tid="voice-level-stream-outline"].vdi-frame-occlusion'); return o ? o.closest('[data-cid="calling-participant-stream"]').querySelector('[data-tid="participant-display-name"]').textContent : null; }"#
        }
        Platform::Zoom => {
            r#"() => { const f = document.querySelector('.speaker-active-container__video-frame .video-avatar__avatar-footer span'); return f ? f.textContent : null; }"#
        }
    }
}

fn ended_text(style: Platform) -> &'static str {
    match style {
        Platform::Meet => "Your host ended the meeting for everyone",
        Platform::Teams => "The meeting has ended",
        Platform::Zoom => "This meeting has been ended by host",
    }
}

fn denied_text(style: Platform) -> &'static str {
    match style {
        Platform::Meet => "Someone in the call denied your request to join",
        Platform::Teams => "Sorry, but you were denied access to the meeting",
        Platform::Zoom => "The host has removed you from the waiting room",
    }
}

async fn speaker(page: &Page, style: Platform) -> Value {
    js(page, active_speaker_js(style)).await
}

async fn admitted(testbed: &RunningTestbed, page: &Page, style: Platform) {
    enter_lobby(page, style).await;
    wait_lobby(testbed, BOT).await;
    let admitted = control_post(testbed, "/admit", &format!(r#"{{"name":"{BOT}"}}"#)).await;
    assert_eq!(
        admitted["guests"].as_array().map(Vec::len),
        Some(1),
        "{admitted}"
    );
    wait_for(page, in_call_marker(style), "in-call markers").await;
}

async fn full_flow(style: Platform) {
    let dir = temp();
    let testbed = start_testbed(dir.path(), |_| {}).await;
    let chromium = Chromium::launch(&profile(dir.path())).await;
    let page = chromium.open(&testbed.join_url(style)).await;
    admitted(&testbed, &page, style).await;

    let expected_tracks = if style == Platform::Meet { 2 } else { 1 };
    wait_for(
        &page,
        &format!("window.__tracks.size === {expected_tracks}"),
        "remote audio tracks",
    )
    .await;
    wait_for(
        &page,
        "document.querySelectorAll('#audio-sink audio').length > 0",
        "audio elements",
    )
    .await;

    let schedule = control_get(&testbed, "/schedule").await;
    let turns = schedule["turns"].as_array().expect("turns").clone();
    assert_eq!(turns.len(), 2);
    assert_eq!(turns[0]["participant"], "Alice");
    assert_eq!(turns[1]["participant"], "Bob");
    let ms = |t: &Value, k: &str| {
        t[k].as_u64()
            .unwrap_or_else(|| panic!("{k} missing in {t}"))
    };
    assert!(
        ms(&turns[0], "start_ms")
            >= schedule["clock_started_at_ms"]
                .as_u64()
                .expect("clock started")
    );

    // Before anyone speaks: media flows but carries (near) silence.
    let lead = audio_stats(&page).await;
    assert!(
        speaker(&page, style).await.is_null(),
        "nobody speaks during the lead-in"
    );

    sleep_until_ms(ms(&turns[0], "start_ms") + 500).await;
    assert_eq!(speaker(&page, style).await, "Alice", "Alice's turn");
    sleep_until_ms(ms(&turns[0], "end_ms") + 500).await;
    let after_alice = audio_stats(&page).await;
    assert!(
        speaker(&page, style).await.is_null(),
        "silence between turns"
    );
    sleep_until_ms(ms(&turns[1], "start_ms") + 500).await;
    assert_eq!(speaker(&page, style).await, "Bob", "Bob's turn");
    sleep_until_ms(ms(&turns[1], "end_ms") + 300).await;
    let after_bob = audio_stats(&page).await;

    assert!(
        after_alice.packets > lead.packets && after_bob.packets > after_alice.packets,
        "packets grow: {lead:?} {after_alice:?} {after_bob:?}"
    );
    assert!(after_bob.bytes > after_alice.bytes);
    assert_eq!(after_bob.tracks, expected_tracks);
    // Speech has energy; the lead-in is digital silence.
    let speech_energy = after_alice.energy - lead.energy;
    assert!(
        speech_energy > 100.0 * lead.energy.max(1e-6),
        "speech energy {speech_energy} vs lead-in {}",
        lead.energy
    );
    assert!(
        after_bob.energy - after_alice.energy > 1e-4,
        "Bob is heard too: {after_alice:?} {after_bob:?}"
    );

    control_post(&testbed, "/end", "{}").await;
    wait_text(&page, ended_text(style)).await;
    let state = control_get(&testbed, "/state").await;
    assert_eq!(state["guests"][0]["status"], "ended", "{state}");
    assert_eq!(state["guests"][0]["media_connected"], true, "{state}");
    chromium.close().await;
    testbed.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meet_guest_joins_hears_two_tracks_and_sees_the_speaker() {
    full_flow(Platform::Meet).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teams_guest_joins_hears_one_mixed_track_and_sees_the_speaker() {
    full_flow(Platform::Teams).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_guest_joins_hears_one_mixed_track_and_sees_the_speaker() {
    full_flow(Platform::Zoom).await;
}

async fn denied_flow(style: Platform) {
    let dir = temp();
    let testbed = start_testbed(dir.path(), |_| {}).await;
    let chromium = Chromium::launch(&profile(dir.path())).await;
    let page = chromium.open(&testbed.join_url(style)).await;
    enter_lobby(&page, style).await;
    wait_lobby(&testbed, BOT).await;
    let denied = control_post(&testbed, "/deny", "{}").await;
    assert_eq!(denied["guests"].as_array().map(Vec::len), Some(1));
    wait_text(&page, denied_text(style)).await;
    let state = control_get(&testbed, "/state").await;
    assert!(
        state["clock_started_at_ms"].is_null(),
        "a denial does not start the schedule"
    );
    chromium.close().await;
    testbed.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meet_denied() {
    denied_flow(Platform::Meet).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teams_denied() {
    denied_flow(Platform::Teams).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_denied() {
    denied_flow(Platform::Zoom).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_host_not_started_shows_the_error_page_until_started() {
    let dir = temp();
    let testbed = start_testbed(dir.path(), |c| c.zoom.host_started = false).await;
    let chromium = Chromium::launch(&profile(dir.path())).await;
    let page = chromium.open(&testbed.join_url(Platform::Zoom)).await;
    enter_zoom_web_client(&page).await;
    wait_text(&page, "This meeting link is invalid (3,001)").await;
    assert_eq!(js(&page, "() => document.title").await, "Error - Zoom");

    control_post(&testbed, "/start", r#"{"style":"zoom"}"#).await;
    page.reload().await.expect("reload");
    zoom_preview_join(&page).await;
    wait_text(&page, "Please wait, the meeting host will let you in soon.").await;
    wait_lobby(&testbed, BOT).await;
    control_post(&testbed, "/admit", "{}").await;
    wait_for(&page, in_call_marker(Platform::Zoom), "in call").await;
    wait_for(&page, "window.__tracks.size === 1", "the mixed track").await;
    chromium.close().await;
    testbed.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_pages_and_the_zoom_rtms_wall() {
    let dir = temp();
    let testbed = start_testbed(dir.path(), |_| {}).await;
    for style in Platform::ALL {
        let body = format!(r#"{{"style":"{style}","enabled":true}}"#);
        control_post(&testbed, "/blocked", &body).await;
    }
    let chromium = Chromium::launch(&profile(dir.path())).await;

    let meet = chromium.open(&testbed.join_url(Platform::Meet)).await;
    wait_text(&meet, "You can't join this video call").await;
    assert!(!has_text(&meet, "Ask to join").await);

    let teams = chromium.open(&testbed.join_url(Platform::Teams)).await;
    wait_text(&teams, "Continue on this browser").await;
    click(&teams, r#"[data-tid="joinOnWeb"]"#).await;
    wait_text(&teams, "Verify you're a real person").await;

    let zoom = chromium.open(&testbed.join_url(Platform::Zoom)).await;
    enter_zoom_web_client(&zoom).await;
    zoom_preview_join(&zoom).await;
    wait_text(&zoom, "Zoom Realtime Media Streams (RTMS)").await;

    let state = control_get(&testbed, "/state").await;
    assert_eq!(
        state["guests"].as_array().map(Vec::len),
        Some(0),
        "blocked guests never reach the lobby: {state}"
    );
    chromium.close().await;
    testbed.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_and_everyone_leaves() {
    let dir = temp();
    let testbed = start_testbed(dir.path(), |c| {
        c.auto_admit = Some(Duration::from_millis(300))
    })
    .await;
    let chromium = Chromium::launch(&profile(dir.path())).await;

    // Auto-admit lets the Meet guest in; then every participant leaves: tiles go, audio stops.
    let meet = chromium.open(&testbed.join_url(Platform::Meet)).await;
    enter_lobby(&meet, Platform::Meet).await;
    wait_for(&meet, in_call_marker(Platform::Meet), "auto-admitted").await;
    wait_for(
        &meet,
        "document.querySelectorAll('[data-participant-id]').length === 3",
        "two participants and self",
    )
    .await;
    control_post(&testbed, "/leave-all", "{}").await;
    wait_for(
        &meet,
        "document.querySelectorAll('[data-participant-id]').length === 1",
        "only self left",
    )
    .await;
    let state = control_get(&testbed, "/state").await;
    assert_eq!(state["roster"].as_array().map(Vec::len), Some(0), "{state}");

    // A Teams guest removed mid-call sees the retry screen.
    let teams = chromium.open(&testbed.join_url(Platform::Teams)).await;
    enter_lobby(&teams, Platform::Teams).await;
    wait_for(&teams, in_call_marker(Platform::Teams), "auto-admitted").await;
    control_post(&testbed, "/remove", r#"{"style":"teams"}"#).await;
    wait_for(&teams, r#"document.querySelector('#calling-retry-screen-title').offsetParent && document.querySelector('#calling-retry-screen-title').textContent === "You've been removed from this meeting""#, "removed screen").await;
    chromium.close().await;
    testbed.shutdown().await;
}
