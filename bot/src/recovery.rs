//! Crash recovery: a bot that was killed (SIGKILL, OOM, a lost node) leaves
//! its flushed `tracks/*.ogg` but no `recording.ogg`; [`finalize_recording`]
//! mixes what is there, as the normal finalize does, so the pipeline can
//! still transcribe the call.

use crate::ogg::{last_granule, SAMPLE_RATE};
use crate::recorder::mix_with_ffmpeg;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A recording rebuilt from the tracks a killed bot left.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecoveredRecording {
    /// `recording.ogg`.
    pub file: String,
    /// Its length in seconds: the longest track's.
    pub duration_s: f64,
    /// How it was made: `copy` (one track) or `ffmpeg-amix`.
    pub mix: String,
    /// The tracks it was made from.
    pub tracks: Vec<RecoveredTrack>,
}

/// One track found on disk.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecoveredTrack {
    /// Path relative to the output directory.
    pub file: String,
    /// Its length in seconds up to its last complete page.
    pub duration_s: f64,
}

/// Why no recording could be rebuilt.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// Reading the tracks or writing the recording failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No track holds any audio.
    #[error("no recorded audio under {0}")]
    NoTracks(PathBuf),
    /// ffmpeg could not mix the tracks.
    #[error("mixing the tracks: {0}")]
    Mix(String),
}

/// Writes `out_dir/recording.ogg` from every `out_dir/tracks/*.ogg` that
/// holds audio (tracks start at the call's time zero, so they are summed as
/// they are), replacing a partial one. Safe to call on a finished bot's
/// directory too: the result is the same mix.
pub async fn finalize_recording(out_dir: &Path) -> Result<RecoveredRecording, RecoveryError> {
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| RecoveryError::Io { path, source }
    };
    let tracks_dir = out_dir.join("tracks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&tracks_dir)
        .map_err(io_err(&tracks_dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ogg"))
        .collect();
    files.sort();
    let mut tracks = Vec::new();
    let mut inputs = Vec::new();
    for path in files {
        let Some(granule) = last_granule(&path).map_err(io_err(&path))? else {
            continue;
        };
        if granule == 0 {
            continue;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        tracks.push(RecoveredTrack {
            file: format!("tracks/{}", name.unwrap_or_default()),
            duration_s: granule as f64 / SAMPLE_RATE as f64,
        });
        inputs.push(path);
    }
    let duration_s = tracks.iter().map(|t| t.duration_s).fold(0.0, f64::max);
    // Written aside and renamed, so a reader never sees half a file.
    let partial = out_dir.join("recording.partial.ogg");
    let mixed = out_dir.join("recording.ogg");
    let mix = match inputs.as_slice() {
        [] => return Err(RecoveryError::NoTracks(tracks_dir)),
        [only] => {
            std::fs::copy(only, &partial).map_err(io_err(&partial))?;
            "copy"
        }
        many => {
            mix_with_ffmpeg(many, &partial)
                .await
                .map_err(RecoveryError::Mix)?;
            "ffmpeg-amix"
        }
    };
    std::fs::rename(&partial, &mixed).map_err(io_err(&mixed))?;
    Ok(RecoveredRecording {
        file: "recording.ogg".into(),
        duration_s,
        mix: mix.into(),
        tracks,
    })
}
