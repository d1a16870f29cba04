//! The meeting itself: lobby, admissions, roster, host flags and the schedule clock.

mod guest;
mod views;

pub use guest::{Guest, GuestStatus};
pub use views::{GuestView, RosterEntry, ScheduleView, StateView, TurnView};

use crate::audio::Program;
use crate::clock::{now_ms, unix_ms};
use crate::config::{StyleFlags, TestbedConfig};
use crate::error::Result;
use crate::media::peer::{self, Feed, PagePeer};
use crate::media::pump::{self, FrameSet};
use mymeet_core::domain::Platform;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// Which guests a host action applies to; empty fields match everyone.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct GuestFilter {
    /// Only the guest with this id.
    pub id: Option<u64>,
    /// Only guests with this display name.
    pub name: Option<String>,
    /// Only guests of this style.
    pub style: Option<Platform>,
}

impl GuestFilter {
    fn matches(&self, g: &Guest) -> bool {
        self.id.is_none_or(|id| id == g.id)
            && self.name.as_ref().is_none_or(|n| *n == g.name)
            && self.style.is_none_or(|s| s == g.style)
    }
}

#[derive(Default)]
struct State {
    guests: Vec<Guest>,
    peers: HashMap<u64, PagePeer>,
    flags: HashMap<Platform, StyleFlags>,
    clock_start: Option<SystemTime>,
    ended_at: Option<SystemTime>,
    participants_left_at: Option<SystemTime>,
    pump: Option<JoinHandle<()>>,
    timers: Vec<JoinHandle<()>>,
}

/// The shared meeting all three styles join.
pub struct Room {
    state: Mutex<State>,
    program: Arc<Program>,
    frames: broadcast::Sender<Arc<FrameSet>>,
    auto_admit: Option<Duration>,
    end_after: Option<Duration>,
    lead_in: Duration,
    gap: Duration,
    participant_names: Vec<String>,
}

impl Room {
    /// A room playing `program`, with the host behaviour of `config`.
    pub fn new(config: &TestbedConfig, program: Program) -> Arc<Self> {
        let flags = HashMap::from([
            (Platform::Meet, config.meet),
            (Platform::Teams, config.teams),
            (Platform::Zoom, config.zoom),
        ]);
        let (frames, _) = broadcast::channel(64);
        Arc::new(Self {
            state: Mutex::new(State {
                flags,
                ..State::default()
            }),
            program: Arc::new(program),
            frames,
            auto_admit: config.auto_admit,
            end_after: config.end_after,
            lead_in: config.lead_in,
            gap: config.gap,
            participant_names: config.participants.iter().map(|p| p.name.clone()).collect(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The host flags of a style.
    pub fn flags(&self, style: Platform) -> StyleFlags {
        self.lock().flags.get(&style).copied().unwrap_or_default()
    }

    /// Sets the anti-bot wall / blocked page of a style.
    pub fn set_blocked(&self, style: Platform, blocked: bool) {
        self.lock().flags.entry(style).or_default().blocked = blocked;
    }

    /// The host starts (or un-starts) the meeting of a style.
    pub fn set_host_started(&self, style: Platform, started: bool) {
        self.lock().flags.entry(style).or_default().host_started = started;
    }

    /// Whether the host ended the meeting.
    pub fn ended(&self) -> bool {
        self.lock().ended_at.is_some()
    }

    /// A guest asks to join; it waits in the lobby (auto-admitted later if configured).
    pub fn join(self: &Arc<Self>, style: Platform, name: &str) -> Guest {
        let guest = {
            let mut st = self.lock();
            let ended = st.ended_at.is_some();
            let guest = Guest {
                id: st.guests.len() as u64 + 1,
                name: name.to_owned(),
                style,
                status: if ended {
                    GuestStatus::Ended
                } else {
                    GuestStatus::Lobby
                },
                lobby_at_ms: now_ms(),
                admitted_at_ms: None,
                gone_at_ms: ended.then(now_ms),
                media_connected: false,
            };
            st.guests.push(guest.clone());
            guest
        };
        tracing::info!(id = guest.id, name, %style, "guest in the lobby");
        if let Some(delay) = self.auto_admit {
            let room = Arc::clone(self);
            let id = guest.id;
            let timer = tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                room.admit(&GuestFilter {
                    id: Some(id),
                    ..GuestFilter::default()
                });
            });
            self.lock().timers.push(timer);
        }
        guest
    }

    /// Admits matching lobby guests; the first admission starts the schedule clock.
    pub fn admit(self: &Arc<Self>, filter: &GuestFilter) -> Vec<u64> {
        let mut st = self.lock();
        let ids = set_status(
            &mut st,
            filter,
            &[GuestStatus::Lobby],
            GuestStatus::Admitted,
        );
        if !ids.is_empty() && st.clock_start.is_none() {
            st.clock_start = Some(SystemTime::now());
            st.pump = Some(pump::start(Arc::clone(&self.program), self.frames.clone()));
            tracing::info!("schedule clock started");
            if let Some(after) = self.end_after {
                let room = Arc::clone(self);
                st.timers.push(tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    room.end_meeting();
                }));
            }
        }
        ids
    }

