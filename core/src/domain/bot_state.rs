//! The bot lifecycle of DESIGN.md as a checked state machine.
//!
//! ```text
//! scheduled → launching → joining → waiting_room → recording → leaving → done
//!     │            └──────────┴───────────┴────────────┴──────────┴────→ failed
//!     └→ cancelled            (an active bot may go back to launching after a crash)
//! ```
//!
//! Terminal states carry an [`EndReason`]; a reason that does not fit the
//! state (a `done` because the bot was `denied`) is as illegal as a jump from
//! `scheduled` to `recording`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a bot is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotState {
    /// Waiting for its start time.
    Scheduled,
    /// Its process or Kubernetes Job is starting.
    Launching,
    /// The browser is on the platform's join page.
    Joining,
    /// Asked to be let in; the host has not answered yet.
    WaitingRoom,
    /// In the call, recording.
    Recording,
    /// Leaving the call and finalizing the recording.
    Leaving,
    /// Ended normally; the recording (if any) goes down the pipeline.
    Done,
    /// Ended with an error; whatever was recorded still goes down the pipeline.
    Failed,
    /// Called off before it launched (event cancelled, declined, disconnected).
    Cancelled,
}

impl BotState {
    /// Every state, in lifecycle order.
    pub const ALL: [BotState; 9] = [
        BotState::Scheduled,
        BotState::Launching,
        BotState::Joining,
        BotState::WaitingRoom,
        BotState::Recording,
        BotState::Leaving,
        BotState::Done,
        BotState::Failed,
        BotState::Cancelled,
    ];

    /// The name stored in the database and used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            BotState::Scheduled => "scheduled",
            BotState::Launching => "launching",
            BotState::Joining => "joining",
            BotState::WaitingRoom => "waiting_room",
            BotState::Recording => "recording",
            BotState::Leaving => "leaving",
            BotState::Done => "done",
            BotState::Failed => "failed",
            BotState::Cancelled => "cancelled",
        }
    }

    /// True for `done`, `failed` and `cancelled`: nothing follows them.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            BotState::Done | BotState::Failed | BotState::Cancelled
        )
    }

    /// True while a bot process should be running for this bot.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            BotState::Launching
                | BotState::Joining
                | BotState::WaitingRoom
                | BotState::Recording
                | BotState::Leaving
        )
    }

    /// Checks a transition to `to` with an optional `reason`.
    ///
    /// Terminal states need a reason of their kind; `leaving` may carry the
    /// reason that made the bot leave; other states take none.
    pub fn transition(
        self,
        to: BotState,
        reason: Option<EndReason>,
    ) -> Result<Transition, IllegalTransition> {
        use BotState::*;
        let edge_ok = match (self, to) {
            (Scheduled, Launching | Cancelled | Failed) => true,
            (Launching, Joining | Failed | Cancelled) => true,
            (Joining, WaitingRoom | Recording | Leaving | Failed) => true,
            (WaitingRoom, Recording | Leaving | Failed) => true,
            // A meeting that ends under the bot needs no leave click.
            (Recording, Leaving | Done | Failed) => true,
            (Leaving, Done | Failed) => true,
            // The launcher restarts a crashed bot that is still inside its meeting.
            (Joining | WaitingRoom | Recording | Leaving, Launching) => true,
            _ => false,
        };
        let reason_ok = match (to, reason) {
            (Done, Some(r)) => r.ends_done(),
            (Failed, Some(r)) => !r.ends_done() && r != EndReason::Cancelled,
            (Cancelled, Some(r)) => r == EndReason::Cancelled,
            (Done | Failed | Cancelled, None) => false,
            (Leaving, Some(r)) => r != EndReason::Cancelled,
            (Launching, Some(r)) => r == EndReason::Crashed && self.is_active(),
            (_, Some(_)) => false,
            (_, None) => true,
        };
        if edge_ok && reason_ok {
            Ok(Transition {
                from: self,
                to,
                reason,
            })
        } else {
            Err(IllegalTransition {
                from: self,
                to,
                reason,
            })
        }
    }
}

impl fmt::Display for BotState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that is not one of [`BotState::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown bot state {0:?}")]
pub struct UnknownBotState(pub String);

impl FromStr for BotState {
    type Err = UnknownBotState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BotState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownBotState(s.to_owned()))
    }
}

/// Why a bot left, failed or was called off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The host ended the meeting.
    MeetingEnded,
    /// Everyone else left and the bot waited out its alone timeout.
    AloneTimeout,
    /// The configured maximum duration was reached.
    MaxDuration,
    /// A user asked the bot to stop (SIGTERM, a stop message, the API).
    StoppedByUser,
    /// The host removed the bot from the call.
    Removed,
    /// The host denied the request to join.
    Denied,
    /// Nobody admitted the bot in time.
    WaitingRoomTimeout,
    /// The platform refused automated participants (anti-bot wall, sign-in wall).
    Blocked,
    /// The join page could not be driven (not found, selector missing, ...).
    JoinError,
    /// The bot process died.
    Crashed,
    /// The bot was called off before it launched.
    Cancelled,
}

impl EndReason {
    /// Every reason.
    pub const ALL: [EndReason; 11] = [
        EndReason::MeetingEnded,
        EndReason::AloneTimeout,
        EndReason::MaxDuration,
        EndReason::StoppedByUser,
        EndReason::Removed,
        EndReason::Denied,
        EndReason::WaitingRoomTimeout,
        EndReason::Blocked,
        EndReason::JoinError,
        EndReason::Crashed,
        EndReason::Cancelled,
    ];

    /// The name stored in the database and used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::MeetingEnded => "meeting_ended",
            EndReason::AloneTimeout => "alone_timeout",
            EndReason::MaxDuration => "max_duration",
            EndReason::StoppedByUser => "stopped_by_user",
            EndReason::Removed => "removed",
            EndReason::Denied => "denied",
            EndReason::WaitingRoomTimeout => "waiting_room_timeout",
            EndReason::Blocked => "blocked",
            EndReason::JoinError => "join_error",
            EndReason::Crashed => "crashed",
            EndReason::Cancelled => "cancelled",
        }
    }

    /// True when a bot ending for this reason ends `done` rather than `failed`.
    pub fn ends_done(self) -> bool {
        matches!(
            self,
            EndReason::MeetingEnded
                | EndReason::AloneTimeout
                | EndReason::MaxDuration
                | EndReason::StoppedByUser
                | EndReason::Removed
        )
    }
}

impl fmt::Display for EndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reason name that is not one of [`EndReason::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown end reason {0:?}")]
pub struct UnknownEndReason(pub String);

impl FromStr for EndReason {
    type Err = UnknownEndReason;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EndReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownEndReason(s.to_owned()))
    }
}

