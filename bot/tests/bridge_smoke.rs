//! The capture script, the loopback bridge and the recorder, end to end in
//! real Chromium, on a minimal Meet-style page whose "remote" audio comes from
//! a second in-page peer connection (so it is a received track, as in a call).

mod support;

use mymeet_bot::{BotConfig, HostAlias, NoopObserver};
use mymeet_core::domain::{BotState, EndReason};
use std::sync::Arc;
use std::time::Duration;

const PAGE: &str = r#"<!doctype html><html><head><title>Meet</title></head><body>
<div id="call" style="display:none">
  <button aria-label="Leave call">Leave</button>
  <button aria-label="Turn on captions">CC</button>
  <div data-participant-id="a"><span class="notranslate">Alice</span></div>
</div>
<div id="msg"></div>
<script>
(async () => {
  // A sender and a receiver inside the page: the receiver's track is a
  // genuinely remote track, like a conference's.
  const ctx = new AudioContext();
  const osc = ctx.createOscillator();
  osc.frequency.value = 440;
  const dest = ctx.createMediaStreamDestination();
  osc.connect(dest); osc.start();
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  b.ontrack = () => {};
  a.addTrack(dest.stream.getAudioTracks()[0], dest.stream);
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  document.getElementById('call').style.display = 'block';
  const tile = document.querySelector('[data-participant-id]');
  setTimeout(() => tile.setAttribute('data-speaking', 'true'), 1500);
  setTimeout(() => tile.removeAttribute('data-speaking'), 3500);
  setTimeout(() => { document.getElementById('call').remove();
    document.getElementById('msg').textContent = 'Your host ended the meeting for everyone'; }, 5000);
})();
</script></body></html>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_received_page_track_is_recorded_over_the_bridge() {
    let url = support::serve_page(PAGE.to_owned());
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let out = tempfile::tempdir().unwrap();
    let mut config = BotConfig::new(url, out.path());
    config.host_aliases = vec![format!("{host}=meet").parse::<HostAlias>().unwrap()];
    config.join_timeout = Duration::from_secs(20);
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let report = mymeet_bot::run(config, Arc::new(NoopObserver), stop)
        .await
        .unwrap();

    assert_eq!(report.state, BotState::Done, "{:#?}", report.transitions);
    assert_eq!(report.end_reason, Some(EndReason::MeetingEnded));
    let rec = report.recording.clone().expect("a recording");
    assert_eq!(rec.tracks.len(), 1, "{rec:#?}");
    // The answer asks the page for 60 ms Opus packets (a third of Chromium's
    // default 20 ms): about one per 60 ms of the call once the track is up.
    let per_60ms = rec.duration_s / 0.060;
    let packets = report.counters.bridge_packets as f64;
    assert!(
        packets > per_60ms * 0.7 && packets < per_60ms * 1.1,
        "{packets} packets in {} s: {:?}",
        rec.duration_s,
        report.counters
    );

    let samples = support::decode(&out.path().join("recording.ogg"), 16_000);
    let decoded_s = samples.len() as f64 / 16_000.0;
    assert!(
        (decoded_s - rec.duration_s).abs() < 0.1,
        "decoded {decoded_s} s, summary {} s",
        rec.duration_s
    );
    // The tone is loud once the bridge is up (well under a second after admission).
    let db = support::window_db(&samples, 16_000, 0.1);
    let loud = db.iter().skip(10).filter(|d| **d > -30.0).count();
    assert!(loud as f64 > (db.len() - 10) as f64 * 0.8, "{db:?}");

    // The speaking highlight from 1.5 s to 3.5 s of page time.
    let turns = &report.speakers;
    assert_eq!(turns.len(), 1, "{turns:?}");
    assert_eq!(turns[0].name, "Alice");
    assert!(
        (turns[0].to_s - turns[0].from_s - 2.0).abs() < 0.3,
        "{turns:?}"
    );
    let json = support::bot_json(out.path());
    assert_eq!(json["state"], "done");
    assert_eq!(json["end_reason"], "meeting_ended");
}
