//! Several tracks of one recording, mixed into the one signal Whisper hears.

/// Sums tracks that share a timeline (sample 0 of each is the same moment),
/// clamped to [-1, 1]; the result is as long as the longest track.
///
/// A sum rather than an average: in a meeting one person speaks at a time,
/// so the mix keeps each voice at its own level instead of dividing it by
/// the number of tracks, which would push quiet speakers under the VAD's
/// threshold.
pub fn mix_tracks(tracks: &[Vec<f32>]) -> Vec<f32> {
    let placed: Vec<(usize, &[f32])> = tracks.iter().map(|t| (0, t.as_slice())).collect();
    mix_tracks_at(&placed)
}

/// Like [`mix_tracks`], but each track starts at its own sample of the mix
/// (`(start, samples)`): a track recorded by a bot relaunched 95 s into the
/// call starts at 95 s, with silence before it. The result ends where the
/// last track ends.
pub fn mix_tracks_at(tracks: &[(usize, &[f32])]) -> Vec<f32> {
    let len = tracks
        .iter()
        .map(|(start, t)| start + t.len())
        .max()
        .unwrap_or(0);
    let mut mixed = vec![0f32; len];
    for (start, track) in tracks {
        for (acc, &s) in mixed[*start..].iter_mut().zip(*track) {
            *acc += s;
        }
    }
    mixed.iter_mut().for_each(|s| *s = s.clamp(-1.0, 1.0));
    mixed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_are_summed_on_one_timeline_and_clamped() {
        let mixed = mix_tracks(&[vec![0.25, 0.5, 0.75], vec![0.25, 0.75]]);
        assert_eq!(mixed, vec![0.5, 1.0, 0.75]);
        assert!(mix_tracks(&[]).is_empty());
    }

    #[test]
    fn a_track_placed_later_starts_there_after_silence() {
        let mixed = mix_tracks_at(&[(0, &[0.25, 0.5][..]), (3, &[0.5, 0.75][..])]);
        assert_eq!(mixed, vec![0.25, 0.5, 0.0, 0.5, 0.75]);
        let overlapping = mix_tracks_at(&[(1, &[0.5, 0.5][..]), (0, &[0.25, 0.25, 0.75][..])]);
        assert_eq!(overlapping, vec![0.25, 0.75, 1.0]);
    }
}
