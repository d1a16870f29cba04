//! Starting and stopping a testbed: render the audio, open the room, serve the ports.

use crate::audio::Program;
use crate::config::TestbedConfig;
use crate::error::{Result, TestbedError};
use crate::http;
use crate::room::{GuestFilter, Room, ScheduleView, StateView};
use mymeet_core::domain::Platform;
use rand::Rng;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The meeting's identifiers in each platform's URL scheme.
#[derive(Debug, Clone)]
pub struct MeetingIds {
    /// Meet code, `abc-defg-hij`.
    pub meet_code: String,
    /// Teams thread id, `19:meeting_<id>@thread.v2`.
    pub teams_thread: String,
    /// Zoom meeting number (10 digits).
    pub zoom_id: String,
    /// Zoom passcode from the invite link.
    pub zoom_pwd: String,
}

impl MeetingIds {
    fn random() -> Self {
        let mut rng = rand::thread_rng();
        let mut letters =
            |n: usize| -> String { (0..n).map(|_| rng.gen_range(b'a'..=b'z') as char).collect() };
        let meet_code = format!("{}-{}-{}", letters(3), letters(4), letters(3));
        let thread_key = letters(24);
        let zoom_pwd = letters(12);
        let zoom_id = format!(
            "{}",
            rand::thread_rng().gen_range(1_000_000_000u64..9_999_999_999)
        );
        Self {
            meet_code,
            teams_thread: format!("19:meeting_{thread_key}@thread.v2"),
            zoom_id,
            zoom_pwd,
        }
    }
}

/// The entry point: `Testbed::start(config)`.
pub struct Testbed;

impl Testbed {
    /// Renders the participants' audio with ffmpeg, then serves the three styles and the
    /// control API until the returned handle is shut down or dropped.
    pub async fn start(config: TestbedConfig) -> Result<RunningTestbed> {
        if config.participants.is_empty() {
            return Err(TestbedError::NoParticipants);
        }
        let work_dir = tempfile::tempdir()?;
        let program = {
            let participants = config.participants.clone();
            let (lead_in, gap) = (config.lead_in, config.gap);
            let dir = work_dir.path().to_owned();
            tokio::task::spawn_blocking(move || Program::render(&participants, lead_in, gap, &dir))
                .await
                .map_err(|e| TestbedError::Io(std::io::Error::other(e)))??
        };
        let room = Room::new(&config, program);
        let ids = Arc::new(MeetingIds::random());
        let (stop_tx, stop_rx) = watch::channel(false);

        let port = |offset: u16| -> SocketAddr {
            let mut addr = config.listen;
            if addr.port() != 0 {
                addr.set_port(addr.port() + offset);
            }
            addr
        };
        let mut servers = Vec::new();
        let mut addrs = Vec::new();
        for (offset, style) in Platform::ALL.into_iter().enumerate() {
            let router = http::style::router(style, Arc::clone(&room), Arc::clone(&ids));
            let (addr, task) = serve(port(offset as u16), router, stop_rx.clone()).await?;
            addrs.push(addr);
            servers.push(task);
        }
        let (control_addr, task) =
            serve(port(3), http::control::router(Arc::clone(&room)), stop_rx).await?;
        servers.push(task);

        Ok(RunningTestbed {
            room,
            ids,
            meet: addrs[0],
            teams: addrs[1],
            zoom: addrs[2],
            control: control_addr,
            stop: stop_tx,
            servers,
            _work_dir: work_dir,
        })
    }
}

async fn serve(
    addr: SocketAddr,
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop.wait_for(|s| *s).await;
        };
        if let Err(err) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(%err, %local, "testbed server stopped");
        }
    });
    Ok((local, task))
}

/// A running testbed: its URLs, host controls and shutdown.
pub struct RunningTestbed {
    room: Arc<Room>,
    ids: Arc<MeetingIds>,
    meet: SocketAddr,
    teams: SocketAddr,
    zoom: SocketAddr,
    control: SocketAddr,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
    _work_dir: tempfile::TempDir,
}