    /// Denies matching lobby guests.
    pub fn deny(&self, filter: &GuestFilter) -> Vec<u64> {
        let mut st = self.lock();
        set_status(&mut st, filter, &[GuestStatus::Lobby], GuestStatus::Denied)
    }

    /// Removes matching guests from the call.
    pub fn remove(&self, filter: &GuestFilter) -> Vec<u64> {
        let peers = {
            let mut st = self.lock();
            let ids = set_status(
                &mut st,
                filter,
                &[GuestStatus::Admitted],
                GuestStatus::Removed,
            );
            take_peers(&mut st, &ids)
        };
        close_all(peers.1);
        peers.0
    }

    /// The host ends the meeting for everyone: guests see the ended screen, audio stops.
    pub fn end_meeting(&self) -> Vec<u64> {
        let (ids, peers) = {
            let mut st = self.lock();
            if st.ended_at.is_none() {
                st.ended_at = Some(SystemTime::now());
            }
            if let Some(pump) = st.pump.take() {
                pump.abort();
            }
            let ids = set_status(
                &mut st,
                &GuestFilter::default(),
                &[GuestStatus::Lobby, GuestStatus::Admitted],
                GuestStatus::Ended,
            );
            let all: Vec<u64> = st.peers.keys().copied().collect();
            let (_, peers) = take_peers(&mut st, &all);
            (ids, peers)
        };
        tracing::info!("meeting ended by the host");
        close_all(peers);
        ids
    }

    /// Every participant leaves: their audio stops and the roster holds only guests.
    pub fn participants_leave(&self) {
        let mut st = self.lock();
        if st.participants_left_at.is_none() {
            st.participants_left_at = Some(SystemTime::now());
        }
        if let Some(pump) = st.pump.take() {
            pump.abort();
        }
        tracing::info!("all participants left");
    }

    /// A guest leaves on its own (its Leave button).
    pub fn guest_leaves(&self, id: u64) {
        let peers = {
            let mut st = self.lock();
            let filter = GuestFilter {
                id: Some(id),
                ..GuestFilter::default()
            };
            set_status(
                &mut st,
                &filter,
                &[GuestStatus::Lobby, GuestStatus::Admitted],
                GuestStatus::Left,
            );
            take_peers(&mut st, &[id]).1
        };
        close_all(peers);
    }

    /// Answers the WebRTC offer of an admitted guest's page.
    pub async fn connect_media(&self, id: u64, offer_sdp: String) -> Result<Option<String>> {
        let style = {
            let st = self.lock();
            match st.guests.iter().find(|g| g.id == id) {
                Some(g) if g.status == GuestStatus::Admitted => g.style,
                _ => return Ok(None),
            }
        };
        let feed = match style {
            Platform::Meet => Feed::Slots(self.program.slots.len()),
            Platform::Teams | Platform::Zoom => Feed::Mixed,
        };
        let (peer, answer) = peer::answer(offer_sdp, feed, self.frames.subscribe()).await?;
        let old = {
            let mut st = self.lock();
            let admitted = st
                .guests
                .iter_mut()
                .find(|g| g.id == id && g.status == GuestStatus::Admitted);
            match admitted {
                Some(g) => {
                    g.media_connected = true;
                    st.peers.insert(id, peer)
                }
                // Removed or ended while we negotiated.
                None => Some(peer),
            }
        };
        close_all(old.into_iter().collect());
        Ok(Some(answer))
    }

    /// How many audio tracks a page of `style` receives.
    pub fn audio_streams(&self, style: Platform) -> usize {
        match style {
            Platform::Meet => self.program.slots.len(),
            Platform::Teams | Platform::Zoom => 1,
        }
    }

    /// The participant speaking now, if any.
    pub fn active_speaker(&self) -> Option<String> {
        let st = self.lock();
        active_speaker(&st, &self.program)
    }

