//! Who speaks when: turns as offsets from the moment the schedule clock starts.

use std::time::Duration;

/// One participant's turn, relative to the schedule clock's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Index of the participant in the configured order.
    pub index: usize,
    /// The participant's display name.
    pub participant: String,
    /// When the participant starts speaking.
    pub start: Duration,
    /// When the participant stops speaking.
    pub end: Duration,
}

/// The default schedule: everyone in turn, in the given order, with gaps between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The turns in order.
    pub turns: Vec<Turn>,
    /// Where the rendered program ends (last turn plus one gap of silence).
    pub program_end: Duration,
}

impl Schedule {
    /// Lays out `speech` (name, duration) after `lead_in`, separated by `gap`.
    pub fn in_turn(speech: &[(String, Duration)], lead_in: Duration, gap: Duration) -> Self {
        let mut at = lead_in;
        let mut turns = Vec::with_capacity(speech.len());
        for (index, (name, length)) in speech.iter().enumerate() {
            if index > 0 {
                at += gap;
            }
            turns.push(Turn {
                index,
                participant: name.clone(),
                start: at,
                end: at + *length,
            });
            at += *length;
        }
        Self {
            turns,
            program_end: at + gap,
        }
    }

    /// The participant speaking at `offset` after the clock started, if any.
    pub fn speaker_at(&self, offset: Duration) -> Option<&Turn> {
        self.turns
            .iter()
            .find(|t| t.start <= offset && offset < t.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_follow_each_other_with_gaps() {
        let s = Schedule::in_turn(
            &[
                ("A".into(), Duration::from_millis(1500)),
                ("B".into(), Duration::from_millis(700)),
            ],
            Duration::from_secs(2),
            Duration::from_secs(1),
        );
        assert_eq!(s.turns[0].start, Duration::from_secs(2));
        assert_eq!(s.turns[0].end, Duration::from_millis(3500));
        assert_eq!(s.turns[1].start, Duration::from_millis(4500));
        assert_eq!(s.turns[1].end, Duration::from_millis(5200));
        assert_eq!(s.program_end, Duration::from_millis(6200));
        assert_eq!(
            s.speaker_at(Duration::from_secs(3)).unwrap().participant,
            "A"
        );
        assert!(s.speaker_at(Duration::from_secs(4)).is_none());
        assert_eq!(s.speaker_at(Duration::from_secs(5)).unwrap().index, 1);
    }
}
