//! Where each kind of blob lives: one place that names every key, so the bot
//! that writes a recording and the stage that reads it cannot disagree.
//!
//! A bot may be launched more than once for one meeting (the launcher
//! restarts a bot that crashed inside its meeting). Each launch writes its
//! audio and `bot.json` under its own folder, `recordings/<bot>/launch-<n>/`,
//! so a later launch never overwrites what an earlier one recorded. `n`
//! counts the bot's stored transitions into `launching` (the first launch is
//! 1), the same count the launcher passes to the bot it starts.

use super::{BlobKey, InvalidBlobKey};
use uuid::Uuid;

/// The folder of everything a bot recorded, all launches: `recordings/<bot>/`.
pub fn recording_prefix(bot_id: Uuid) -> String {
    format!("recordings/{bot_id}/")
}

/// The folder of one launch of a bot: `recordings/<bot>/launch-<n>/`.
pub fn launch_prefix(bot_id: Uuid, launch: u32) -> String {
    format!("{}launch-{launch}/", recording_prefix(bot_id))
}

/// The folder of one launch's tracks: `recordings/<bot>/launch-<n>/tracks/`.
pub fn launch_tracks_prefix(bot_id: Uuid, launch: u32) -> String {
    format!("{}tracks/", launch_prefix(bot_id, launch))
}

/// One launch's remote audio mixed: `recordings/<bot>/launch-<n>/recording.ogg`.
pub fn recording_mixed(bot_id: Uuid, launch: u32) -> BlobKey {
    key(format!("{}recording.ogg", launch_prefix(bot_id, launch)))
}

/// One remote track of one launch: `recordings/<bot>/launch-<n>/tracks/<file>`
/// (`file` as the bot named it, e.g. `track-1.ogg`).
pub fn recording_track(bot_id: Uuid, launch: u32, file: &str) -> Result<BlobKey, InvalidBlobKey> {
    BlobKey::new(format!("{}{file}", launch_tracks_prefix(bot_id, launch)))
}

/// The folder of one launch's track parts: `recordings/<bot>/launch-<n>/parts/`.
pub fn launch_parts_prefix(bot_id: Uuid, launch: u32) -> String {
    format!("{}parts/", launch_prefix(bot_id, launch))
}

/// The folder of one track's parts: `recordings/<bot>/launch-<n>/parts/<file>/`.
pub fn track_parts_prefix(bot_id: Uuid, launch: u32, file: &str) -> Result<String, InvalidBlobKey> {
    // Checked as a key so a bad file name cannot climb out of the folder.
    let prefix = format!("{}{file}/", launch_parts_prefix(bot_id, launch));
    BlobKey::new(format!("{prefix}x"))?;
    Ok(prefix)
}

/// The bytes a launch's bot appended to track `file` from byte `offset` on,
/// uploaded while it recorded:
/// `recordings/<bot>/launch-<n>/parts/<file>/<offset, 20 digits>.ogg`. The
/// zero padding makes the store's sorted listing the offset order.
pub fn track_part(
    bot_id: Uuid,
    launch: u32,
    file: &str,
    offset: u64,
) -> Result<BlobKey, InvalidBlobKey> {
    BlobKey::new(format!(
        "{}{offset:020}.ogg",
        track_parts_prefix(bot_id, launch, file)?
    ))
}

/// The track file and byte offset of a part key of `bot_id`'s launch
/// `launch` ([`track_part`] read back); `None` for any other key.
pub fn part_of(bot_id: Uuid, launch: u32, key: &str) -> Option<(String, u64)> {
    let rest = key.strip_prefix(&launch_parts_prefix(bot_id, launch))?;
    let (file, name) = rest.split_once('/')?;
    let digits = name.strip_suffix(".ogg")?;
    if file.is_empty() || digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((file.to_owned(), digits.parse().ok()?))
}

/// One launch's `bot.json` (transitions, speaker timeline):
/// `recordings/<bot>/launch-<n>/bot.json`.
pub fn bot_report(bot_id: Uuid, launch: u32) -> BlobKey {
    key(format!("{}bot.json", launch_prefix(bot_id, launch)))
}

/// Where `bot.json` was before launches had folders
/// (`recordings/<bot>/bot.json`): read for recordings stored back then.
pub fn legacy_bot_report(bot_id: Uuid) -> BlobKey {
    key(format!("{}bot.json", recording_prefix(bot_id)))
}

/// The launch whose folder holds `key`, when it is one of `bot_id`'s launch
/// folders; `None` for the keys written before launches had folders.
pub fn launch_of(bot_id: Uuid, key: &str) -> Option<u32> {
    let rest = key.strip_prefix(&recording_prefix(bot_id))?;
    let (folder, _) = rest.split_once('/')?;
    folder.strip_prefix("launch-")?.parse().ok()
}

