//! The Rust end of the loopback WebRTC bridge: answers the page's
//! non-trickle offer and hands every received Opus RTP packet, tagged with
//! its bridge slot (the transceiver's mid), to the recorder.

use rtc::ice::mdns::MulticastDnsMode;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    configure_rtcp_reports, MediaEngine, PeerConnection, PeerConnectionBuilder,
    PeerConnectionEventHandler, RTCConfigurationBuilder, RTCIceGatheringState,
    RTCPeerConnectionState, RTCSessionDescription, Registry, SettingEngineBuilder,
};
use webrtc::runtime::TokioRuntime;

/// One RTP packet from the page.
#[derive(Debug, Clone)]
pub struct BridgePacket {
    /// The bridge slot (transceiver mid) it came on.
    pub slot: String,
    /// Its RTP timestamp.
    pub timestamp: u32,
    /// The Opus payload.
    pub payload: bytes::Bytes,
    /// When it arrived.
    pub arrival: Instant,
}

/// A bridge that could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// The WebRTC stack refused.
    #[error("webrtc: {0}")]
    WebRtc(#[from] webrtc::error::Error),
    /// ICE gathering did not complete.
    #[error("ICE gathering did not complete in {0:?}")]
    GatheringTimeout(Duration),
    /// No local description after gathering.
    #[error("no local description after ICE gathering")]
    NoAnswer,
}

/// The receiving peer connection.
pub struct AudioBridge {
    pc: Arc<dyn PeerConnection>,
    state: watch::Receiver<RTCPeerConnectionState>,
}

struct Handler {
    gathered: watch::Sender<bool>,
    state: watch::Sender<RTCPeerConnectionState>,
    slots: Arc<SlotMap>,
    packets: mpsc::UnboundedSender<BridgePacket>,
}

/// The offer's `mid` for each msid track id and each SSRC.
#[derive(Debug, Default)]
struct SlotMap {
    by_track: HashMap<String, String>,
    by_ssrc: HashMap<u32, String>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            let _ = self.gathered.send(true);
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        tracing::debug!(%state, "bridge connection state");
        let _ = self.state.send(state);
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let track_id = track.track_id().await;
        let ssrcs = track.ssrcs().await;
        let slot = self
            .slots
            .by_track
            .get(&track_id)
            .or_else(|| ssrcs.iter().find_map(|s| self.slots.by_ssrc.get(s)))
            .cloned()
            .unwrap_or_else(|| format!("x{}", ssrcs.first().copied().unwrap_or_default()));
        tracing::debug!(%slot, %track_id, "bridge track");
        let packets = self.packets.clone();
        tokio::spawn(async move {
            while let Some(event) = track.poll().await {
                if let TrackRemoteEvent::OnRtpPacket(packet) = event {
                    let sent = packets.send(BridgePacket {
                        slot: slot.clone(),
                        timestamp: packet.header.timestamp,
                        payload: packet.payload,
                        arrival: Instant::now(),
                    });
                    if sent.is_err() {
                        break;
                    }
                }
            }
        });
    }
}

impl AudioBridge {
    /// Answers `offer_sdp`; returns the bridge and the complete answer SDP.
    pub async fn answer(
        offer_sdp: &str,
        packets: mpsc::UnboundedSender<BridgePacket>,
    ) -> Result<(Self, String), BridgeError> {
        let mut media = MediaEngine::default();
        media.register_default_codecs()?;
        // Receiver reports only: on a loopback link nothing is lost to NACK
        // and no bandwidth is to be estimated (TWCC feedback ten times a
        // second would only cost wake-ups on both ends).
        let registry = configure_rtcp_reports(Registry::new());
        // Chromium offers mDNS host candidates the bot cannot resolve; its
        // checks still reach 127.0.0.1 as peer-reflexive. QueryOnly would try
        // to join multicast and fails where that is impossible (STACK.md).
        let settings = SettingEngineBuilder::new()
            .with_multicast_dns_mode(MulticastDnsMode::Disabled)
            .build();
        let (gathered_tx, mut gathered) = watch::channel(false);
        let (state_tx, state) = watch::channel(RTCPeerConnectionState::New);
        let handler = Arc::new(Handler {
            gathered: gathered_tx,
            state: state_tx,
            slots: Arc::new(slot_map(offer_sdp)),
            packets,
        });
        let pc: Arc<dyn PeerConnection> = Arc::new(
            PeerConnectionBuilder::new()
                .with_configuration(RTCConfigurationBuilder::new().build())
                .with_media_engine(media)
                .with_interceptor_registry(registry)
                .with_setting_engine(settings)
                .with_handler(handler)
                .with_runtime(Arc::new(TokioRuntime))
                .with_udp_addrs(vec!["127.0.0.1:0"])
                .build()
                .await?,
        );
        let bridge = Self { pc, state };
        let answer = bridge.negotiate(offer_sdp, &mut gathered).await;
        match answer {
            Ok(sdp) => Ok((bridge, sdp)),
            Err(e) => {
                bridge.close().await;
                Err(e)
            }
        }
    }

    async fn negotiate(
        &self,
        offer_sdp: &str,
        gathered: &mut watch::Receiver<bool>,
    ) -> Result<String, BridgeError> {
        self.pc
            .set_remote_description(RTCSessionDescription::offer(offer_sdp.to_owned())?)
            .await?;
        let answer = self.pc.create_answer(None).await?;
        self.pc.set_local_description(answer).await?;
        let limit = Duration::from_secs(5);
        tokio::time::timeout(limit, gathered.wait_for(|done| *done))
            .await
            .map_err(|_| BridgeError::GatheringTimeout(limit))?
            .map_err(|_| BridgeError::GatheringTimeout(limit))?;
        let local = self
            .pc
            .local_description()
            .await
            .ok_or(BridgeError::NoAnswer)?;
        Ok(with_packet_time(&local.sdp, PACKET_TIME_MS))
    }