/// A checked, legal step of the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The state left.
    pub from: BotState,
    /// The state entered.
    pub to: BotState,
    /// Why, for terminal states and `leaving`.
    pub reason: Option<EndReason>,
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("illegal bot transition {from} → {to}{}", reason.map(|r| format!(" ({r})")).unwrap_or_default())]
pub struct IllegalTransition {
    /// The current state.
    pub from: BotState,
    /// The state asked for.
    pub to: BotState,
    /// The reason given.
    pub reason: Option<EndReason>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use BotState::*;
    use EndReason::*;

    /// Every legal (from, to, reason) triple, written out independently of the match above.
    fn legal() -> Vec<(BotState, BotState, Option<EndReason>)> {
        let done_reasons = [
            MeetingEnded,
            AloneTimeout,
            MaxDuration,
            StoppedByUser,
            Removed,
        ];
        let fail_reasons = [Denied, WaitingRoomTimeout, Blocked, JoinError, Crashed];
        let leave_reasons: Vec<Option<EndReason>> = std::iter::once(None)
            .chain(
                done_reasons
                    .iter()
                    .chain(fail_reasons.iter())
                    .copied()
                    .map(Some),
            )
            .collect();
        let mut v = vec![
            (Scheduled, Launching, None),
            (Scheduled, BotState::Cancelled, Some(EndReason::Cancelled)),
            (Launching, Joining, None),
            (Launching, BotState::Cancelled, Some(EndReason::Cancelled)),
            (Joining, WaitingRoom, None),
            (Joining, Recording, None),
            (WaitingRoom, Recording, None),
        ];
        for from in [Joining, WaitingRoom, Recording] {
            for r in &leave_reasons {
                v.push((from, Leaving, *r));
            }
        }
        for from in [Recording, Leaving] {
            for r in done_reasons {
                v.push((from, Done, Some(r)));
            }
        }
        for from in [
            Scheduled,
            Launching,
            Joining,
            WaitingRoom,
            Recording,
            Leaving,
        ] {
            for r in fail_reasons {
                v.push((from, Failed, Some(r)));
            }
        }
        for from in [Joining, WaitingRoom, Recording, Leaving] {
            v.push((from, Launching, Some(Crashed)));
            v.push((from, Launching, None));
        }
        v
    }

    #[test]
    fn every_legal_transition_is_accepted() {
        for (from, to, reason) in legal() {
            let t = from
                .transition(to, reason)
                .unwrap_or_else(|e| panic!("{e} should be legal"));
            assert_eq!((t.from, t.to, t.reason), (from, to, reason));
        }
    }

    #[test]
    fn everything_else_is_rejected() {
        let legal = legal();
        let reasons: Vec<Option<EndReason>> = std::iter::once(None)
            .chain(EndReason::ALL.into_iter().map(Some))
            .collect();
        let mut rejected = 0;
        for from in BotState::ALL {
            for to in BotState::ALL {
                for reason in &reasons {
                    if legal.contains(&(from, to, *reason)) {
                        continue;
                    }
                    let err = from.transition(to, *reason).unwrap_err();
                    assert_eq!((err.from, err.to, err.reason), (from, to, *reason));
                    rejected += 1;
                }
            }
        }
        // 9 × 9 × 12 combinations minus the legal ones.
        assert_eq!(rejected, 9 * 9 * 12 - legal.len());
    }

    #[test]
    fn terminal_states_have_no_way_out() {
        for from in [Done, Failed, BotState::Cancelled] {
            assert!(from.is_terminal());
            for to in BotState::ALL {
                assert!(from.transition(to, None).is_err());
                assert!(from.transition(to, Some(Crashed)).is_err());
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in BotState::ALL {
            assert_eq!(s.as_str().parse::<BotState>().unwrap(), s);
        }
        for r in EndReason::ALL {
            assert_eq!(r.as_str().parse::<EndReason>().unwrap(), r);
        }
        assert!("recordin".parse::<BotState>().is_err());
    }

    #[test]
    fn illegal_transition_message_names_both_states() {
        let err = Scheduled.transition(Recording, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "illegal bot transition scheduled → recording"
        );
        let err = Recording.transition(Done, Some(Denied)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "illegal bot transition recording → done (denied)"
        );
    }
}
