//! Decoding any audio file to PCM and encoding PCM to Ogg/Opus with the `ffmpeg` CLI.

use crate::error::{Result, TestbedError};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// The sample rate of everything the testbed plays (Opus' native rate).
pub const SAMPLE_RATE: u32 = 48_000;

fn stderr_tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let tail: Vec<&str> = text.lines().rev().take(5).collect();
    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
}

/// Decodes `path` to 48 kHz mono signed 16-bit samples.
pub fn decode_mono_48k(path: &Path) -> Result<Vec<i16>> {
    let output = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args(["-ac", "1", "-ar", "48000", "-f", "s16le", "-"])
        .output()
        .map_err(TestbedError::FfmpegMissing)?;
    if !output.status.success() || output.stdout.is_empty() {
        return Err(TestbedError::Ffmpeg {
            path: path.to_owned(),
            stderr: stderr_tail(&output.stderr),
        });
    }
    Ok(output
        .stdout
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect())
}

/// Encodes 48 kHz mono samples to Ogg/Opus with 20 ms frames, as WebRTC clients send.
pub fn encode_opus(samples: &[i16], out: &Path) -> Result<()> {
    let mut child = Command::new("ffmpeg")
        .args([
            "-nostdin", "-v", "error", "-y", "-f", "s16le", "-ar", "48000",
        ])
        .args(["-ac", "1", "-i", "pipe:0", "-c:a", "libopus", "-b:a", "32k"])
        .args(["-frame_duration", "20", "-application", "voip", "-f", "ogg"])
        .arg(out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(TestbedError::FfmpegMissing)?;
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&bytes)?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(TestbedError::Ffmpeg {
            path: out.to_owned(),
            stderr: stderr_tail(&output.stderr),
        });
    }
    Ok(())
}
