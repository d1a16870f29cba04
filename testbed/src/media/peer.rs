//! One page's WebRTC connection to the room: the room answers the page's offer with its
//! audio tracks and forwards the pump's frames to them.

use crate::audio::FRAME;
use crate::error::Result;
use crate::media::pump::FrameSet;
use rtc::media::Sample;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::MIME_TYPE_OPUS;
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::peer_connection::{
    register_default_interceptors, MediaEngine, PeerConnection, PeerConnectionBuilder,
    PeerConnectionEventHandler, RTCConfigurationBuilder, RTCIceGatheringState, Registry,
    SettingEngineBuilder,
};
use webrtc::runtime::TokioRuntime;

/// Which of a frame set's streams a page receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// One track per Meet slot.
    Slots(usize),
    /// One mixed track.
    Mixed,
}

/// A connected page: its peer connection and the task feeding it.
pub struct PagePeer {
    /// The room's side of the connection.
    pub connection: Arc<dyn PeerConnection>,
    forwarder: JoinHandle<()>,
}

impl PagePeer {
    /// Stops the audio and closes the connection.
    pub async fn close(self) {
        self.forwarder.abort();
        if let Err(err) = self.connection.close().await {
            tracing::debug!(%err, "closing a page's peer connection");
        }
    }
}

struct GatherHandler {
    gathered: mpsc::Sender<()>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for GatherHandler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            let _ = self.gathered.try_send(());
        }
    }
}

fn opus() -> RTCRtpCodecParameters {
    RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: MIME_TYPE_OPUS.to_owned(),
            clock_rate: 48_000,
            channels: 2,
            sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
            rtcp_feedback: vec![],
        },
        payload_type: 111,
    }
}

/// Answers a page's complete (non-trickle) offer; returns the peer and the answer SDP.
pub async fn answer(
    offer_sdp: String,
    feed: Feed,
    frames: broadcast::Receiver<Arc<FrameSet>>,
) -> Result<(PagePeer, String)> {
    let codec = opus();
    let mut media_engine = MediaEngine::default();
    media_engine.register_codec(codec.clone(), RtpCodecKind::Audio)?;
    let registry = register_default_interceptors(Registry::new(), &mut media_engine)?;
    // The default mDNS mode fails where multicast cannot be joined; Chromium reaches our
    // 127.0.0.1 candidate as peer-reflexive anyway.
    let setting_engine = SettingEngineBuilder::new()
        .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
        .build();
    let (gathered_tx, mut gathered_rx) = mpsc::channel(1);
    let connection: Arc<dyn PeerConnection> = Arc::new(
        PeerConnectionBuilder::new()
            .with_configuration(RTCConfigurationBuilder::new().build())
            .with_setting_engine(setting_engine)
            .with_media_engine(media_engine)
            .with_interceptor_registry(registry)
            .with_handler(Arc::new(GatherHandler {
                gathered: gathered_tx,
            }))
            .with_runtime(Arc::new(TokioRuntime))
            .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
            .build()
            .await?,
    );

    let count = match feed {
        Feed::Slots(n) => n,
        Feed::Mixed => 1,
    };
    let mut tracks = Vec::with_capacity(count);
    for i in 0..count {
        let ssrc = rand::random::<u32>();
        let track = Arc::new(TrackLocalStaticSample::new(
            Instant::now(),
            MediaStreamTrack::new(
                format!("room-stream-{i}"),
                format!("room-audio-{i}"),
                format!("audio {i}"),
                RtpCodecKind::Audio,
                vec![RTCRtpEncodingParameters {
                    rtp_coding_parameters: RTCRtpCodingParameters {
                        ssrc: Some(ssrc),
                        ..Default::default()
                    },
                    codec: codec.rtp_codec.clone(),
                    ..Default::default()
                }],
            ),
        )?);
        connection
            .add_track(Arc::clone(&track) as Arc<dyn TrackLocal>)
            .await?;
        tracks.push((track, ssrc));
    }

    connection
        .set_remote_description(RTCSessionDescription::offer(offer_sdp)?)
        .await?;
    let answer = connection.create_answer(None).await?;
    connection.set_local_description(answer).await?;
    // Loopback gathering takes milliseconds; the timeout only guards a stuck agent.
    let _ = tokio::time::timeout(Duration::from_secs(5), gathered_rx.recv()).await;
    let answer_sdp = connection
        .local_description()
        .await
        .map(|d| d.sdp)
        .unwrap_or_default();

    let forwarder = tokio::spawn(forward(frames, tracks, feed, codec.payload_type));
    Ok((
        PagePeer {
            connection,
            forwarder,
        },
        answer_sdp,
    ))
}

async fn forward(
    mut frames: broadcast::Receiver<Arc<FrameSet>>,
    tracks: Vec<(Arc<TrackLocalStaticSample>, u32)>,
    feed: Feed,
    payload_type: u8,
) {
    let mut last: Option<u64> = None;
    loop {
        let frame = match frames.recv().await {
            Ok(frame) => frame,
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        // Missed frames still advance the RTP timestamp, so the receiver's timeline stays true.
        let dropped = match last {
            Some(prev) if frame.index > prev + 1 => {
                (frame.index - prev - 1).min(u64::from(u16::MAX)) as u16
            }
            _ => 0,
        };
        last = Some(frame.index);
        for (i, (track, ssrc)) in tracks.iter().enumerate() {
            let data = match feed {
                Feed::Slots(_) => frame.slots.get(i).cloned().unwrap_or_default(),
                Feed::Mixed => frame.mixed.clone(),
            };
            let sample = Sample {
                data,
                duration: FRAME,
                prev_dropped_packets: dropped,
                ..Sample::new(Instant::now())
            };
            // Writes fail until DTLS is up; the packetizer still advances, which is what we want.
            let _ = track
                .sample_writer(*ssrc, payload_type)
                .write_sample(&sample)
                .await;
        }
    }
}