impl RunningTestbed {
    /// The address serving one platform style.
    pub fn addr(&self, platform: Platform) -> SocketAddr {
        match platform {
            Platform::Meet => self.meet,
            Platform::Teams => self.teams,
            Platform::Zoom => self.zoom,
        }
    }

    /// The meeting's identifiers.
    pub fn meeting_ids(&self) -> &MeetingIds {
        &self.ids
    }

    /// The join link a host would send for one platform style.
    pub fn join_url(&self, platform: Platform) -> String {
        let base = format!("http://{}", self.addr(platform));
        match platform {
            Platform::Meet => format!("{base}/{}", self.ids.meet_code),
            Platform::Teams => {
                let thread = self
                    .ids
                    .teams_thread
                    .replace(':', "%3a")
                    .replace('@', "%40");
                let context = "%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%22a5a2b9c4-1f0e-4b7a-9d5e-0c3f2e1d4b6a%22%7d";
                format!("{base}/l/meetup-join/{thread}/0?context={context}")
            }
            Platform::Zoom => format!("{base}/j/{}?pwd={}", self.ids.zoom_id, self.ids.zoom_pwd),
        }
    }

    /// Zoom's web client address for this meeting (where `/j/` leads).
    pub fn zoom_web_client_url(&self) -> String {
        format!(
            "http://{}/wc/{}/join?pwd={}",
            self.zoom, self.ids.zoom_id, self.ids.zoom_pwd
        )
    }

    /// The control API's base URL.
    pub fn control_url(&self) -> String {
        format!("http://{}", self.control)
    }

    /// Admits matching lobby guests (`POST /admit`).
    pub fn admit(&self, filter: &GuestFilter) -> Vec<u64> {
        self.room.admit(filter)
    }

    /// Denies matching lobby guests (`POST /deny`).
    pub fn deny(&self, filter: &GuestFilter) -> Vec<u64> {
        self.room.deny(filter)
    }

    /// Removes matching guests from the call (`POST /remove`).
    pub fn remove(&self, filter: &GuestFilter) -> Vec<u64> {
        self.room.remove(filter)
    }

    /// Ends the meeting for everyone (`POST /end`).
    pub fn end_meeting(&self) -> Vec<u64> {
        self.room.end_meeting()
    }

    /// Every participant leaves (`POST /leave-all`).
    pub fn everyone_leaves(&self) {
        self.room.participants_leave()
    }

    /// The host starts (true) or has not started (false) a style's meeting (`POST /start`).
    pub fn set_host_started(&self, platform: Platform, started: bool) {
        self.room.set_host_started(platform, started)
    }

    /// Shows or hides a style's anti-bot wall / blocked page (`POST /blocked`).
    pub fn set_blocked(&self, platform: Platform, blocked: bool) {
        self.room.set_blocked(platform, blocked)
    }

    /// `GET /state`.
    pub fn state(&self) -> StateView {
        self.room.state_view()
    }

    /// `GET /schedule`.
    pub fn schedule(&self) -> ScheduleView {
        self.room.schedule_view()
    }

    /// The lines `mymeet testbed` prints: one join URL per style, then the control URL.
    pub fn url_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = Platform::ALL
            .into_iter()
            .map(|p| format!("{p}: {}", self.join_url(p)))
            .collect();
        lines.push(format!("control: {}", self.control_url()));
        lines
    }

    /// Stops the servers, the audio and every peer connection.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        self.room.shutdown().await;
        for s in self.servers {
            // Pages poll with short requests; graceful shutdown finishes quickly.
            if tokio::time::timeout(std::time::Duration::from_secs(2), s)
                .await
                .is_err()
            {
                tracing::debug!("a testbed server did not stop in time");
            }
        }
    }
}
