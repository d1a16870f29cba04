//! The decision for one event: join, or skip and why (so a user can be told
//! why a bot did or did not come).

use super::attendees::Response;
use super::facts::EventFacts;
use super::{OverrideDecision, Rules};

/// Why an event gets no bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// No Zoom, Meet or Teams link was found.
    NoLink,
    /// The event (or this instance) is cancelled.
    Cancelled,
    /// The user declined it.
    Declined,
    /// The user said `never` for it or its series.
    OverriddenNever,
    /// The user turned auto-join off.
    Disabled,
    /// Rule "only meetings I organize".
    NotOrganizer,
    /// Rule "only meetings with people outside my domain".
    NoExternalAttendees,
    /// Rule "only meetings I accepted".
    NotAccepted,
    /// No include keyword is in the title.
    MissingKeyword,
    /// An exclude keyword is in the title.
    ExcludedKeyword,
}

/// Join or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send a bot.
    Join,
    /// Do not.
    Skip(SkipReason),
}

/// Decides one event. `always` beats every rule and a decline, but not a
/// missing link or a cancellation; `never` beats everything.
pub fn decide(rules: &Rules, facts: &EventFacts, over: Option<OverrideDecision>) -> Decision {
    use SkipReason::*;
    if facts.link.is_none() {
        return Decision::Skip(NoLink);
    }
    if facts.cancelled {
        return Decision::Skip(Cancelled);
    }
    match over {
        Some(OverrideDecision::Never) => return Decision::Skip(OverriddenNever),
        Some(OverrideDecision::Always) => return Decision::Join,
        None => {}
    }
    if facts.response == Response::Declined {
        return Decision::Skip(Declined);
    }
    if !rules.enabled {
        return Decision::Skip(Disabled);
    }
    if rules.only_organized && !facts.organized_by_user {
        return Decision::Skip(NotOrganizer);
    }
    if rules.only_external && !facts.has_external {
        return Decision::Skip(NoExternalAttendees);
    }
    if rules.only_accepted && !matches!(facts.response, Response::Accepted | Response::Organizer) {
        return Decision::Skip(NotAccepted);
    }
    let title = facts.title.to_lowercase();
    let has = |w: &String| {
        let w = w.trim().to_lowercase();
        !w.is_empty() && title.contains(&w)
    };
    if rules.exclude_keywords.iter().any(has) {
        return Decision::Skip(ExcludedKeyword);
    }
    if !rules.include_keywords.is_empty() && !rules.include_keywords.iter().any(has) {
        return Decision::Skip(MissingKeyword);
    }
    Decision::Join
}
