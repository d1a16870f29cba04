//! Auto-join rules: which meetings of a user's calendar get a bot.
//!
//! A user chooses all meetings with a link, or narrows them to those they
//! organize, those with someone from outside their email domain, or those
//! they accepted (the narrowing options combine), with title keywords to
//! include or exclude. An override per event or recurring series
//! (`always` / `never`) beats the rules; it is stored against the provider's
//! ids, so a resync does not lose it. No link or a cancelled event means no
//! bot whatever the rules say.

mod attendees;
mod decision;
mod facts;

pub use attendees::{Attendee, Response};
pub use decision::{decide, Decision, SkipReason};
pub use facts::{EventFacts, FactsError};
pub use mymeet_core::db::repo::scheduling::{OverrideDecision, OverrideScope};

use mymeet_core::db::entities::{auto_join_rules, event_overrides};

/// A user's auto-join rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Off: only `always` overrides get a bot.
    pub enabled: bool,
    /// Only meetings the user organizes.
    pub only_organized: bool,
    /// Only meetings with an attendee outside the user's email domain.
    pub only_external: bool,
    /// Only meetings the user accepted (organizing counts as accepting).
    pub only_accepted: bool,
    /// One of these words must be in the title (empty: any title).
    pub include_keywords: Vec<String>,
    /// None of these words may be in the title.
    pub exclude_keywords: Vec<String>,
}

impl Default for Rules {
    /// Without stored rules: every meeting with a link.
    fn default() -> Self {
        Rules {
            enabled: true,
            only_organized: false,
            only_external: false,
            only_accepted: false,
            include_keywords: Vec::new(),
            exclude_keywords: Vec::new(),
        }
    }
}

impl Rules {
    /// The rules of a stored row (keyword lists that are not string arrays
    /// count as empty).
    pub fn from_model(m: &auto_join_rules::Model) -> Rules {
        let words = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|w| w.as_str())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        Rules {
            enabled: m.enabled,
            only_organized: m.only_organized,
            only_external: m.only_external,
            only_accepted: m.only_accepted,
            include_keywords: words(&m.include_keywords),
            exclude_keywords: words(&m.exclude_keywords),
        }
    }

    /// The row to store for these rules.
    pub fn to_new(&self) -> mymeet_core::db::repo::scheduling::NewRules {
        mymeet_core::db::repo::scheduling::NewRules {
            enabled: self.enabled,
            only_organized: self.only_organized,
            only_external: self.only_external,
            only_accepted: self.only_accepted,
            include_keywords: self.include_keywords.clone(),
            exclude_keywords: self.exclude_keywords.clone(),
        }
    }
}

/// The override that applies to an event: one for the event itself beats
/// one for its series.
pub fn override_for(
    overrides: &[event_overrides::Model],
    connection_id: uuid::Uuid,
    provider_event_id: &str,
    series_id: Option<&str>,
) -> Option<OverrideDecision> {
    let find = |scope: OverrideScope, target: &str| {
        overrides
            .iter()
            .find(|o| {
                o.connection_id == connection_id
                    && o.scope == scope.as_str()
                    && o.target_id == target
            })
            .and_then(|o| OverrideDecision::parse(&o.decision))
    };
    find(OverrideScope::Event, provider_event_id)
        .or_else(|| series_id.and_then(|s| find(OverrideScope::Series, s)))
}