/// The launch and file of one of `bot_id`'s launch tracks
/// ([`recording_track`] read back); `None` for any other key.
pub fn track_of(bot_id: Uuid, key: &str) -> Option<(u32, String)> {
    let launch = launch_of(bot_id, key)?;
    let file = key.strip_prefix(&launch_tracks_prefix(bot_id, launch))?;
    (!file.is_empty() && !file.contains('/')).then(|| (launch, file.to_owned()))
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
    // Built only from a UUID, a number and fixed names, which are always valid keys.
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
            recording_mixed(bot, 1),
            bot_report(bot, 1),
            legacy_bot_report(bot),
            transcript_draft(bot),
            recording_track(bot, 1, "track-1.ogg").unwrap(),
            track_part(bot, 1, "track-1.ogg", 0).unwrap(),
        ] {
            assert!(k.as_str().starts_with(&prefix), "{k}");
        }
        assert!(recording_track(bot, 1, "../escape.ogg").is_err());
        assert!(track_part(bot, 1, "..", 0).is_err());
        assert!(track_part(bot, 1, "a/../../b", 0).is_err());
    }

    #[test]
    fn two_launches_never_share_a_key() {
        let bot = Uuid::new_v4();
        let first = [
            recording_mixed(bot, 1),
            bot_report(bot, 1),
            recording_track(bot, 1, "track-1.ogg").unwrap(),
        ];
        let second = [
            recording_mixed(bot, 2),
            bot_report(bot, 2),
            recording_track(bot, 2, "track-1.ogg").unwrap(),
        ];
        for (a, b) in first.iter().zip(&second) {
            assert_ne!(a, b);
            assert!(a.as_str().starts_with(&launch_prefix(bot, 1)), "{a}");
            assert!(b.as_str().starts_with(&launch_prefix(bot, 2)), "{b}");
            assert!(b.as_str().starts_with(&recording_prefix(bot)), "{b}");
        }
        // Launch 1's folder is not a prefix of launch 10's (or of launch 2's).
        assert!(!launch_prefix(bot, 10).starts_with(&launch_prefix(bot, 1)));
        assert_eq!(
            recording_track(bot, 2, "track-1.ogg").unwrap().as_str(),
            format!("recordings/{bot}/launch-2/tracks/track-1.ogg")
        );
    }

    #[test]
    fn a_key_names_its_launch() {
        let bot = Uuid::new_v4();
        let track = recording_track(bot, 7, "track-3.ogg").unwrap();
        assert_eq!(launch_of(bot, track.as_str()), Some(7));
        assert_eq!(launch_of(bot, recording_mixed(bot, 2).as_str()), Some(2));
        // Keys from before launches had folders, and other bots' keys.
        assert_eq!(
            launch_of(bot, &format!("recordings/{bot}/tracks/track-1.ogg")),
            None
        );
        assert_eq!(launch_of(bot, legacy_bot_report(bot).as_str()), None);
        assert_eq!(launch_of(Uuid::new_v4(), track.as_str()), None);
    }

    #[test]
    fn track_keys_read_back() {
        let bot = Uuid::new_v4();
        let track = recording_track(bot, 2, "track-1.ogg").unwrap();
        assert_eq!(
            track_of(bot, track.as_str()),
            Some((2, "track-1.ogg".to_owned()))
        );
        let part = track_part(bot, 2, "track-1.ogg", 0).unwrap();
        assert_eq!(track_of(bot, part.as_str()), None);
        assert_eq!(track_of(bot, recording_mixed(bot, 2).as_str()), None);
        assert_eq!(track_of(Uuid::new_v4(), track.as_str()), None);
    }

    #[test]
    fn part_keys_sort_by_offset_and_read_back() {
        let bot = Uuid::new_v4();
        let key = track_part(bot, 3, "track-1.ogg", 4096).unwrap();
        assert_eq!(
            key.as_str(),
            format!("recordings/{bot}/launch-3/parts/track-1.ogg/00000000000000004096.ogg")
        );
        assert!(key.as_str().starts_with(&launch_parts_prefix(bot, 3)));
        assert!(key
            .as_str()
            .starts_with(&track_parts_prefix(bot, 3, "track-1.ogg").unwrap()));
        assert_eq!(launch_of(bot, key.as_str()), Some(3));
        assert_eq!(
            part_of(bot, 3, key.as_str()),
            Some(("track-1.ogg".to_owned(), 4096))
        );
        let max = track_part(bot, 3, "track-1.ogg", u64::MAX).unwrap();
        assert_eq!(part_of(bot, 3, max.as_str()).map(|p| p.1), Some(u64::MAX));
        // Byte order of the keys is offset order.
        let mut keys: Vec<BlobKey> = [900u64, 10, 1 << 40, 0]
            .iter()
            .map(|&o| track_part(bot, 3, "track-1.ogg", o).unwrap())
            .collect();
        keys.sort();
        let offsets: Vec<u64> = keys
            .iter()
            .filter_map(|k| part_of(bot, 3, k.as_str()).map(|p| p.1))
            .collect();
        assert_eq!(offsets, vec![0, 10, 900, 1 << 40]);
        // Not parts: another launch's, a track, a stray name.
        assert_eq!(part_of(bot, 2, key.as_str()), None);
        let track = recording_track(bot, 3, "track-1.ogg").unwrap();
        assert_eq!(part_of(bot, 3, track.as_str()), None);
        let stray = format!("{}track-1.ogg/12.ogg", launch_parts_prefix(bot, 3));
        assert_eq!(part_of(bot, 3, &stray), None);
    }
}
