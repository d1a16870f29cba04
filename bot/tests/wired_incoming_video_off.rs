//! Incoming video is switched off in the page: the capture script disables
//! every remote video track as it arrives (real Chromium, a Meet-style page
//! whose "remote" audio and video come from a second in-page peer connection).

mod support;

use mymeet_bot::{BotConfig, HostAlias, NoopObserver};
use mymeet_core::domain::{BotState, EndReason};
use std::sync::Arc;
use std::time::Duration;

/// The page ends the meeting when the remote video track it received is
/// disabled, and removes the bot when it is still enabled (or never came),
/// so the bot's end reason says which.
const PAGE: &str = r#"<!doctype html><html><head><title>Meet</title></head><body>
<div id="call" style="display:none">
  <button aria-label="Leave call">Leave</button>
  <button aria-label="Turn on captions">CC</button>
  <div data-participant-id="a"><span class="notranslate">Alice</span></div>
  <video id="v" autoplay muted></video>
</div>
<div id="msg"></div>
<script>
(async () => {
  const ctx = new AudioContext();
  const osc = ctx.createOscillator();
  const dest = ctx.createMediaStreamDestination();
  osc.connect(dest); osc.start();
  const canvas = document.createElement('canvas');
  canvas.width = 160; canvas.height = 120;
  const g = canvas.getContext('2d');
  setInterval(() => { g.fillStyle = `hsl(${Date.now() % 360},80%,50%)`; g.fillRect(0, 0, 160, 120); }, 40);
  const video = canvas.captureStream(25).getVideoTracks()[0];
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  let remoteVideo = null;
  b.ontrack = (e) => {
    if (e.track.kind === 'video') {
      remoteVideo = e.track;
      document.getElementById('v').srcObject = new MediaStream([e.track]);
    }
  };
  a.addTrack(dest.stream.getAudioTracks()[0], dest.stream);
  a.addTrack(video, new MediaStream([video]));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  document.getElementById('call').style.display = 'block';
  setTimeout(() => {
    const off = remoteVideo !== null && remoteVideo.enabled === false;
    document.getElementById('call').remove();
    document.getElementById('msg').textContent = off
      ? 'Your host ended the meeting for everyone'
      : "You've been removed from the meeting";
  }, 3000);
})();
</script></body></html>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_video_tracks_are_disabled_and_audio_still_recorded() {
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
    assert_eq!(
        report.end_reason,
        Some(EndReason::MeetingEnded),
        "the remote video track was not disabled: {:#?}",
        report.transitions
    );
    let rec = report.recording.expect("a recording");
    assert_eq!(rec.tracks.len(), 1, "only the audio track is recorded");
    // About 3 s of 60 ms packets.
    assert!(report.counters.bridge_packets > 20, "{:?}", report.counters);
}