    /// What a guest's page shows.
    pub fn guest_view(&self, id: u64) -> Option<GuestView> {
        let st = self.lock();
        let guest = st.guests.iter().find(|g| g.id == id)?.clone();
        let speaker = active_speaker(&st, &self.program);
        let mut roster: Vec<RosterEntry> = Vec::new();
        if guest.status == GuestStatus::Admitted {
            if st.participants_left_at.is_none() {
                roster.extend(self.participant_names.iter().map(|n| RosterEntry {
                    name: n.clone(),
                    speaking: speaker.as_deref() == Some(n.as_str()),
                    is_self: false,
                }));
            }
            roster.extend(
                st.guests
                    .iter()
                    .filter(|g| g.status == GuestStatus::Admitted)
                    .map(|g| RosterEntry {
                        name: g.name.clone(),
                        speaking: false,
                        is_self: g.id == id,
                    }),
            );
        }
        Some(GuestView {
            id,
            name: guest.name,
            status: guest.status,
            audio_streams: self.audio_streams(guest.style),
            active_speaker: speaker,
            roster,
        })
    }

    /// The whole state, for the control API.
    pub fn state_view(&self) -> StateView {
        let st = self.lock();
        let speaker = active_speaker(&st, &self.program);
        StateView {
            clock_started_at_ms: st.clock_start.map(unix_ms),
            ended_at_ms: st.ended_at.map(unix_ms),
            participants_left_at_ms: st.participants_left_at.map(unix_ms),
            roster: if st.participants_left_at.is_none() {
                self.participant_names.clone()
            } else {
                Vec::new()
            },
            active_speaker: speaker,
            lobby: st
                .guests
                .iter()
                .filter(|g| g.status == GuestStatus::Lobby)
                .cloned()
                .collect(),
            admitted: st
                .guests
                .iter()
                .filter(|g| g.status == GuestStatus::Admitted)
                .cloned()
                .collect(),
            guests: st.guests.clone(),
            styles: st
                .flags
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), *v))
                .collect(),
        }
    }

    /// The schedule: offsets always, absolute times once the clock started.
    pub fn schedule_view(&self) -> ScheduleView {
        let st = self.lock();
        let start_ms = st.clock_start.map(unix_ms);
        ScheduleView {
            clock_started_at_ms: start_ms,
            lead_in_ms: self.lead_in.as_millis() as u64,
            gap_ms: self.gap.as_millis() as u64,
            program_end_offset_ms: self.program.schedule.program_end.as_millis() as u64,
            participants_left_at_ms: st.participants_left_at.map(unix_ms),
            ended_at_ms: st.ended_at.map(unix_ms),
            turns: self
                .program
                .schedule
                .turns
                .iter()
                .map(|t| {
                    let s = t.start.as_millis() as u64;
                    let e = t.end.as_millis() as u64;
                    TurnView {
                        participant: t.participant.clone(),
                        index: t.index,
                        start_offset_ms: s,
                        end_offset_ms: e,
                        start_ms: start_ms.map(|c| c + s),
                        end_ms: start_ms.map(|c| c + e),
                    }
                })
                .collect(),
        }
    }

    /// Stops every timer, the pump and all peer connections.
    pub async fn shutdown(&self) {
        let peers = {
            let mut st = self.lock();
            for t in st.timers.drain(..) {
                t.abort();
            }
            if let Some(p) = st.pump.take() {
                p.abort();
            }
            st.peers.drain().map(|(_, p)| p).collect::<Vec<_>>()
        };
        for p in peers {
            p.close().await;
        }
    }
}

fn active_speaker(st: &State, program: &Program) -> Option<String> {
    let start = st.clock_start?;
    let now = SystemTime::now();
    let cut = [st.ended_at, st.participants_left_at]
        .into_iter()
        .flatten()
        .min();
    if cut.is_some_and(|c| c <= now) {
        return None;
    }
    let offset = now.duration_since(start).ok()?;
    program
        .schedule
        .speaker_at(offset)
        .map(|t| t.participant.clone())
}

fn set_status(
    st: &mut State,
    filter: &GuestFilter,
    from: &[GuestStatus],
    to: GuestStatus,
) -> Vec<u64> {
    let now = now_ms();
    let mut ids = Vec::new();
    for g in st.guests.iter_mut() {
        if from.contains(&g.status) && filter.matches(g) {
            g.status = to;
            if to == GuestStatus::Admitted {
                g.admitted_at_ms = Some(now);
            } else {
                g.gone_at_ms = Some(now);
            }
            tracing::info!(id = g.id, name = %g.name, status = ?to, "guest status");
            ids.push(g.id);
        }
    }
    ids
}

fn take_peers(st: &mut State, ids: &[u64]) -> (Vec<u64>, Vec<PagePeer>) {
    let peers = ids.iter().filter_map(|id| st.peers.remove(id)).collect();
    (ids.to_vec(), peers)
}

fn close_all(peers: Vec<PagePeer>) {
    for p in peers {
        tokio::spawn(p.close());
    }
}
