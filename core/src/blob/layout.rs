//! Where each kind of blob lives: one place that names every key, so the bot
//! that writes a recording and the stage that reads it cannot disagree.

use super::{BlobKey, InvalidBlobKey};
use uuid::Uuid;

/// The folder of everything a bot recorded: `recordings/<bot>/`.
pub fn recording_prefix(bot_id: Uuid) -> String {
    format!("recordings/{bot_id}/")
}

/// All remote audio mixed: `recordings/<bot>/recording.ogg`.
pub fn recording_mixed(bot_id: Uuid) -> BlobKey {
    key(format!("{}recording.ogg", recording_prefix(bot_id)))
}

/// One remote track: `recordings/<bot>/tracks/<file>` (`file` as the bot named it, e.g. `track-1.ogg`).
pub fn recording_track(bot_id: Uuid, file: &str) -> Result<BlobKey, InvalidBlobKey> {
    BlobKey::new(format!("{}tracks/{file}", recording_prefix(bot_id)))
}

/// The bot's `bot.json` (transitions, speaker timeline): `recordings/<bot>/bot.json`.
pub fn bot_report(bot_id: Uuid) -> BlobKey {
    key(format!("{}bot.json", recording_prefix(bot_id)))
}

/// The transcript of a recording still in progress, kept by the
/// transcription stage: `recordings/<bot>/transcript-draft.json`.
pub fn transcript_draft(bot_id: Uuid) -> BlobKey {
    key(format!("{}transcript-draft.json", recording_prefix(bot_id)))
}

/// A rendered report: `reports/<transcript>/<name>.<extension>`.
pub fn report_file(
    transcript_id: Uuid,
    name: &str,
    extension: &str,
) -> Result<BlobKey, InvalidBlobKey> {
    BlobKey::new(format!("reports/{transcript_id}/{name}.{extension}"))
}

fn key(k: String) -> BlobKey {
    // Built only from a UUID and fixed names, which are always valid keys.
    BlobKey::new(k).expect("fixed blob key layout is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_one_bot_share_its_prefix() {
        let bot = Uuid::new_v4();
        let prefix = recording_prefix(bot);
        for k in [
            recording_mixed(bot),
            bot_report(bot),
            transcript_draft(bot),
            recording_track(bot, "track-1.ogg").unwrap(),
        ] {
            assert!(k.as_str().starts_with(&prefix), "{k}");
        }
        assert!(recording_track(bot, "../escape.ogg").is_err());
    }
}
