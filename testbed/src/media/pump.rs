//! The real-time clock of the room's audio: every 20 ms it hands the next frame of every
//! stream to all connected pages.

use crate::audio::{Program, FRAME, SILENCE_FRAME};
use bytes::Bytes;
use std::sync::Arc;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

/// One 20 ms frame of every stream.
#[derive(Debug)]
pub struct FrameSet {
    /// Frame number since the schedule clock started; a gap means frames were missed.
    pub index: u64,
    /// Meet-style streams, one per slot.
    pub slots: Vec<Bytes>,
    /// The mixed stream.
    pub mixed: Bytes,
}

/// Starts sending frames, the first now. Past the end of the program it sends silence
/// until stopped, like a call where nobody talks.
pub fn start(program: Arc<Program>, tx: broadcast::Sender<Arc<FrameSet>>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let silence = Bytes::from_static(&SILENCE_FRAME);
        let mut ticks = tokio::time::interval_at(Instant::now(), FRAME);
        // Catch up after a stall, so the stream keeps wall-clock time.
        ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
        let mut index: u64 = 0;
        loop {
            ticks.tick().await;
            let at = index as usize;
            let frame = FrameSet {
                index,
                slots: program
                    .slots
                    .iter()
                    .map(|s| s.get(at).cloned().unwrap_or_else(|| silence.clone()))
                    .collect(),
                mixed: program
                    .mixed
                    .get(at)
                    .cloned()
                    .unwrap_or_else(|| silence.clone()),
            };
            // No receiver yet is normal: nobody has connected media.
            let _ = tx.send(Arc::new(frame));
            index += 1;
        }
    })
}