    /// Waits up to `limit` for the connection to be established.
    pub async fn connected(&mut self, limit: Duration) -> bool {
        let wait = self
            .state
            .wait_for(|s| *s == RTCPeerConnectionState::Connected);
        matches!(tokio::time::timeout(limit, wait).await, Ok(Ok(_)))
    }

    /// The connection state now.
    pub fn state(&self) -> RTCPeerConnectionState {
        *self.state.borrow()
    }

    /// Closes the connection.
    pub async fn close(self) {
        if let Err(e) = self.pc.close().await {
            tracing::debug!(error = %e, "closing the bridge");
        }
    }
}

/// The Opus frame length the page is asked to send, in milliseconds.
///
/// Chromium sends 20 ms packets unless the answer says otherwise; 60 ms
/// packets are a third as many to receive, decrypt and write, for the same
/// audio (the recorder reads each packet's length from its TOC byte).
const PACKET_TIME_MS: u32 = 60;

/// Adds `a=ptime:<ms>` to every audio section of `sdp` that has none
/// (Chromium's Opus encoder takes its frame length from it).
fn with_packet_time(sdp: &str, ms: u32) -> String {
    let mut out = String::with_capacity(sdp.len() + 64);
    let mut in_audio = false;
    let mut has_ptime = false;
    let close_section = |out: &mut String, in_audio: bool, has_ptime: bool| {
        if in_audio && !has_ptime {
            if !out.ends_with('\n') {
                out.push_str("\r\n");
            }
            out.push_str(&format!("a=ptime:{ms}\r\n"));
        }
    };
    for line in sdp.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed.starts_with("m=") {
            close_section(&mut out, in_audio, has_ptime);
            in_audio = trimmed.starts_with("m=audio");
            has_ptime = false;
        } else if trimmed.starts_with("a=ptime:") {
            has_ptime = true;
        }
        out.push_str(line);
    }
    close_section(&mut out, in_audio, has_ptime);
    out
}

/// Reads `a=mid`, `a=msid` and `a=ssrc` lines of each media section.
fn slot_map(sdp: &str) -> SlotMap {
    let mut map = SlotMap::default();
    let mut mid: Option<String> = None;
    let mut tracks: Vec<String> = Vec::new();
    let mut ssrcs: Vec<u32> = Vec::new();
    let mut finish = |mid: &mut Option<String>, tracks: &mut Vec<String>, ssrcs: &mut Vec<u32>| {
        if let Some(m) = mid.take() {
            for t in tracks.drain(..) {
                map.by_track.insert(t, m.clone());
            }
            for s in ssrcs.drain(..) {
                map.by_ssrc.insert(s, m.clone());
            }
        }
        tracks.clear();
        ssrcs.clear();
    };
    for line in sdp.lines().map(str::trim) {
        if line.starts_with("m=") {
            finish(&mut mid, &mut tracks, &mut ssrcs);
        } else if let Some(m) = line.strip_prefix("a=mid:") {
            mid = Some(m.to_owned());
        } else if let Some(msid) = line.strip_prefix("a=msid:") {
            if let Some(track) = msid.split_whitespace().nth(1) {
                tracks.push(track.to_owned());
            }
        } else if let Some(rest) = line.strip_prefix("a=ssrc:") {
            let mut parts = rest.split_whitespace();
            if let Some(ssrc) = parts.next().and_then(|s| s.parse().ok()) {
                ssrcs.push(ssrc);
            }
            if let Some(track) = parts
                .next()
                .and_then(|a| a.strip_prefix("msid:"))
                .and(parts.next())
            {
                tracks.push(track.to_owned());
            }
        }
    }
    finish(&mut mid, &mut tracks, &mut ssrcs);
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_tracks_and_ssrcs_to_mids() {
        let sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=msid:- t0\r\na=ssrc:11 cname:x\r\n\
                   m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\na=ssrc:22 msid:s t1\r\n";
        let map = slot_map(sdp);
        assert_eq!(map.by_track.get("t0").map(String::as_str), Some("0"));
        assert_eq!(map.by_track.get("t1").map(String::as_str), Some("1"));
        assert_eq!(map.by_ssrc.get(&11).map(String::as_str), Some("0"));
        assert_eq!(map.by_ssrc.get(&22).map(String::as_str), Some("1"));
    }

    #[test]
    fn asks_every_audio_section_for_the_packet_time() {
        let sdp = "v=0\r\nm=audio 9 X 111\r\na=mid:0\r\n\
                   m=video 9 X 96\r\na=mid:1\r\n\
                   m=audio 9 X 111\r\na=ptime:20\r\na=mid:2\r\n\
                   m=audio 9 X 111\r\na=mid:3";
        assert_eq!(
            with_packet_time(sdp, 60),
            "v=0\r\nm=audio 9 X 111\r\na=mid:0\r\na=ptime:60\r\n\
             m=video 9 X 96\r\na=mid:1\r\n\
             m=audio 9 X 111\r\na=ptime:20\r\na=mid:2\r\n\
             m=audio 9 X 111\r\na=mid:3\r\na=ptime:60\r\n"
        );
    }
}
