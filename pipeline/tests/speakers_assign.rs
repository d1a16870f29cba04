//! Speaker labels from the bot's speaker timeline.

use mymeet_pipeline::speakers::{assign_by_timeline, dominant_speaker, SpeakerTurn, Timed};

#[derive(Debug)]
struct Segment {
    start: f64,
    end: f64,
    speaker: Option<String>,
}

impl Timed for Segment {
    fn span(&self) -> (f64, f64) {
        (self.start, self.end)
    }
    fn set_speaker(&mut self, speaker: String) {
        self.speaker = Some(speaker);
    }
}

fn seg(start: f64, end: f64) -> Segment {
    Segment {
        start,
        end,
        speaker: None,
    }
}

fn turn(speaker: &str, start: f64, end: f64) -> SpeakerTurn {
    SpeakerTurn {
        speaker: speaker.to_owned(),
        start,
        end,
    }
}

fn labels(segments: &[Segment]) -> Vec<Option<&str>> {
    segments.iter().map(|s| s.speaker.as_deref()).collect()
}

#[test]
fn each_segment_gets_the_speaker_with_the_largest_overlap() {
    let timeline = [
        turn("Ann", 0.0, 4.0),
        turn("Bob", 3.5, 9.0),
        turn("Ann", 9.0, 12.0),
    ];
    let mut segments = [seg(0.5, 3.8), seg(3.0, 8.0), seg(8.5, 11.0), seg(1.0, 2.0)];
    assign_by_timeline(&mut segments, &timeline);
    assert_eq!(
        labels(&segments),
        [Some("Ann"), Some("Bob"), Some("Ann"), Some("Ann")]
    );
}

#[test]
fn overlap_is_summed_over_a_speakers_turns() {
    // Bob's two short turns (0.8 s + 0.8 s) outweigh Ann's single 1.2 s turn.
    let timeline = [
        turn("Bob", 0.0, 0.8),
        turn("Ann", 0.8, 2.0),
        turn("Bob", 2.0, 2.8),
    ];
    let mut segments = [seg(0.0, 3.0)];
    assign_by_timeline(&mut segments, &timeline);
    assert_eq!(labels(&segments), [Some("Bob")]);
}

#[test]
fn a_tie_goes_to_the_speaker_who_started_first_whatever_the_timeline_order() {
    let forward = [turn("Ann", 0.0, 1.0), turn("Bob", 1.0, 2.0)];
    let backward = [turn("Bob", 1.0, 2.0), turn("Ann", 0.0, 1.0)];
    assert_eq!(dominant_speaker((0.5, 1.5), &forward), Some("Ann"));
    assert_eq!(dominant_speaker((0.5, 1.5), &backward), Some("Ann"));
}

#[test]
fn no_overlap_leaves_the_segment_unlabelled() {
    let timeline = [turn("Ann", 0.0, 1.0), turn("Bob", 5.0, 6.0)];
    // Touching a turn's edge is no overlap either.
    let mut segments = [seg(2.0, 4.0), seg(1.0, 5.0), seg(5.5, 7.0)];
    assign_by_timeline(&mut segments, &timeline);
    assert_eq!(labels(&segments), [None, None, Some("Bob")]);
}

#[test]
fn an_empty_timeline_labels_nothing() {
    let mut segments = [seg(0.0, 1.0)];
    assign_by_timeline(&mut segments, &[]);
    assert_eq!(labels(&segments), [None]);
}
